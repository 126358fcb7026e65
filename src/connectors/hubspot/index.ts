import { type Connector, defineConnector, type ObjectDescription, type Page, type ReadOptions } from '../connector.ts';
import { createHubSpotClient } from './client.ts';
import { HubSpotConfigSchema, HubSpotSecretSchema } from './schemas.ts';
import { writeHubSpot } from './write.ts';

/** HubSpot's property types as the mapping editor's field types. */
const FIELD_TYPES: Record<string, ObjectDescription['fields'][number]['type']> = {
  string: 'string',
  number: 'number',
  bool: 'boolean',
  date: 'date',
  datetime: 'datetime',
  enumeration: 'enum',
  phone_number: 'string',
};

/** Search returns at most 10 000 results per query; past that the window moves on by modification date. */
const SEARCH_CAP = 10_000;

/**
 * HubSpot CRM v3: contacts, companies (and any object type the portal has) through the batch endpoints,
 * list paging and the search API; private-app token auth.
 */
export const hubspotConnector = defineConnector({
  system: 'hubspot',
  configSchema: HubSpotConfigSchema,
  secretSchema: HubSpotSecretSchema,
  http: (config, secret) => ({
    baseUrl: config.baseUrl,
    limits: { batchSize: 100, requestsPer10s: config.requestsPer10s, concurrency: config.concurrency },
    timeoutMs: config.timeoutMs,
    headers: () => ({ authorization: `Bearer ${secret.accessToken}` }),
  }),
  create(ctx): Connector {
    const client = createHubSpotClient(ctx.http);

    async function* listAll(object: string, o: ReadOptions): AsyncIterable<Page> {
      let after = typeof o.after?.after === 'string' ? o.after.after : undefined;
      for (;;) {
        const page = await client.list(object, { after, limit: Math.min(o.pageSize ?? 100, 100), properties: [] });
        after = page.paging?.next?.after;
        yield {
          records: page.results.map((r) => ({ key: r.id, data: { id: r.id, ...r.properties } })),
          cursor: after ? { after } : null,
        };
        if (!after) return;
      }
    }

    /** Changed since the cursor, oldest first; `(modified, id)` keyset so equal timestamps are not lost. */
    async function* searchChanged(object: string, o: ReadOptions): AsyncIterable<Page> {
      const field = o.modifiedField ?? 'hs_lastmodifieddate';
      let since = typeof o.after?.m === 'string' ? o.after.m : null;
      let sinceId = typeof o.after?.k === 'string' ? o.after.k : null;
      for (;;) {
        let after: string | undefined;
        let seen = 0;
        let lastInWindow: { m: string; k: string } | null = null;
        for (;;) {
          const limit = Math.min(o.pageSize ?? 100, 200);
          const res = await client.search(object, {
            filterGroups: since ? [{ filters: [{ propertyName: field, operator: 'GTE', value: String(Date.parse(since)) }] }] : [],
            sorts: [{ propertyName: field, direction: 'ASCENDING' }],
            properties: [],
            limit,
            ...(after ? { after } : {}),
          });
          const records = res.results
            .filter((r) => !(since && sinceId && r.properties[field] === since && r.id <= sinceId))
            .map((r) => ({ key: r.id, data: { id: r.id, ...r.properties } }));
          const last = res.results[res.results.length - 1];
          if (last) lastInWindow = { m: last.properties[field] ?? since ?? '', k: last.id };
          seen += res.results.length;
          yield { records, cursor: lastInWindow };
          after = res.paging?.next?.after;
          if (!after) return;
          if (seen + limit > SEARCH_CAP) break;
        }
        // The window is full: start a new query from the last modification date seen.
        if (!lastInWindow) return;
        since = lastInWindow.m;
        sinceId = lastInWindow.k;
      }
    }

    return {
      system: 'hubspot',
      limits: { batchSize: 100, requestsPer10s: ctx.config.requestsPer10s, concurrency: ctx.config.concurrency },
      async describe() {
        const out: ObjectDescription[] = [];
        for (const name of ['contacts', 'companies']) {
          const props = await client.properties(name);
          out.push({
            name,
            fields: props.results.map((p) => ({
              name: p.name,
              label: p.label ?? p.name,
              type: FIELD_TYPES[p.type] ?? 'string',
              unique: p.hasUniqueValue ?? false,
              ...(p.options?.length ? { options: p.options.map((x) => ({ value: x.value, label: x.label })) } : {}),
            })),
          });
        }
        return out;
      },
      read(object, o) {
        return o.modifiedField || o.after?.m !== undefined ? searchChanged(object, o) : listAll(object, o);
      },
      write: (object, ops) => writeHubSpot(client, object, ops),
      async check() {
        try {
          await client.list('contacts', { limit: 1, properties: [] });
          return { ok: true, message: 'HubSpot accepted the token' };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
    };
  },
});
