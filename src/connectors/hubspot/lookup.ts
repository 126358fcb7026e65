import type { LookupHit } from '../connector.ts';
import { HubSpotApiError, type HubSpotClient } from './client.ts';

/**
 * Finds records by a property: by id or a unique property (e-mail) with the batch read endpoint (100
 * values per call), by any other property with a search `IN` filter.
 */
export async function lookupHubSpot(
  client: HubSpotClient,
  object: string,
  property: string,
  values: string[],
): Promise<LookupHit[]> {
  const byId = property === 'id' || property === 'hs_object_id';
  const out: LookupHit[] = [];
  for (let i = 0; i < values.length; i += 100) {
    const chunk = values.slice(i, i + 100);
    try {
      const res = await client.batch(
        object,
        'read',
        chunk.map((id) => ({ id })),
        {
          properties: byId ? [] : [property],
          propertiesWithHistory: [],
          ...(byId ? {} : { idProperty: property }),
        },
      );
      for (const r of res.results)
        out.push({
          value: byId ? r.id : String(r.properties[property] ?? ''),
          id: r.id,
          properties: { ...r.properties },
        });
    } catch (err) {
      // Not a unique property: batch read refuses it, search finds it.
      if (byId || !(err instanceof HubSpotApiError) || err.status !== 400) throw err;
      out.push(...(await searchIn(client, object, property, chunk)));
    }
  }
  return out;
}

async function searchIn(
  client: HubSpotClient,
  object: string,
  property: string,
  values: string[],
): Promise<LookupHit[]> {
  const out: LookupHit[] = [];
  let after: string | undefined;
  do {
    const res = await client.search(object, {
      filterGroups: [{ filters: [{ propertyName: property, operator: 'IN', values }] }],
      properties: [property],
      limit: 100,
      ...(after ? { after } : {}),
    });
    for (const r of res.results)
      out.push({ value: String(r.properties[property] ?? ''), id: r.id, properties: { ...r.properties } });
    after = res.paging?.next?.after;
  } while (after);
  return out;
}
