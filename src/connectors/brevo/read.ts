import type { Cursor, Page, ReadOptions, SourceRecord } from '../connector.ts';
import type { BrevoClient } from './client.ts';
import type { BrevoContact } from './schemas.ts';

/** Largest page `GET /contacts` serves. */
export const MAX_PAGE = 1000;
/**
 * Each page after the first starts this many contacts early: a contact deleted before the read's offset
 * moves every later one a place forward, and offset paging would skip one. Contacts already seen (by id,
 * the creation order) are dropped; when even the overlap was not enough, the read steps back further.
 */
export const PAGE_OVERLAP = 20;

/**
 * A contact as a source record: top-level fields, `attributes` as an object, and each attribute again
 * as a flat `attributes.X` key (so filters and mappings can name either). EXT_ID shows as `ext_id`.
 */
export function toRecord(c: BrevoContact): SourceRecord {
  const data: Record<string, unknown> = {
    id: c.id,
    email: c.email ?? null,
    ext_id: c.attributes.EXT_ID ?? null,
    emailBlacklisted: c.emailBlacklisted,
    smsBlacklisted: c.smsBlacklisted,
    listIds: c.listIds,
    createdAt: c.createdAt ?? null,
    modifiedAt: c.modifiedAt,
    attributes: { ...c.attributes },
  };
  for (const [name, value] of Object.entries(c.attributes)) data[`attributes.${name}`] = value;
  return { key: String(c.id), data };
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/**
 * Reads contacts changed since the cursor (all of them without one), paging by offset in creation
 * order. The cursor keeps `(since, sinceId)` = the latest `(modifiedAt, id)` a finished pass saw, and
 * while a pass runs also its `offset` and the running maximum `(m, k)`, so a crashed read resumes where
 * it stopped. Brevo filters by `modifiedSince` but does not sort by it, hence the running maximum.
 * Pages overlap and contacts are taken once by id, so contacts deleted during the read skip no one.
 */
export async function* readContacts(client: BrevoClient, o: ReadOptions): AsyncIterable<Page> {
  const limit = Math.min(Math.max(o.pageSize ?? 500, 1), MAX_PAGE);
  const since = str(o.after?.since);
  const sinceId = num(o.after?.sinceId) ?? 0;
  const sinceAt = since === null ? null : Date.parse(since);
  let offset = num(o.after?.offset) ?? 0;
  let m = str(o.after?.m) ?? since;
  let k = num(o.after?.k) ?? sinceId;
  // One millisecond early: whether Brevo's "modified after" is strict or not, nothing at `since` is
  // lost; what the last pass already saw is dropped below by the (modifiedAt, id) keyset.
  const modifiedSince = sinceAt === null ? undefined : new Date(sinceAt - 1).toISOString();

  // The highest id (= the creation order Brevo pages by) this pass has handed out.
  let seen = num(o.after?.i) ?? 0;
  // A quarter of a page at most, so every page moves on by most of its length (tiny pages: none).
  const overlap = Math.min(PAGE_OVERLAP, Math.floor(limit / 4));

  for (;;) {
    let from = seen > 0 ? Math.max(0, offset - overlap) : offset;
    let page = await client.listContacts({ limit, offset: from, modifiedSince, sort: 'asc' });
    // A page that starts after the last contact seen: more than the overlap was deleted before it, so
    // step back (doubling) until it starts at a contact already seen, or at the beginning.
    for (
      let back = Math.max(1, overlap) * 2;
      overlap > 0 && seen > 0 && from > 0 && (page.contacts[0]?.id ?? Number.POSITIVE_INFINITY) > seen;
      back *= 2
    ) {
      from = Math.max(0, offset - back);
      page = await client.listContacts({ limit, offset: from, modifiedSince, sort: 'asc' });
    }
    offset = from + page.contacts.length;
    const fresh = page.contacts.filter((c) => c.id > seen);
    const records: SourceRecord[] = [];
    for (const c of fresh) {
      seen = Math.max(seen, c.id);
      const at = Date.parse(c.modifiedAt);
      if (sinceAt !== null && (at < sinceAt || (at === sinceAt && c.id <= sinceId))) continue;
      records.push(toRecord(c));
      const mAt = m === null ? Number.NEGATIVE_INFINITY : Date.parse(m);
      if (at > mAt || (at === mAt && c.id > k)) {
        m = new Date(at).toISOString();
        k = c.id;
      }
    }
    const done = page.contacts.length < limit;
    const cursor: Cursor = done
      ? { since: m, sinceId: m === null ? null : k, offset: null, m: null, k: null, i: null }
      : { since, sinceId: since === null ? null : sinceId, offset, m, k, i: seen };
    yield { records, cursor };
    if (done) return;
  }
}
