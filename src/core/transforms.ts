/**
 * Field transforms: one factory per transform type turns its configuration into a closure once, so the
 * per-record work is a plain function call. Every transform but `default` passes null and undefined
 * through untouched; failures throw TransformError with a code from TRANSFORM_ERROR_CODES.
 */
import { ValidationError } from './errors.ts';
import {
  type Transform,
  type TransformInput,
  TransformSchema,
  type TransformType,
} from './mapping-definition.ts';
import { boolean } from './transforms/boolean.ts';
import { email, phone } from './transforms/contact.ts';
import { date } from './transforms/date.ts';
import { number } from './transforms/number.ts';
import type { TransformFn } from './transforms/shared.ts';
import { fallback, lower, split, trim, truncate, upper, valueMap } from './transforms/text.ts';

export { DEFAULT_FALSE_WORDS, DEFAULT_TRUE_WORDS } from './transforms/boolean.ts';
export { isEmailAddress } from './transforms/contact.ts';
export { DATE_OUTPUTS } from './transforms/date.ts';
export { parseLocaleNumber } from './transforms/number.ts';
export {
  isEmptyValue,
  TRANSFORM_ERROR_CODES,
  type TransformErrorCode,
  type TransformFn,
} from './transforms/shared.ts';

type TransformFactories = { [K in TransformType]: (t: Extract<Transform, { type: K }>) => TransformFn };

/** The lookup table from transform type to its factory. */
export const TRANSFORM_FACTORIES: TransformFactories = {
  trim,
  lower,
  upper,
  default: fallback,
  date,
  number,
  boolean,
  valueMap,
  split,
  email,
  phone,
  truncate,
};

/**
 * Validates one transform configuration (filling the schema's defaults) and compiles it to a closure.
 * Throws ValidationError for a configuration no record could ever pass (bad date pattern, unknown country).
 */
export function compileTransform(input: TransformInput): TransformFn {
  const parsed = TransformSchema.safeParse(input);
  if (!parsed.success) {
    const type = (input as { type?: unknown } | null)?.type;
    throw new ValidationError(
      `invalid ${typeof type === 'string' ? `'${type}' ` : ''}transform: ${parsed.error.message}`,
      {
        details: { transform: input },
      },
    );
  }
  const t = parsed.data;
  const fn = (TRANSFORM_FACTORIES[t.type] as (t: Transform) => TransformFn)(t);
  if (t.type === 'default') return fn;
  return (value, field) => (value === null || value === undefined ? value : fn(value, field));
}

/** Compiles a transform list into one closure that runs them in order; null when the list is empty. */
export function compileTransforms(list: readonly TransformInput[]): TransformFn | null {
  const fns = list.map(compileTransform);
  if (fns.length === 0) return null;
  if (fns.length === 1) return fns[0] ?? null;
  return (value, field) => {
    let v = value;
    for (const fn of fns) v = fn(v, field);
    return v;
  };
}

// applyTransform is the one-off convenience; caching by configuration object keeps repeated calls cheap.
const compiled = new WeakMap<object, TransformFn>();

/**
 * Applies one transform to one value, e.g. `applyTransform({ type: 'date', input: 'dd.MM.yyyy',
 * output: 'epoch-ms' }, '31.12.2025', 'birthdate')`. Throws TransformError naming `field` on failure.
 */
export function applyTransform(t: TransformInput, value: unknown, field: string): unknown {
  let fn = compiled.get(t);
  if (!fn) {
    fn = compileTransform(t);
    compiled.set(t, fn);
  }
  return fn(value, field);
}
