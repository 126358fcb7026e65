import type { Page, ReadOptions, SourceRecord } from '../connector.ts';
import type { HubSpotClient } from './client.ts';
import type { HubSpotObject } from './schemas.ts';

/** Search returns at most 10 000 results per query; past that a new query must start. */
export const SEARCH_CAP = 10_000;
/** Largest search page HubSpot serves. */
const SEARCH_PAGE = 200;

const toRecord = (r: HubSpotObject): SourceRecord => ({ key: r.id, data: { id: r.id, ...r.properties } });
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/** Every record of a type through list paging (`after`), for full reads. */
export async function* listAll(client: HubSpotClient, object: string, o: ReadOptions): AsyncIterable<Page> {
  let after = typeof o.after?.after === 'string' ? o.after.after : undefined;
  for (;;) {
    const page = await client.list(object, {
      after,
      limit: Math.min(o.pageSize ?? 100, 100),
      properties: o.fields ?? [],
    });
    after = page.paging?.next?.after;
    yield { records: page.results.map(toRecord), cursor: after ? { after } : null };
    if (!after) return;
  }
}

/**
 * Records changed since the cursor, oldest first, through the search API. One query sees at most
 * 10 000 results, so reading moves in windows: `modified > T` sorted by modification date until the cap,
 * then the records sharing the last date T are drained in id order (`modified = T and id > k`, itself
 * windowed by id), then the next window starts after T. Nothing is lost or read twice even when more
 * than 10 000 records share one timestamp. The cursor `{ m, k }` is the last record's date and id; a
 * resumed read drains `m`'s ties after `k` first.
 */
export async function* searchChanged(
  client: HubSpotClient,
  object: string,
  o: ReadOptions,
): AsyncIterable<Page> {
  const field = o.modifiedField ?? 'hs_lastmodifieddate';
  const limit = Math.min(o.pageSize ?? SEARCH_PAGE, SEARCH_PAGE);
  const properties = [...new Set([field, ...(o.fields ?? [])])].filter((f) => f !== 'id');
  let since = typeof o.after?.m === 'string' ? o.after.m : null;
  let sinceId = o.after?.k !== undefined && o.after.k !== null ? Number(o.after.k) : 0;

  /** One query, paged to its end or to the cap; yields pages, returns whether the cap cut it short. */
  async function* query(
    filterGroups: unknown[],
    sortBy: string,
    seen: Set<string> | null,
    onRecord: (r: HubSpotObject) => void,
  ): AsyncGenerator<Page, boolean> {
    let after: string | undefined;
    let fetched = 0;
    for (;;) {
      // The official schema takes sorts as property names (ascending) and `after` always ('0' first).
      const res = await client.search(object, {
        filterGroups,
        sorts: [sortBy],
        properties,
        limit,
        after: after ?? '0',
      });
      fetched += res.results.length;
      const fresh = seen ? res.results.filter((r) => !seen.has(r.id)) : res.results;
      for (const r of res.results) onRecord(r);
      const last = res.results[res.results.length - 1];
      if (fresh.length || last) {
        yield {
          records: fresh.map(toRecord),
          cursor: last ? { m: last.properties[field] ?? since, k: last.id } : null,
        };
      }
      after = res.paging?.next?.after;
      if (!after) return false;
      if (fetched + limit > SEARCH_CAP) return true;
    }
  }

  /** Drains the records modified exactly at `at` in id order, skipping ids already read at that date. */
  async function* drainTies(at: string, fromId: number, seen: Set<string> | null): AsyncGenerator<Page> {
    let k = fromId;
    for (;;) {
      const groups = [
        {
          filters: [
            { propertyName: field, operator: 'EQ', value: String(ms(at)) },
            { propertyName: 'hs_object_id', operator: 'GT', value: String(k) },
          ],
        },
      ];
      const capped = yield* query(groups, 'hs_object_id', seen, (r) => {
        k = Math.max(k, Number(r.id));
      });
      if (!capped) return;
    }
  }

  if (since) yield* drainTies(since, sinceId, null);
  for (;;) {
    let last: { m: string; id: string } | null = null;
    // Ids read at the window's last date: the tie drain must not hand them out again.
    let atLast = new Set<string>();
    const groups = since
      ? [{ filters: [{ propertyName: field, operator: 'GT', value: String(ms(since)) }] }]
      : [];
    const capped = yield* query(groups, field, null, (r) => {
      const m = r.properties[field];
      if (!m) return;
      if (last?.m !== m) atLast = new Set();
      atLast.add(r.id);
      last = { m, id: r.id };
    });
    if (!capped || !last) return;
    since = (last as { m: string }).m;
    sinceId = 0;
    yield* drainTies(since, sinceId, atLast);
  }
}
