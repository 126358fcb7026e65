import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { compileMapping, compilePath, compileTemplate } from '../../src/core/mapper.ts';

/** The ValidationError compiling `fields` throws. */
function configErrorOf(fields: unknown[]): ValidationError {
  try {
    compileMapping(fields as Parameters<typeof compileMapping>[0]);
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err;
  }
  assert.fail('compiled without error');
}

describe('mapper edges', () => {
  test("a string's characters are no fields of a path", () => {
    assert.equal(compilePath('a.0')({ a: 'xyz' }), undefined);
    assert.equal(compilePath('a.length')({ a: 'xyz', 'a.length': 2 }), 2);
  });

  test('a template writes a big integer as its digits', () => {
    assert.equal(compileTemplate('#{n}')({ n: 12345678901234567890n }), '#12345678901234567890');
  });

  test('target errors carry the target in their details', () => {
    assert.deepEqual({ ...configErrorOf([{ target: 'a..b', value: 1 }]).details }, { target: 'a..b' });
    assert.deepEqual(
      {
        ...configErrorOf([
          { target: 'a', value: 1 },
          { target: 'a', value: 2 },
        ]).details,
      },
      { target: 'a' },
    );
    assert.deepEqual(
      {
        ...configErrorOf([
          { target: 'a', value: 1 },
          { target: 'a.b', value: 2 },
        ]).details,
      },
      { target: 'a.b' },
    );
  });

  test('a field that is no object, or breaks several rules, is a configuration error listing them all', () => {
    assert.match(configErrorOf([null]).message, /^field 1: /);
    const e = configErrorOf([{ from: 1 }]);
    const issues = (e.details?.issues ?? []) as unknown[];
    assert.equal(e.message.split('; ').length, issues.length);
    assert.ok(issues.length >= 2);
  });
});
