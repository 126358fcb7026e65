import { toText } from './values.ts';

/**
 * SQL LIKE in memory: `%` matches any run of characters, `_` exactly one, `\` makes the next character
 * literal, and letters match in either case. A pattern ending in a lone `\` matches nothing (SQLite's
 * behaviour with `ESCAPE '\'`).
 */

const CACHE_LIMIT = 500;
// Filters test the same few patterns against every record, so compiled patterns are kept.
const cache = new Map<string, RegExp | null>();

/** True when `value` matches the LIKE `pattern` (case-insensitive). */
export function likeMatches(value: string, pattern: string): boolean {
  let regex = cache.get(pattern);
  // Stryker disable next-line ConditionalExpression: compiling again gives the same RegExp; the cache only saves time
  if (regex === undefined) {
    regex = likeToRegExp(pattern);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when the cache is cleared only bounds memory
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, regex);
  }
  return regex?.test(value) === true;
}

/** True when the pattern ends in an escape character that escapes nothing. */
export function endsWithLoneEscape(pattern: string): boolean {
  let escapes = 0;
  // pattern[-1] is undefined, which ends the loop at the start.
  for (let i = pattern.length - 1; pattern[i] === '\\'; i--) escapes++;
  return escapes % 2 === 1;
}

/** A constant pattern as text for SQL, or null when it is not text or ends in a lone escape (matches nothing). */
export function likePatternText(value: unknown): string | null {
  const text = typeof value === 'boolean' ? null : toText(value);
  return text === null || endsWithLoneEscape(text) ? null : text;
}

function likeToRegExp(pattern: string): RegExp | null {
  if (endsWithLoneEscape(pattern)) return null;
  let source = '';
  let escaped = false;
  for (const ch of pattern) {
    if (escaped) {
      source += quote(ch);
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === '%') {
      source += '.*';
    } else if (ch === '_') {
      source += '.';
    } else {
      source += quote(ch);
    }
  }
  // `u` makes `.` one code point (as SQL's `_` is one character), `s` lets it match line breaks.
  return new RegExp(`^${source}$`, 'isu');
}

function quote(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}
