import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError, TransformError, ValidationError } from '../../src/core/errors.ts';
import { compileMapping, compilePath, compileTemplate } from '../../src/core/mapper.ts';

/** The ValidationError compiling `fields` throws. */
function configErrorOf(fields: Parameters<typeof compileMapping>[0]): ValidationError {
  try {
    compileMapping(fields);
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err;
  }
  assert.fail('compiled without error');
}

describe('mapper: reading values', () => {
  test('a one-segment path reads only own properties', () => {
    const read = compilePath('toString');
    assert.equal(read({}), undefined);
    assert.equal(read({ toString: 'x' }), 'x');
  });

  test('a dotted path falls back to the flat key when a middle segment is missing', () => {
    const read = compilePath('a.b.c');
    assert.equal(read({ a: { b: { c: 1 } } }), 1);
    assert.equal(read({ a: { x: 1 }, 'a.b.c': 2 }), 2);
    assert.equal(read({ a: 'text', 'a.b.c': 3 }), 3, 'a string has no fields');
    assert.equal(read({ a: null }), undefined);
  });

  test('templates write dates as ISO text, invalid dates as nothing, objects as JSON, others as text', () => {
    const read = compileTemplate('{d}|{bad}|{o}|{b}|{n}');
    assert.equal(
      read({ d: new Date(Date.UTC(2025, 0, 2)), bad: new Date(Number.NaN), o: { a: [1] }, b: false, n: 0 }),
      '2025-01-02T00:00:00.000Z||{"a":[1]}|false|0',
    );
    assert.equal(compileTemplate('  {a}\n\t{b}  ')({ a: 'x', b: 'y' }), 'x y');
    assert.equal(compileTemplate('{a}')({ a: 'x' }), 'x');
    assert.equal(compileTemplate('lit')({}), 'lit');
  });

  test('template errors name the template and the offset of the bad brace', () => {
    const e1 = configErrorOf([{ target: 'x', template: 'ab {c' }]);
    assert.equal(e1.message, 'template "ab {c": unclosed or empty placeholder at position 3');
    assert.deepEqual(e1.details, { template: 'ab {c', position: 3 });
    const e2 = configErrorOf([{ target: 'x', template: 'a {b} }' }]);
    assert.equal(e2.message, `template "a {b} }": unmatched '}' at position 6 (write '}}' for a brace)`);
    assert.deepEqual(e2.details, { template: 'a {b} }', position: 6 });
    assert.match(
      configErrorOf([{ target: 'x', template: '{ }' }]).message,
      /empty placeholder at position 0/,
    );
  });

  test('formulas read the record, the run time and the task parameters', () => {
    const map = compileMapping([
      { target: 'tenant', formula: "param('tenant')" },
      { target: 'when', formula: 'now()' },
      { target: 'name', formula: "concat(first, ' ', last)" },
    ]);
    const now = new Date('2025-05-05T05:05:05.000Z');
    assert.deepEqual(map({ first: 'Hans', last: 'Muster' }, { now, params: { tenant: 'acme' } }), {
      ok: true,
      payload: { tenant: 'acme', when: now, name: 'Hans Muster' },
    });
    const at = map({}).payload.when;
    assert.ok(
      at instanceof Date && Math.abs(at.getTime() - Date.now()) < 60_000,
      'without a context: the clock',
    );
  });

  test('a formula with an unknown function is a configuration error with its position', () => {
    const e = configErrorOf([{ target: 'x', formula: 'a = nope(1)' }]);
    assert.match(e.message, /^formula of 'x': unknown function 'nope' at position 4/);
    assert.deepEqual({ ...e.details }, { target: 'x', formula: 'a = nope(1)', position: 4 });
    const syntax = configErrorOf([{ target: 'y', formula: 'a = ' }]);
    assert.equal(syntax.details?.position, 4);
    assert.ok(syntax.cause instanceof Error);
  });
});

describe('mapper: targets and errors', () => {
  test('config errors name the field and the rule it breaks', () => {
    assert.equal(
      configErrorOf([
        { target: 'a', value: 1 },
        { target: 'a', value: 2 },
      ]).message,
      "target 'a' is mapped twice",
    );
    assert.equal(
      configErrorOf([
        { target: 'a.b.c', value: 1 },
        { target: 'a', value: 2 },
      ]).message,
      "target 'a.b.c' lies inside target 'a'",
    );
    for (const target of ['x.prototype', 'constructor', '.a', 'a.'])
      assert.equal(
        configErrorOf([{ target, value: 1 }]).message,
        `target '${target}' is not a usable field name`,
      );
    const invalid = configErrorOf([{ target: 'ok', value: 1 }, { target: 'b' }]);
    assert.match(invalid.message, /^field 2 'b': exactly one of/);
    assert.equal(invalid.details?.index, 1);
    assert.match(configErrorOf([{ value: 1 } as never]).message, /^field 1: /);
  });

  test('targets sharing a prefix that is no target of its own fill one object', () => {
    const map = compileMapping([
      { target: 'a.b.c', value: 1 },
      { target: 'a.b.d', value: 2 },
      { target: 'a.e', value: 3 },
      { target: 'ab', value: 4 },
    ]);
    assert.deepEqual(map({}).payload, { a: { b: { c: 1, d: 2 }, e: 3 }, ab: 4 });
  });

  test('an error reading a field fails that field with its code, and the others still map', () => {
    const record = { ok: 'yes' } as Record<string, unknown>;
    Object.defineProperty(record, 'plain', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    Object.defineProperty(record, 'text', {
      enumerable: true,
      get: () => {
        throw 'bang';
      },
    });
    Object.defineProperty(record, 'junction', {
      enumerable: true,
      get: () => {
        throw new NotFoundError('gone');
      },
    });
    Object.defineProperty(record, 'transform', {
      enumerable: true,
      get: () => {
        throw new TransformError('as is', 'elsewhere', 'own_code');
      },
    });
    const r = compileMapping([
      { target: 'p', from: 'plain' },
      { target: 't', from: 'text' },
      { target: 'j', from: 'junction' },
      { target: 'x', from: 'transform' },
      { target: 'ok', from: 'ok' },
    ])(record);
    assert.equal(r.ok, false);
    assert.deepEqual(r.payload, { ok: 'yes' });
    assert.deepEqual(!r.ok && r.errors.map((e) => [e.field, e.code, e.message]), [
      ['p', 'transform_failed', 'could not map p: boom'],
      ['t', 'transform_failed', 'could not map t: bang'],
      ['j', 'not_found', 'could not map j: gone'],
      ['elsewhere', 'own_code', 'as is'],
    ]);
  });

  test('a required field that is missing says so in its message', () => {
    const r = compileMapping([{ target: 'email', from: 'email', required: true }])({});
    assert.equal(!r.ok && r.errors[0]?.message, 'email is required but empty');
    assert.deepEqual(compileMapping([{ target: 'n', from: 'n', required: true }])({ n: 0 }), {
      ok: true,
      payload: { n: 0 },
    });
  });
});
