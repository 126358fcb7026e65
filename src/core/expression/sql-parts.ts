import { parseIsoDate, toDate } from './values.ts';

/** A piece of SQL: raw text, a bound parameter, or a quoted identifier (column). */
export type SqlPart = string | { value: unknown } | { identifier: string };

/** Parameterised SQL as a list of parts; the SQL connector turns it into Kysely `sql` (`sql.val`, `sql.ref`). */
export interface SqlFragment {
  parts: SqlPart[];
}

/** The databases expressions compile for. */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * A sub-expression during compilation: a constant (folded in memory, bound as a parameter where it is
 * used) or SQL. `date` marks SQL known to yield a date, so SQLite comparisons can compare by time.
 */
export type Compiled =
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'sql'; readonly parts: readonly SqlPart[]; readonly type: 'date' | 'any' };

/** Builds a Compiled SQL value from text pieces and part lists. */
export function sqlOf(type: 'date' | 'any', ...pieces: Array<string | readonly SqlPart[]>): Compiled {
  return { kind: 'sql', parts: join(...pieces), type };
}

/** Concatenates text pieces and part lists into one part list. */
export function join(...pieces: Array<string | readonly SqlPart[]>): SqlPart[] {
  const parts: SqlPart[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') parts.push(piece);
    else parts.push(...piece);
  }
  return parts;
}

/** True when the value is, or the SQL yields, a date. */
export function isDate(c: Compiled): boolean {
  return c.kind === 'const' ? c.value instanceof Date : c.type === 'date';
}

/**
 * A constant as a bound parameter, in the form the dialect's driver accepts: SQLite gets 1/0 for booleans
 * and ISO text for dates, PostgreSQL the values themselves. PostgreSQL parameters other than text carry a
 * cast, since the server cannot always infer their type (`$1 IN ($2, col)`); text stays uncast so it still
 * compares with enum and uuid columns, unless `typed` asks for a cast (CASE branches). Null is the SQL
 * keyword, which every context accepts. Returns null when the value has no SQL form (a duration).
 */
export function bind(value: unknown, dialect: SqlDialect, typed = false): SqlPart[] | null {
  const pg = dialect === 'postgres';
  const cast = (type: string): SqlPart[] => (pg ? ['CAST(', { value }, ` AS ${type})`] : [{ value }]);
  if (value === null || value === undefined) return ['NULL'];
  if (typeof value === 'string') return typed ? cast('text') : [{ value }];
  if (typeof value === 'boolean') return pg ? cast('boolean') : [{ value: value ? 1 : 0 }];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return ['NULL'];
    return cast(Number.isSafeInteger(value) ? 'bigint' : 'numeric');
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return ['NULL'];
    return pg ? cast('timestamptz') : [{ value: value.toISOString() }];
  }
  return null;
}

/** The parts of a compiled value; constants are bound. */
export function partsOf(c: Compiled, dialect: SqlDialect, typed = false): SqlPart[] | null {
  return c.kind === 'const' ? bind(c.value, dialect, typed) : [...c.parts];
}

const ISO_FORMAT = "'%Y-%m-%dT%H:%M:%fZ'";

/** SQLite: the operand for strftime, only when it is text (a number would be read as a Julian day). */
export function sqliteDateInput(c: Compiled & { kind: 'sql' }): SqlPart[] {
  if (c.type === 'date') return [...c.parts];
  return join('CASE WHEN typeof(', c.parts, ") = 'text' THEN ", c.parts, ' END');
}

/**
 * SQLite: a value as canonical ISO-8601 UTC text (or NULL when it is no date), so comparing two such
 * texts compares times, as the evaluator does for Date against ISO text.
 */
export function sqliteCanonicalDate(c: Compiled): SqlPart[] | null {
  if (c.kind === 'const') {
    const date = typeof c.value === 'string' ? parseIsoDate(c.value) : toDate(c.value);
    return bind(date, 'sqlite');
  }
  if (c.type === 'date') return [...c.parts];
  return join(`strftime(${ISO_FORMAT}, `, sqliteDateInput(c), ')');
}

/** A date moved by `ms` milliseconds (exact seconds, so no daylight-saving shift in PostgreSQL). */
export function shiftDate(c: Compiled & { kind: 'sql' }, ms: number, dialect: SqlDialect): Compiled {
  const seconds = (ms / 1000).toFixed(3);
  if (dialect === 'postgres')
    return sqlOf('date', '(', c.parts, ' + CAST(', [{ value: `${seconds} seconds` }], ' AS interval))');
  const modifier = `${ms >= 0 ? '+' : ''}${seconds} seconds`;
  return sqlOf('date', `strftime(${ISO_FORMAT}, `, sqliteDateInput(c), ', ', [{ value: modifier }], ')');
}
