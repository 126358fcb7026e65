// date-fns by subpath: its root loads all ~300 of its modules, and Node 24 parses date-fns's 140 KB `exports`
// map again for every module it loads (about 2 s of every start). See also date-pattern.ts.
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';
import { parseISO } from 'date-fns/parseISO';
import { ValidationError } from '../errors.ts';
import type { Transform } from '../mapping-definition.ts';
import { compileDateFormatter, compileDateParser, REFERENCE_DATE } from './date-pattern.ts';
import { describeValue, type TransformFn, transformError } from './shared.ts';

// Only full dates (optionally with a time) count as ISO: parseISO alone would read "12" as the 1200s.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
// date-fns reads "31.12.25" against "dd.MM.yyyy" as the year 25; no business record is that old.
const MIN_YEAR = 1000;
// The common date-only ISO form through the compiled parser: same local midnight as parseISO, 3x faster.
const parseIsoDay = compileDateParser('yyyy-MM-dd');

/** Output patterns with a meaning of their own instead of a date-fns pattern. */
export const DATE_OUTPUTS = ['iso', 'epoch-ms'] as const;

type DateFormatter = (date: Date) => string | number;

/** Turns `output` into a formatter, rejecting a bad pattern when the mapping is compiled. */
function compileOutput(output: string): DateFormatter {
  // Dates are read in the server's time zone, so "that date" is its local calendar date.
  if (output === 'epoch-ms') return (d) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  if (output === 'iso') return (d) => d.toISOString();
  checkPattern(output, 'output');
  return compileDateFormatter(output);
}

// Text in single quotes is literal in date-fns patterns.
const QUOTED = /'[^']*'/g;
// YYYY (week year) and DD (day of year) are almost always a mistake for yyyy and dd; date-fns warns on
// the console and throws, so they are caught here first with a message that says what to write.
const WEEK_YEAR_OR_DAY_OF_YEAR = /[YD]/;

function checkPattern(pattern: string, role: 'input' | 'output'): void {
  if (WEEK_YEAR_OR_DAY_OF_YEAR.test(pattern.replace(QUOTED, ''))) {
    throw new ValidationError(
      `date transform: ${role} pattern '${pattern}' uses Y or D; write yyyy for the year and dd for the day`,
      { details: { [role]: pattern } },
    );
  }
  try {
    const sample = format(REFERENCE_DATE, pattern);
    if (role === 'input' && !isValid(parse(sample, pattern, REFERENCE_DATE)))
      throw new RangeError('cannot be parsed');
  } catch (err) {
    throw new ValidationError(
      `date transform: ${role} pattern '${pattern}' is not usable (${(err as Error).message})`,
      {
        cause: err,
        details: { [role]: pattern },
      },
    );
  }
}

/** Parses text with the `input` pattern first, then as an ISO date; undefined when neither fits. */
function compileTextParser(input: string | undefined): (text: string) => Date | undefined {
  if (input !== undefined) checkPattern(input, 'input');
  const parseInput = input === undefined ? undefined : compileDateParser(input);
  return (text) => {
    if (parseInput !== undefined) {
      const d = parseInput(text);
      if (d !== undefined && d.getFullYear() >= MIN_YEAR) return d;
    }
    if (text.length === 10) {
      const d = parseIsoDay(text);
      if (d !== undefined) return d;
    }
    if (ISO_DATE.test(text)) {
      const d = parseISO(text);
      if (isValid(d)) return d;
    }
    return undefined;
  };
}

/**
 * `date`: reads a Date, epoch milliseconds, an ISO date ('2025-12-31', '2025-12-31T10:00:00Z') or text
 * in the `input` pattern ('31.12.2025' with 'dd.MM.yyyy'), and writes it as the `output` pattern,
 * 'iso' or 'epoch-ms'. Impossible dates (31.02.2025) fail with `invalid_date`; a blank cell is null.
 * Dates without a time are local midnight, as the SQL drivers deliver DATE columns.
 */
export const date = (t: Extract<Transform, { type: 'date' }>): TransformFn => {
  const out = compileOutput(t.output ?? 'yyyy-MM-dd');
  const parseText = compileTextParser(t.input);
  const expected = t.input ?? 'an ISO date such as 2025-12-31';
  return (v, f) => {
    let d: Date | undefined;
    if (v instanceof Date) d = isValid(v) ? v : undefined;
    else if (typeof v === 'number') d = Number.isFinite(v) ? new Date(v) : undefined;
    else if (typeof v === 'string') {
      const text = v.trim();
      if (text === '') return null;
      d = parseText(text);
    }
    if (d === undefined || !isValid(d)) {
      throw transformError(
        `${describeValue(v)} is not a valid date (expected ${expected})`,
        f,
        'invalid_date',
      );
    }
    return out(d);
  };
};
