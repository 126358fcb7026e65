import { TransformError } from '../errors.ts';

/** A compiled transform: turns one field value into another, or throws TransformError. */
export type TransformFn = (value: unknown, field: string) => unknown;

/** Every code a transform or the mapper puts on a TransformError, so UIs and logs can rely on them. */
export const TRANSFORM_ERROR_CODES = [
  'transform_failed',
  'invalid_type',
  'invalid_date',
  'invalid_number',
  'invalid_boolean',
  'value_not_mapped',
  'invalid_email',
  'invalid_phone',
  'required_field_missing',
] as const;
/** One of TRANSFORM_ERROR_CODES. */
export type TransformErrorCode = (typeof TRANSFORM_ERROR_CODES)[number];

/** Builds the TransformError a transform throws (kept as one place so codes stay in the list above). */
export function transformError(message: string, field: string, code: TransformErrorCode): TransformError {
  return new TransformError(message, field, code);
}

/** Shows a value inside an error message the way a user typed it: strings quoted, the rest as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/**
 * The text form of a value for the text transforms. Numbers and booleans are read as their text (a
 * numeric column that gets `trim` is a harmless misconfiguration); dates and objects are refused because
 * their text form is never what a user means.
 */
export function toText(value: unknown, field: string, transform: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  throw transformError(`${transform} needs text, got ${describeValue(value)}`, field, 'invalid_type');
}

/** True for the values a `required` field or the `default` transform treats as "no value". */
export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}
