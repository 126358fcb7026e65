/**
 * Change detection: a payload's hash is stored on its SyncLink; an equal hash on the next run means the
 * target already holds this payload and no write is needed. The hash therefore must not depend on key
 * order or on how a value was built, only on what JSON.stringify would send.
 */
import * as crypto from 'node:crypto';

// A payload is a shallow tree; anything deeper is a cycle or a bug, reported instead of overflowing.
const MAX_DEPTH = 100;

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units) at every depth, values written as
 * JSON.stringify writes them (toJSON honoured, so Dates become ISO strings; undefined, functions and
 * symbols dropped from objects and written as null in arrays), bigints as plain JSON numbers.
 * Throws TypeError for cycles and nesting deeper than 100 levels.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0) ?? 'null';
}

function write(value: unknown, depth: number): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    // Stryker disable next-line ConditionalExpression: equivalent — without this case a boolean falls through to bigint's toString(), which also gives 'true'/'false'
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined; // undefined, function, symbol
  }
  if (depth >= MAX_DEPTH)
    throw new TypeError(`canonicalJson: nesting deeper than ${MAX_DEPTH} levels (a cycle?)`);
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return write(obj.toJSON(), depth + 1);
  if (Array.isArray(obj)) {
    let out = '[';
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out += ',';
      out += write(obj[i], depth + 1) ?? 'null';
    }
    return `${out}]`;
  }
  const record = obj as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const v = write(record[key], depth + 1);
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${v}`;
  }
  return `${out}}`;
}

// crypto.hash (Node >= 20.12, and package.json asks for >= 20.18) skips the Hash object: about twice as
// fast for small inputs.
const sha256Hex = (text: string): string => crypto.hash('sha256', text, 'hex');

/** SHA-256 (hex) of the payload's canonical JSON: equal payloads hash equal whatever their key order. */
export function hashPayload(payload: unknown): string {
  return sha256Hex(canonicalJson(payload));
}
