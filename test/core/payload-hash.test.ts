import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, hashPayload } from '../../src/core/payload-hash.ts';

/** The same value with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    Object.defineProperty(out, key, {
      value: reverseKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

describe('canonicalJson', () => {
  test('sorts keys at every depth and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, 1], c: null } }), '{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  test('writes Dates as ISO strings and drops undefined like JSON.stringify', () => {
    const d = new Date(Date.UTC(2025, 11, 31));
    assert.equal(
      canonicalJson({ at: d, gone: undefined, list: [undefined, 1] }),
      '{"at":"2025-12-31T00:00:00.000Z","list":[null,1]}',
    );
    assert.equal(canonicalJson(undefined), 'null');
  });

  test('says the same as JSON.stringify, up to key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  test('refuses cyclic payloads with a TypeError', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    const message = /canonicalJson: nesting deeper than 100 levels \(a cycle\?\)/;
    assert.throws(() => canonicalJson(a), { name: 'TypeError', message });
    const list: unknown[] = [];
    list.push(list);
    assert.throws(() => canonicalJson(list), { name: 'TypeError', message }, 'a cycle through an array');
    const selfJson = { toJSON: () => selfJson };
    assert.throws(() => canonicalJson(selfJson), { name: 'TypeError', message }, 'toJSON returning itself');
  });
  test('accepts 100 levels of nesting and refuses the 101st', () => {
    const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);
    assert.equal(canonicalJson(nested(100)), `${'['.repeat(100)}1${']'.repeat(100)}`);
    assert.throws(() => canonicalJson(nested(101)), TypeError);
  });
  test('writes numbers JSON cannot hold as null and big integers as their digits', () => {
    assert.equal(
      canonicalJson({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 1.5 }),
      '{"a":null,"b":null,"c":1.5}',
    );
    assert.equal(canonicalJson({ n: 12345678901234567890n }), '{"n":12345678901234567890}');
    assert.equal(canonicalJson([true, false]), '[true,false]');
  });
});

describe('hashPayload', () => {
  test('is the SHA-256 hex digest of the canonical JSON', () => {
    const payload = { email: 'hans@muster.ch', n: 1 };
    assert.equal(hashPayload(payload), createHash('sha256').update(canonicalJson(payload)).digest('hex'));
    assert.match(hashPayload(payload), /^[0-9a-f]{64}$/);
  });

  test('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(hashPayload(reverseKeys(v)), hashPayload(v));
      }),
    );
  });

  test('changes when any one value changes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.string(),
        (payload, marker) => {
          const key = Object.keys(payload)[0] as string;
          const changed = { ...payload, [key]: { marker, was: payload[key] } };
          assert.notEqual(hashPayload(changed), hashPayload(payload));
        },
      ),
    );
  });

  test('a Date hashes like its ISO string and an undefined field like a missing one', () => {
    const d = new Date(Date.UTC(2025, 0, 1));
    assert.equal(hashPayload({ at: d, x: undefined }), hashPayload({ at: d.toISOString() }));
    assert.notEqual(hashPayload({ x: null }), hashPayload({}));
  });
});
