import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError } from '../../src/core/errors.ts';
import { Duration, evaluate, matches, parseExpression } from '../../src/core/expression/index.ts';

const NOW = new Date('2025-03-10T14:30:00.000Z');
const run = (source: string, record: Record<string, unknown> = {}) =>
  evaluate(parseExpression(source), { record, now: NOW });
const accepts = (source: string, record: Record<string, unknown> = {}) =>
  matches(parseExpression(source), { record, now: NOW });

describe('expression evaluation: null semantics', () => {
  test('comparisons and arithmetic with null are null', () => {
    for (const source of [
      'x = 1',
      'x != 1',
      'x < 1',
      '1 >= x',
      'x = null',
      'null = null',
      'x + 1',
      '-x',
      "x like 'a'",
    ]) {
      assert.equal(run(source), null, source);
    }
  });

  test('and/or/not follow three-valued logic', () => {
    assert.equal(run('null and false'), false);
    assert.equal(run('false and null'), false);
    assert.equal(run('null and true'), null);
    assert.equal(run('null or true'), true);
    assert.equal(run('true or null'), true);
    assert.equal(run('null or false'), null);
    assert.equal(run('not null'), null);
    assert.equal(run('not (x = 1)', { x: 2 }), true);
  });

  test('matches accepts only exactly true (or 1), never null or false', () => {
    assert.equal(accepts('x = 1', { x: 1 }), true);
    assert.equal(accepts('x = 1'), false);
    assert.equal(accepts('not (x = 1)'), false);
    assert.equal(accepts('flag', { flag: 1 }), true);
    assert.equal(accepts('flag', { flag: 'yes' }), false);
  });

  test('in with a null in the list is null unless a value matches', () => {
    assert.equal(run('1 in (2, null)'), null);
    assert.equal(run('1 in (1, null)'), true);
    assert.equal(run('1 not in (2, null)'), null);
    assert.equal(run('1 not in (2, 3)'), true);
    assert.equal(run('null in (1)'), null);
  });

  test('is null and is not null see missing fields as null', () => {
    assert.equal(run('email is null', {}), true);
    assert.equal(run('email is not null', { email: '' }), true);
    assert.equal(run('email is null', { email: undefined }), true);
  });

  test('?? takes the first value that is not null', () => {
    const record = { email_newsletter: null, email_business: 'b@x.ch', email: 'e@x.ch' };
    assert.equal(run('email_newsletter ?? email_business ?? email', record), 'b@x.ch');
    assert.equal(run('a ?? b'), null);
    assert.equal(run("'' ?? 'x'"), '');
  });
});

describe('expression evaluation: values from databases', () => {
  test('1 and 0 equal true and false, as SQLite stores booleans', () => {
    assert.equal(run('active = true', { active: 1 }), true);
    assert.equal(run('active = false', { active: 0 }), true);
    assert.equal(run('active = true', { active: 0 }), false);
    assert.equal(run('active and not archived', { active: 1, archived: 0 }), true);
  });

  test('a Date compares by time with another Date, ISO text and now() - 7d', () => {
    const pgRow = { modified_at: new Date('2025-03-05T00:00:00.000Z') };
    const sqliteRow = { modified_at: '2025-03-05T00:00:00.000Z' };
    for (const record of [pgRow, sqliteRow]) {
      assert.equal(run('modified_at > now() - 7d', record), true);
      assert.equal(run('modified_at > now() - 5d', record), false);
      assert.equal(
        run("modified_at = '2025-03-05T01:00:00+01:00'", { modified_at: new Date(record.modified_at) }),
        true,
      );
      assert.equal(run('modified_at >= date(2025, 3, 5)', record), true);
    }
    assert.equal(run('d = date(2025, 3, 5)', { d: '2025-03-05' }), true, 'date-only text is midnight UTC');
    assert.equal(run('d > now()', { d: 'soon' }), null, 'text that is no date does not compare with a date');
    assert.equal(run('d > now()', { d: 5 }), null);
  });

  test('numbers compare with numeric text but not with other text', () => {
    assert.equal(run("n = '5'", { n: 5 }), true);
    assert.equal(run("n < 'abc'", { n: 5 }), null);
    assert.equal(run("'b' > 'a'"), true);
    assert.equal(run("'B' < 'a'"), true, 'text compares by code point, as SQLite does');
    assert.equal(run("'abc' = 'ABC'"), false);
  });

  test('paths read nested objects and fall back to a flat dotted key, never the prototype', () => {
    assert.equal(run('address.city', { address: { city: 'Bern' } }), 'Bern');
    assert.equal(run('address.city', { 'address.city': 'Basel' }), 'Basel');
    assert.equal(run('address.city', { address: {}, 'address.city': 'Chur' }), 'Chur');
    assert.equal(run('a.constructor', { a: {} }), null);
    assert.equal(run('constructor'), null);
    assert.equal(run('"odd col"', { 'odd col': 7 }), 7);
  });
});

describe('expression evaluation: operators', () => {
  test('arithmetic follows precedence and division by zero is null', () => {
    assert.equal(run('1 + 2 * 3 - 4 / 2'), 5);
    assert.equal(run('7 / 2'), 3.5);
    assert.equal(run('x / 0', { x: 3 }), null);
    assert.equal(run('-x', { x: 3 }), -3);
    assert.equal(run("'a' + 1"), null);
  });

  test('dates move by durations; other date arithmetic is null', () => {
    assert.deepEqual(run('now() - 7d'), new Date('2025-03-03T14:30:00.000Z'));
    assert.deepEqual(run('now() + 12h + 30m + 45s'), new Date('2025-03-11T03:00:45.000Z'));
    assert.deepEqual(run('1d + d', { d: '2025-01-01' }), new Date('2025-01-02T00:00:00.000Z'));
    assert.deepEqual(run('-1h'), new Duration(-3_600_000));
    assert.equal(run('1d - now()'), null);
    assert.equal(run('now() * 2'), null);
    assert.equal(run('now() + 1'), null);
    assert.equal(run('7d > 1h'), true);
  });

  test('like is case-insensitive with % and _ and a backslash escape', () => {
    assert.equal(run("'Anna@Example.CH' like '%@example.ch'"), true);
    assert.equal(run("'Zürich' like 'z_rich'"), true);
    assert.equal(run("'ZÜRICH' like 'zü%'"), true);
    assert.equal(run("'abc' like 'a_'"), false);
    assert.equal(run("'a_c' like 'a\\_c'"), true);
    assert.equal(run("'abc' like 'a\\_c'"), false);
    assert.equal(run("'100%' like '100\\%'"), true);
    assert.equal(run("'a.c' like 'a.c'"), true);
    assert.equal(run("'abc' like 'a.c'"), false, 'regex characters are literal');
    assert.equal(run("'line\nbreak' like 'line%'"), true);
    assert.equal(run("'a\\' like 'a\\'"), false, 'a pattern ending in a lone escape matches nothing');
    assert.equal(run("'abc' not like 'x%'"), true);
  });
});

describe('expression evaluation: functions', () => {
  test('text functions', () => {
    assert.equal(run("lower('ÄBC')"), 'äbc');
    assert.equal(run("upper('äbc')"), 'ÄBC');
    assert.equal(run("trim(' \t a b \n')"), 'a b');
    assert.equal(run("length('Zürich')"), 6);
    assert.equal(run("length('😀')"), 1, 'length counts characters, not UTF-16 units');
    assert.equal(run("concat('a', null, 1, true)"), 'a1true');
    assert.equal(run("left('Zürich', 2)"), 'Zü');
    assert.equal(run("left('abc', -1)"), '');
    assert.equal(run("replace('a-b-c', '-', '+')"), 'a+b+c');
    assert.equal(run("replace('abc', '', 'x')"), 'abc');
    assert.equal(run('lower(x)'), null);
    assert.equal(run("replace('abc', null, 'x')"), null);
  });

  test('coalesce and if', () => {
    assert.equal(run("coalesce(a, b, 'z')", { b: 'y' }), 'y');
    assert.equal(run("coalesce(email_newsletter, '') != ''", { email_newsletter: null }), false);
    assert.equal(
      run('if(address_type = 0, company, last_name)', {
        address_type: 0,
        company: 'ACME',
        last_name: 'Muster',
      }),
      'ACME',
    );
    assert.equal(
      run('if(address_type = 0, company, last_name)', {
        address_type: 1,
        company: 'ACME',
        last_name: 'Muster',
      }),
      'Muster',
    );
    assert.equal(run("if(null, 'a', 'b')"), 'b');
  });

  test('date functions use the injected now, in UTC', () => {
    assert.deepEqual(run('now()'), NOW);
    assert.deepEqual(run('today()'), new Date('2025-03-10T00:00:00.000Z'));
    assert.deepEqual(run('date(2024, 2, 29)'), new Date('2024-02-29T00:00:00.000Z'));
    assert.equal(run('date(2023, 2, 29)'), null);
    assert.equal(run('date(2023, 13, 1)'), null);
    assert.deepEqual(
      run('add_days(d, -2)', { d: '2025-03-01T10:00:00.000Z' }),
      new Date('2025-02-27T10:00:00.000Z'),
    );
    assert.deepEqual(
      run('end_of_day(d)', { d: new Date('2025-03-01T10:00:00.000Z') }),
      new Date('2025-03-01T23:59:59.999Z'),
    );
    assert.equal(
      run('end_of_day(modified_at) > date(2022, 1, 1)', { modified_at: '2021-12-31T23:00:00Z' }),
      false,
    );
  });

  test('evaluating an unknown function throws ExpressionError with its position', () => {
    assert.throws(
      () => run('x = nope(1)'),
      (err) => err instanceof ExpressionError && err.details?.position === 4,
    );
  });
});
