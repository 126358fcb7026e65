import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, nestsAtMost } from '../../src/core/json-depth.ts';

/** An object `levels` deep: `{ a: { a: … { a: 1 } } }`, arrays at odd levels. */
function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

test('Junction accepts JSON nested 64 levels deep', () => {
  assert.equal(MAX_JSON_DEPTH, 64);
  assert.equal(nestsAtMost(nested(64)), true);
  assert.equal(nestsAtMost(nested(65)), false);
});

test('scalars and null nest no level', () => {
  for (const v of [null, undefined, 0, 'text', true]) assert.equal(nestsAtMost(v, 0), true, String(v));
});

test('an object or array, even empty, is one level', () => {
  for (const v of [{}, [], { a: 1 }, [1, 'x']]) {
    assert.equal(nestsAtMost(v, 0), false, JSON.stringify(v));
    assert.equal(nestsAtMost(v, 1), true, JSON.stringify(v));
  }
});

test('the deepest branch counts, wherever it sits among its siblings', () => {
  const value = { a: 1, b: null, c: { d: [2, { e: {} }] }, f: 'x' };
  assert.equal(nestsAtMost(value, 5), true);
  assert.equal(nestsAtMost(value, 4), false);
  assert.equal(nestsAtMost([[], 1, [[[]]]], 4), true);
  assert.equal(nestsAtMost([[], 1, [[[]]]], 3), false);
});

test('a hostile value 10 000 levels deep is measured without overflowing the stack', () => {
  assert.equal(nestsAtMost(nested(10_000)), false);
  assert.equal(nestsAtMost(nested(10_000), 10_000), true);
});
