// Shared by the transform tests: run one transform, or assert how it fails.
import assert from 'node:assert/strict';
import { TransformError } from '../../src/core/errors.ts';
import type { TransformInput } from '../../src/core/mapping-definition.ts';
import { applyTransform } from '../../src/core/transforms.ts';

export const run = (t: TransformInput, value: unknown): unknown => applyTransform(t, value, 'field');

/** Asserts that the transform throws TransformError for `field` with `code` (and `message`, if given). */
export function assertFails(t: TransformInput, value: unknown, code: string, message?: string): void {
  assert.throws(
    () => applyTransform(t, value, 'field'),
    (err: unknown) => {
      assert.ok(err instanceof TransformError, `expected TransformError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.equal(err.field, 'field');
      if (message !== undefined) assert.equal(err.message, message);
      return true;
    },
  );
}
