import type { Transform } from '../mapping-definition.ts';
import { describeValue, type TransformFn, transformError } from './shared.ts';

// Thousands separators seen in Swiss and German data: apostrophe, typographic apostrophe (what Intl's
// de-CH produces), space, no-break space and narrow no-break space (fr-CH).
const GROUP_CHARS = "'\u2019 \u00a0\u202f";

/**
 * Builds the pattern for one decimal mark. Grouped integers must have groups of three digits, so with
 * decimal '.' the text "1,5" fails instead of silently becoming 15. A trailing ".–" (Swiss prices,
 * "12.–") means no fraction.
 */
function numberPattern(decimal: '.' | ','): RegExp {
  const other = decimal === '.' ? ',' : '.';
  const group = `[${GROUP_CHARS}${other}]`;
  const d = decimal === '.' ? '\\.' : ',';
  return new RegExp(`^([+\\-\u2212])?(\\d{1,3}(?:${group}\\d{3})+|\\d+)(?:${d}(\\d+)|${d}[\\-\u2013])?$`);
}
const PATTERNS = { '.': numberPattern('.'), ',': numberPattern(',') } as const;
const NON_DIGITS = /\D/g;

/**
 * Parses a number written by a person: "1'234.50", "1’234.50", "1 234,50" (decimal ','), "-12".
 * Returns undefined when the text is not a number in that notation.
 */
export function parseLocaleNumber(text: string, decimal: '.' | ',' = '.'): number | undefined {
  const m = PATTERNS[decimal].exec(text.trim());
  if (!m) return undefined;
  const [, sign, integer = '', fraction] = m;
  const digits = integer.replace(NON_DIGITS, '');
  const n = Number(fraction === undefined ? digits : `${digits}.${fraction}`);
  return sign === '-' || sign === '\u2212' ? -n : n;
}

/**
 * `number`: numbers pass (unless NaN/Infinity), text is parsed with `parseLocaleNumber`, a blank cell is
 * null (no value, not a bad value); anything else fails with `invalid_number`.
 */
export const number = (t: Extract<Transform, { type: 'number' }>): TransformFn => {
  const decimal = t.decimal ?? '.';
  const example = decimal === '.' ? "1'234.50" : '1.234,50';
  return (v, f) => {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
    } else if (typeof v === 'bigint') {
      return Number(v);
    } else if (typeof v === 'string') {
      if (v.trim() === '') return null;
      const n = parseLocaleNumber(v, decimal);
      if (n !== undefined) return n;
    }
    throw transformError(
      `${describeValue(v)} is not a valid number (expected e.g. ${example})`,
      f,
      'invalid_number',
    );
  };
};
