import { parseIsoDate, toDate } from './values.ts';

/** A piece of SQL: raw text, a bound parameter, or a quoted identifier (column). */
export type SqlPart = string | { value: unknown } | { identifier: string };

/** Parameterised SQL as a list of parts; the SQL connector turns it into Kysely `sql` (`sql.val`, `sql.ref`). */
export interface SqlFragment {
  parts: SqlPart[];
}

/** The databases expressions compile for (`mysql` covers MariaDB too). */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/**
 * What SQL is known to yield: `date` lets SQLite compare by time; `text` and `number` let MySQL choose
 * between a binary text comparison and a plain one (its default collations ignore case and accents).
 */
export type SqlType = 'date' | 'text' | 'number' | 'any';

/**
 * A sub-expression during compilation: a constant (folded in memory, bound as a parameter where it is
 * used) or SQL of a known or unknown (`any`) type.
 */
export type Compiled =
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'sql'; readonly parts: readonly SqlPart[]; readonly type: SqlType };

/** Builds a Compiled SQL value from text pieces and part lists. */
export function sqlOf(type: SqlType, ...pieces: Array<string | readonly SqlPart[]>): Compiled {
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

/** True when the value is, or the SQL yields, a number (booleans count: SQL stores them as 1/0). */
export function isNumber(c: Compiled): boolean {
  return c.kind === 'const' ? ['number', 'boolean', 'bigint'].includes(typeof c.value) : c.type === 'number';
}

/** MySQL: a date as DATETIME(3) text in UTC (the connector's sessions run in UTC). */
function mysqlDateTime(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * MySQL: text as its UTF-8 bytes, so `=` and `<` compare by code point with trailing spaces counted, as
 * the evaluator does (MySQL's default collations ignore case, accents and trailing spaces).
 */
export function mysqlBinary(parts: readonly SqlPart[]): SqlPart[] {
  return join('CAST(CONVERT(', parts, ' USING utf8mb4) AS BINARY)');
}

/**
 * MySQL: text in utf8mb4 with the binary collation, so text functions never meet two collations they
 * cannot mix (a column's and the connection's) and compare as the evaluator does.
 */
export function mysqlText(parts: readonly SqlPart[]): SqlPart[] {
  return join('(CONVERT(', parts, ' USING utf8mb4) COLLATE utf8mb4_bin)');
}

/**
 * A constant as a bound parameter, in the form the dialect's driver accepts: SQLite gets 1/0 for booleans
 * and ISO text for dates, MySQL 1/0 and dates cast to DATETIME(3), PostgreSQL the values themselves. PostgreSQL parameters other than text carry a
 * cast, since the server cannot always infer their type (`$1 IN ($2, col)`); text stays uncast so it still
 * compares with enum and uuid columns, unless `typed` asks for a cast (CASE branches). Null is the SQL
 * keyword, which every context accepts. Returns null when the value has no SQL form (a duration).
 */
export function bind(value: unknown, dialect: SqlDialect, typed = false): SqlPart[] | null {
  const pg = dialect === 'postgres';
  const cast = (type: string): SqlPart[] => (pg ? ['CAST(', { value }, ` AS ${type})`] : [{ value }]);
  if (value === null || value === undefined) return ['NULL'];
  if (typeof value === 'string') {
    if (typed && dialect === 'mysql') return ['CAST(', { value }, ' AS CHAR)'];
    return typed ? cast('text') : [{ value }];
  }
  if (typeof value === 'boolean') return pg ? cast('boolean') : [{ value: value ? 1 : 0 }];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return ['NULL'];
    return cast(Number.isSafeInteger(value) ? 'bigint' : 'numeric');
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return ['NULL'];
    // MySQL: typed, so COALESCE and CASE yield DATETIME rather than text that compares as text.
    if (dialect === 'mysql') return ['CAST(', { value: mysqlDateTime(value) }, ' AS DATETIME(3))'];
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
  if (dialect === 'mysql')
    return sqlOf('date', '(', c.parts, ' + INTERVAL ', [{ value: Math.round(ms * 1000) }], ' MICROSECOND)');
  if (dialect === 'postgres')
    return sqlOf('date', '(', c.parts, ' + CAST(', [{ value: `${seconds} seconds` }], ' AS interval))');
  const modifier = `${ms >= 0 ? '+' : ''}${seconds} seconds`;
  return sqlOf('date', `strftime(${ISO_FORMAT}, `, sqliteDateInput(c), ', ', [{ value: modifier }], ')');
}
