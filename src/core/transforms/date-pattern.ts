/**
 * Compiled date patterns. date-fns re-tokenises its pattern on every call (about 4 µs per parse), too slow
 * for a per-record hot path; the numeric patterns mappings actually use (dd.MM.yyyy, yyyy-MM-dd,
 * MM/dd/yyyy …) are compiled here once into a regex or a formatter with the same results, and every
 * other pattern goes to date-fns. test/core/transforms.test.ts checks both against date-fns.
 */
// By subpath, not from 'date-fns': see date.ts.
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';

/** Fills the parts a pattern does not contain (a pattern without year reads dates of 2000). */
export const REFERENCE_DATE = new Date(2000, 0, 1);

type Part = 'y' | 'M' | 'd';
const TOKEN_PART: Record<string, Part> = { yyyy: 'y', MM: 'M', M: 'M', dd: 'd', d: 'd' };
// Three numeric tokens each followed by one separator that is not a digit, letter or quote: with a
// separator after every token a regex reads the same digits as date-fns' greedy left-to-right parser.
const FAST_PARSE = /^(yyyy|MM?|dd?)([^\p{L}\d'])(yyyy|MM?|dd?)([^\p{L}\d'])(yyyy|MM?|dd?)$/u;
// Runs of one letter are tokens ('MMM' is a month name, not 'MM' + 'M'); quotes go to date-fns.
const FORMAT_TOKENS = /(\p{L})\1*|[^\p{L}']/gu;
const LETTER = /\p{L}/u;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function daysIn(year: number, month: number): number {
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Compiles `pattern` into a parser returning a valid local Date or undefined (invalid text or date). */
export function compileDateParser(pattern: string): (text: string) => Date | undefined {
  const m = FAST_PARSE.exec(pattern);
  const parts = m ? [TOKEN_PART[m[1] as string], TOKEN_PART[m[3] as string], TOKEN_PART[m[5] as string]] : [];
  if (!m || new Set(parts).size !== 3) {
    return (text) => {
      const d = parse(text, pattern, REFERENCE_DATE);
      return isValid(d) ? d : undefined;
    };
  }
  const digits = (p: Part | undefined) => (p === 'y' ? '(\\d{1,4})' : '(\\d{1,2})');
  const regex = new RegExp(
    `^${digits(parts[0])}${escapeRegex(m[2] as string)}${digits(parts[1])}${escapeRegex(m[4] as string)}${digits(parts[2])}\\s*$`,
  );
  const yi = parts.indexOf('y') + 1;
  const mi = parts.indexOf('M') + 1;
  const di = parts.indexOf('d') + 1;
  return (text) => {
    const r = regex.exec(text);
    if (!r) return undefined;
    const year = Number(r[yi]);
    const month = Number(r[mi]);
    const day = Number(r[di]);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
    const d = new Date(year, month - 1, day);
    // new Date() maps years 0-99 to 1900-1999; date-fns does not.
    if (year < 100) d.setFullYear(year);
    return d;
  };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const WRITERS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getFullYear()),
  MM: (d) => pad2(d.getMonth() + 1),
  M: (d) => String(d.getMonth() + 1),
  dd: (d) => pad2(d.getDate()),
  d: (d) => String(d.getDate()),
};

/** Compiles `pattern` into a formatter with date-fns `format` semantics. */
export function compileDateFormatter(pattern: string): (date: Date) => string {
  const slow = (d: Date) => format(d, pattern);
  const tokens = pattern.match(FORMAT_TOKENS) ?? [];
  const fast = tokens.every((t) => WRITERS[t] !== undefined || !LETTER.test(t));
  if (!fast || tokens.join('') !== pattern) return slow;
  const writers = tokens.map((t) => WRITERS[t] ?? (() => t));
  return (d) => {
    const year = d.getFullYear();
    // date-fns pads short years and writes eras before year 1 its own way; leave those to it.
    if (year < 1000 || year > 9999) return slow(d);
    let out = '';
    for (const w of writers) out += w(d);
    return out;
  };
}
