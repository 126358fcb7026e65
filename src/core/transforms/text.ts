import type { Transform } from '../mapping-definition.ts';
import { describeValue, isEmptyValue, type TransformFn, toText, transformError } from './shared.ts';

type Of<K extends Transform['type']> = Extract<Transform, { type: K }>;

/** `trim`: strips leading and trailing whitespace. */
export const trim =
  (_t: Of<'trim'>): TransformFn =>
  (v, f) =>
    toText(v, f, 'trim').trim();

/** `lower`: lower-cases text. */
export const lower =
  (_t: Of<'lower'>): TransformFn =>
  (v, f) =>
    toText(v, f, 'lower').toLowerCase();

/** `upper`: upper-cases text. */
export const upper =
  (_t: Of<'upper'>): TransformFn =>
  (v, f) =>
    toText(v, f, 'upper').toUpperCase();

/** `default`: replaces null, undefined and '' by a constant (the one transform that sees empty values). */
export const fallback = (t: Of<'default'>): TransformFn => {
  const constant = t.value;
  return (v) => (isEmptyValue(v) ? constant : v);
};

/** `split`: keeps one part of a split string; a missing part is null (nothing there, not an error). */
export const split = (t: Of<'split'>): TransformFn => {
  const { separator, index } = t;
  return (v, f) => {
    const parts = toText(v, f, 'split').split(separator);
    return parts.at(index) ?? null;
  };
};

/** `truncate`: cuts text to `length` characters, counting code points so no emoji is cut in half. */
export const truncate = (t: Of<'truncate'>): TransformFn => {
  const { length } = t;
  return (v, f) => {
    const text = toText(v, f, 'truncate');
    // UTF-16 length is an upper bound of the code point count: short strings need no work.
    if (text.length <= length) return text;
    let out = '';
    let count = 0;
    for (const ch of text) {
      if (count === length) break;
      out += ch;
      count++;
    }
    return out;
  };
};

const MAX_KEYS_IN_MESSAGE = 5;

/**
 * `valueMap`: looks a value up by its text form (numbers and booleans as `String(value)`, so a table
 * written as JSON with string keys matches numeric source codes). Unmapped values take `default`, fail
 * with `value_not_mapped` when `strict`, and otherwise pass through unchanged.
 */
export const valueMap = (t: Of<'valueMap'>): TransformFn => {
  // A Map, not the object, so keys such as 'constructor' or '__proto__' are looked up safely.
  const table = new Map<string, unknown>(Object.entries(t.map));
  const { strict } = t;
  const fallbackValue = t.default;
  const known = [...table.keys()].slice(0, MAX_KEYS_IN_MESSAGE).map((k) => `'${k}'`);
  const knownText = known.join(', ') + (table.size > MAX_KEYS_IN_MESSAGE ? ', ...' : '');
  return (v, f) => {
    const key =
      typeof v === 'string'
        ? v
        : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
          ? String(v)
          : undefined;
    if (key !== undefined && table.has(key)) return table.get(key);
    if (strict) {
      throw transformError(
        `${describeValue(v)} has no entry in the value map (known: ${knownText || 'none'})`,
        f,
        'value_not_mapped',
      );
    }
    return fallbackValue !== undefined ? fallbackValue : v;
  };
};
