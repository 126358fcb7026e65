/**
 * Query options of a collection GET: `$filter`, `$select`, `$orderby`, `$top`, `$expand` and
 * server-driven paging with `$skiptoken` in `@odata.nextLink`, as the Abacus entity-api-guide lists
 * them. `$skip` and `$count` are documented as unsupported and answer 400. The skip token is opaque to
 * clients; here it carries the sort key of the last row sent (keyset paging), so rows inserted or
 * deleted between pages neither repeat nor vanish.
 */

import { ENTITIES, type EntityDef, type EntityRecord } from './entities.ts';
import { badRequest } from './errors.ts';
import {
  compareValues,
  type FilterNode,
  matches,
  parseFilter,
  resolvePath,
  valueAt,
} from './odata-filter.ts';
import type { MandantData } from './store.ts';

/** The parsed query options of one request. */
export interface QueryOptions {
  filter?: FilterNode;
  select?: string[];
  orderby: { segments: string[]; desc: boolean }[];
  top?: number;
  expand: string[];
  skiptoken?: { k: unknown[]; t: number | null };
}

const SUPPORTED = new Set(['$filter', '$select', '$orderby', '$top', '$expand', '$skiptoken', '$format']);

function decodeToken(raw: string): QueryOptions['skiptoken'] {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { k?: unknown; t?: unknown };
    if (Array.isArray(parsed.k) && (parsed.t === null || typeof parsed.t === 'number'))
      return { k: parsed.k, t: parsed.t };
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('The $skiptoken is not valid.');
}

/** Parses the system query options of a request; 400 for unsupported or malformed ones. */
export function parseQuery(
  def: EntityDef,
  query: Record<string, string | undefined>,
  single = false,
): QueryOptions {
  const out: QueryOptions = { orderby: [], expand: [] };
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || !name.startsWith('$')) continue;
    if (!SUPPORTED.has(name)) throw badRequest(`The query option '${name}' is not supported.`);
    if (single && !['$select', '$expand', '$format'].includes(name))
      throw badRequest(`The query option '${name}' is not allowed on a single entity.`);
    if (name === '$format' && !/^json$|^application\/json/.test(value))
      throw badRequest('Only $format=json is supported.');
  }
  if (query.$filter !== undefined) out.filter = parseFilter(query.$filter, def);
  if (query.$top !== undefined) {
    if (!/^\d+$/.test(query.$top))
      throw badRequest(`The value '${query.$top}' of $top is not a non-negative integer.`);
    out.top = Number(query.$top);
  }
  if (query.$select !== undefined) {
    out.select = query.$select
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const name of out.select) {
      if (name !== '*' && !def.props[name])
        throw badRequest(`Could not find a property named '${name}' on type '${def.typeName}'.`);
    }
  }
  if (query.$orderby !== undefined) {
    for (const part of query.$orderby.split(',')) {
      const m = /^\s*([A-Za-z0-9_/]+)(?:\s+(asc|desc))?\s*$/.exec(part);
      if (!m?.[1]) throw badRequest(`Syntax error in $orderby at '${part.trim()}'.`);
      const segments = m[1].split('/');
      resolvePath(def, segments);
      out.orderby.push({ segments, desc: m[2] === 'desc' });
    }
  }
  if (query.$expand !== undefined) {
    for (const raw of query.$expand.split(',')) {
      const name = raw.trim();
      if (name.includes('(')) throw badRequest(`Options inside $expand are not supported ('${name}').`);
      if (!def.navigation[name])
        throw badRequest(`Could not find a navigation property named '${name}' on type '${def.typeName}'.`);
      out.expand.push(name);
    }
  }
  if (query.$skiptoken !== undefined) out.skiptoken = decodeToken(query.$skiptoken);
  return out;
}

/** One page of a collection and the skip token of the next page, if there is one. */
export interface QueryPage {
  rows: EntityRecord[];
  nextToken: string | null;
}

/** Filters, orders and pages the rows of a set. */
export function runQuery(rows: EntityRecord[], opts: QueryOptions, pageSize: number): QueryPage {
  // The key ends every sort so that the order, and with it the skip token, is total.
  const keys = [...opts.orderby];
  if (!keys.some((k) => k.segments.length === 1 && k.segments[0] === 'Id'))
    keys.push({ segments: ['Id'], desc: false });
  const sortKey = (r: EntityRecord) => keys.map((k) => valueAt(r, k.segments));
  const compare = (a: unknown[], b: unknown[]) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return keys[i]?.desc ? -c : c;
    }
    return 0;
  };
  const filter = opts.filter;
  let selected = filter ? rows.filter((r) => matches(filter, r)) : [...rows];
  selected.sort((a, b) => compare(sortKey(a), sortKey(b)));
  const token = opts.skiptoken;
  if (token) selected = selected.filter((r) => compare(sortKey(r), token.k) > 0);
  const remaining = token ? token.t : (opts.top ?? null);
  const limit = Math.min(pageSize, remaining ?? Number.POSITIVE_INFINITY);
  const page = selected.slice(0, limit);
  const left = remaining === null ? null : remaining - page.length;
  const more = selected.length > page.length && (left === null || left > 0);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextToken:
      more && last ? Buffer.from(JSON.stringify({ k: sortKey(last), t: left })).toString('base64url') : null,
  };
}

/** An entity as sent: `$select`ed properties and `$expand`ed children. */
export function shapeEntity(
  def: EntityDef,
  row: EntityRecord,
  opts: QueryOptions,
  data: MandantData,
  idUrl: string,
): EntityRecord {
  let out: EntityRecord;
  if (opts.select && !opts.select.includes('*')) {
    out = {};
    // Abacus inserts an odata.id when the key is not selected, so rows stay identifiable.
    if (!opts.select.includes('Id')) out['@odata.id'] = idUrl;
    for (const name of opts.select) out[name] = row[name] ?? null;
  } else out = { ...row };
  for (const nav of opts.expand) {
    const set = def.navigation[nav];
    if (set) out[nav] = data.childrenOf(ENTITIES[set].set, row.Id as number);
  }
  return out;
}
