/**
 * Runtime values and the SQL-like rules the evaluator applies to them. Values arrive as databases deliver
 * them: booleans as true/false or 1/0 (SQLite), dates as Date objects (PostgreSQL) or ISO-8601 text
 * (SQLite); the rules below make `1 = true` and `Date = '2025-03-01T10:00:00.000Z'` hold, so evaluating in
 * memory selects what the compiled SQL selects. `null` stands for "unknown" (three-valued logic).
 */

/** The value of a duration literal such as `7d`; only meaningful in date arithmetic and comparisons. */
export class Duration {
  constructor(readonly ms: number) {}
}

/** `undefined` (a missing field) is treated as null. */
export function normalize(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** Truth value as SQL sees it: booleans, numbers (non-zero is true, as SQLite); anything else is unknown. */
export function toBool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  return null;
}

const NUMERIC_TEXT = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Number for arithmetic and comparisons: numbers, booleans as 1/0, numeric text; otherwise null. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return Number(value);
  return null;
}

/** Text for string functions: numbers in JS notation, dates as ISO-8601, booleans as true/false. */
export function toText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return null;
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?:(Z)|([+-])(\d{2}):(\d{2}))?$/;

/**
 * Parses ISO-8601 date or date-time text. Text without an offset is UTC, as SQLite reads it (JS's own
 * Date parser would take local time). Out-of-range fields give null; days past the month's end roll over,
 * again as SQLite does.
 */
export function parseIsoDate(text: string): Date | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((s) =>
    Number(s ?? 0),
  ) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 59) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  let time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) time = new Date(time).setUTCFullYear(year);
  if (m[9]) time -= (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A valid Date from a Date or ISO-8601 text; anything else is null. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string') return parseIsoDate(value);
  return null;
}

/** Orders strings by Unicode code point, as SQLite's default (binary UTF-8) collation does. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      // UTF-16 order differs from code point order only around surrogates, so compare whole code points.
      return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
    }
  }
  return a.length - b.length;
}

/**
 * Compares two values: negative, zero or positive, or null when the comparison is unknown (a null side,
 * or values of kinds that do not compare, such as a date and a number).
 * A Date on either side compares by time against a Date or ISO text; booleans compare as 1/0.
 */
export function compareValues(left: unknown, right: unknown): number | null {
  const a = normalize(left);
  const b = normalize(right);
  if (a === null || b === null) return null;
  if (a instanceof Date || b instanceof Date) {
    const da = toDate(a);
    const db = toDate(b);
    return da && db ? Math.sign(da.getTime() - db.getTime()) : null;
  }
  if (a instanceof Duration || b instanceof Duration) {
    return a instanceof Duration && b instanceof Duration ? Math.sign(a.ms - b.ms) : null;
  }
  if (typeof a === 'string' && typeof b === 'string') return Math.sign(compareText(a, b));
  // Text against a boolean is not numeric even when it looks like "1".
  if (typeof a === 'string' && typeof b === 'boolean') return null;
  if (typeof a === 'boolean' && typeof b === 'string') return null;
  const na = toNumber(a);
  const nb = toNumber(b);
  return na === null || nb === null ? null : Math.sign(na - nb);
}

/** Three-valued AND. */
export function and3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

/** Three-valued OR. */
export function or3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === true || b === true) return true;
  return a === null || b === null ? null : false;
}

/** Three-valued NOT. */
export function not3(a: boolean | null): boolean | null {
  return a === null ? null : !a;
}
