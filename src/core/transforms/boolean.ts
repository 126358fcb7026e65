import type { Transform } from '../mapping-definition.ts';
import { describeValue, type TransformFn, transformError } from './shared.ts';

/** Words read as true when the mapping gives no `true` list (German, French, Italian, English, "x" ticks). */
export const DEFAULT_TRUE_WORDS = [
  'true',
  'yes',
  'y',
  'ja',
  'j',
  'oui',
  'si',
  'sì',
  'on',
  'wahr',
  '1',
  'x',
] as const;
/** Words read as false when the mapping gives no `false` list. */
export const DEFAULT_FALSE_WORDS = ['false', 'no', 'n', 'nein', 'non', 'off', 'falsch', '0'] as const;

/**
 * `boolean`: reads yes/no words case-insensitively. A configured `true` or `false` list replaces the
 * default list of that side, and its words win over the other side's defaults. Booleans pass, numbers
 * are read by their text (1/0). A blank cell is null unless '' is one of the configured words.
 */
export const boolean = (t: Extract<Transform, { type: 'boolean' }>): TransformFn => {
  const words = new Map<string, boolean>();
  if (!t.true) for (const w of DEFAULT_TRUE_WORDS) words.set(w, true);
  if (!t.false) for (const w of DEFAULT_FALSE_WORDS) words.set(w, false);
  for (const w of t.false ?? []) words.set(w.trim().toLowerCase(), false);
  for (const w of t.true ?? []) words.set(w.trim().toLowerCase(), true);
  const trueWords = [...words].filter(([, b]) => b).map(([w]) => w);
  const falseWords = [...words].filter(([, b]) => !b).map(([w]) => w);
  const expected = `expected one of ${trueWords.join('/')} or ${falseWords.join('/')}`;

  return (v, f) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' || typeof v === 'number') {
      const key = typeof v === 'string' ? v.trim().toLowerCase() : String(v);
      const b = words.get(key);
      if (b !== undefined) return b;
      if (key === '') return null;
    }
    throw transformError(`${describeValue(v)} is not a yes/no value (${expected})`, f, 'invalid_boolean');
  };
};
