import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { format, isValid, parse } from 'date-fns';
import fc from 'fast-check';
import { ValidationError } from '../../src/core/errors.ts';
import type { TransformInput } from '../../src/core/mapping-definition.ts';
import { compileDateFormatter, compileDateParser } from '../../src/core/transforms/date-pattern.ts';
import { scaled } from '../helpers/test-scale.ts';
import { assertFails, run } from './transform-helpers.ts';

const swiss: TransformInput = { type: 'date', input: 'dd.MM.yyyy' };
// Zones far from UTC on both sides: a result that depends on the server's zone shows up in one of them.
const ZONES = ['UTC', 'Europe/Zurich', 'America/Los_Angeles', 'Pacific/Kiritimati'];
const originalTz = process.env.TZ;
after(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('date', () => {
  test('reads Swiss dates and writes the output pattern', () => {
    assert.equal(run(swiss, '31.12.2025'), '2025-12-31');
    assert.equal(run(swiss, '1.2.2025'), '2025-02-01');
    assert.equal(run({ ...swiss, output: 'dd.MM.yyyy' }, '2025-12-31'), '31.12.2025');
    assert.equal(
      run({ type: 'date', input: 'dd.MM.yyyy', output: 'd. MMMM yyyy' }, '05.03.2025'),
      '5. March 2025',
    );
  });

  test('epoch-ms is midnight UTC of the calendar date in every server time zone', () => {
    for (const tz of ZONES) {
      process.env.TZ = tz;
      const t: TransformInput = { ...swiss, output: 'epoch-ms' };
      assert.equal(run(t, '31.12.2025'), Date.UTC(2025, 11, 31), tz);
      assert.equal(run(t, '2025-12-31'), Date.UTC(2025, 11, 31), tz);
      assert.equal(run(t, new Date(2025, 11, 31)), Date.UTC(2025, 11, 31), tz);
      assert.equal(run(t, new Date(2025, 11, 31, 23, 59)), Date.UTC(2025, 11, 31), tz);
    }
  });

  test('reads Dates, epoch milliseconds and ISO timestamps', () => {
    process.env.TZ = 'UTC';
    assert.equal(run({ type: 'date' }, new Date(Date.UTC(2024, 1, 29, 12))), '2024-02-29');
    assert.equal(run({ type: 'date' }, Date.UTC(2024, 1, 29)), '2024-02-29');
    assert.equal(run({ type: 'date' }, '2024-02-29T10:15:00Z'), '2024-02-29');
    assert.equal(
      run({ type: 'date', output: 'iso' }, '2024-02-29T10:15:00+01:00'),
      '2024-02-29T09:15:00.000Z',
    );
  });

  test("'iso' output is the instant of local midnight for date-only input", () => {
    for (const tz of ZONES) {
      process.env.TZ = tz;
      const out = run({ ...swiss, output: 'iso' }, '31.12.2025');
      assert.equal(out, new Date(2025, 11, 31).toISOString(), tz);
    }
  });

  test('fails impossible dates with invalid_date and says which pattern was expected', () => {
    assertFails(
      swiss,
      '31.02.2025',
      'invalid_date',
      "'31.02.2025' is not a valid date (expected dd.MM.yyyy)",
    );
    assertFails(swiss, '29.02.2025', 'invalid_date');
    assert.equal(run(swiss, '29.02.2024'), '2024-02-29');
    assertFails(swiss, '00.01.2025', 'invalid_date');
    assertFails(swiss, '12.13.2025', 'invalid_date');
    assertFails(
      { type: 'date' },
      '2025-02-31',
      'invalid_date',
      "'2025-02-31' is not a valid date (expected an ISO date such as 2025-12-31)",
    );
  });

  test('refuses two-digit years, garbage and non-dates rather than guessing', () => {
    assertFails(swiss, '31.12.25', 'invalid_date');
    assertFails(swiss, '31.12.2025 extra', 'invalid_date');
    // parseISO alone would read "12" as the 1200s.
    assertFails({ type: 'date' }, '12', 'invalid_date');
    assertFails({ type: 'date' }, 'tomorrow', 'invalid_date');
    assertFails({ type: 'date' }, true, 'invalid_date');
    assertFails({ type: 'date' }, Number.NaN, 'invalid_date');
    assertFails(
      { type: 'date' },
      new Date(Number.NaN),
      'invalid_date',
      'an invalid Date is not a valid date (expected an ISO date such as 2025-12-31)',
    );
  });

  test('a blank cell is null', () => {
    assert.equal(run(swiss, ' '), null);
  });

  test('refuses unusable patterns when compiled, naming the YYYY/DD mix-up', () => {
    assert.throws(() => run({ type: 'date', input: 'DD.MM.YYYY' }, '31.12.2025'), {
      name: 'ValidationError',
      message:
        "date transform: input pattern 'DD.MM.YYYY' uses Y or D; write yyyy for the year and dd for the day",
    });
    assert.throws(() => run({ type: 'date', output: 'yyyy-MM-dd bogus' }, '2025-01-01'), ValidationError);
    // Quoted text is literal, so a D inside quotes is fine.
    assert.equal(run({ type: 'date', output: "'Datum' dd.MM.yyyy" }, '2025-01-02'), 'Datum 02.01.2025');
  });
});

describe('compiled date patterns agree with date-fns', () => {
  const patterns = [
    'dd.MM.yyyy',
    'd.M.yyyy',
    'yyyy-MM-dd',
    'MM/dd/yyyy',
    'dd-MM-yyyy',
    'yyyy.MM.dd',
    'dd MM yyyy',
    'yyyyMMdd',
  ];
  const digitsOrSeparators = fc
    .array(fc.constantFrom('0', '1', '2', '3', '9', '.', '-', '/', ' '), { maxLength: 12 })
    .map((cs) => cs.join(''));
  const dateLike = fc
    .tuple(
      fc.nat(40),
      fc.constantFrom('.', '-', '/', ' '),
      fc.nat(14),
      fc.constantFrom('.', '-', '/', ' '),
      fc.nat(12000),
    )
    .chain(([a, s1, b, s2, c]) =>
      fc.constantFrom(
        `${a}${s1}${b}${s2}${c}`,
        `${c}${s1}${b}${s2}${a}`,
        `${String(a).padStart(2, '0')}${s1}${b}${s2}${c}`,
      ),
    );

  // Leap days of century years are where a calendar rule is most easily wrong (1900 no, 2000 yes).
  const centuryLeapDay = fc
    .integer({ min: 1, max: 99 })
    .chain((c) => fc.constantFrom(`29.02.${c * 100}`, `${c * 100}-02-29`, `02/29/${c * 100}`));

  test('parsing: same date or same refusal for any text', () => {
    process.env.TZ = 'Europe/Zurich';
    const texts = fc.oneof(digitsOrSeparators, dateLike, centuryLeapDay);
    fc.assert(
      fc.property(fc.constantFrom(...patterns), texts, (pattern, text) => {
        const ours = compileDateParser(pattern)(text);
        const theirs = parse(text, pattern, new Date(2000, 0, 1));
        assert.equal(ours?.getTime(), isValid(theirs) ? theirs.getTime() : undefined, `${pattern} ${text}`);
      }),
      { numRuns: scaled(3000) },
    );
  });

  test('formatting: same text for any date', () => {
    process.env.TZ = 'Europe/Zurich';
    const outputs = [...patterns, 'd. MMM yyyy', 'dd.MM.yy', 'yyyy'];
    const dates = fc.date({ min: new Date(-1000, 0, 1), max: new Date(12000, 0, 1), noInvalidDate: true });
    fc.assert(
      fc.property(fc.constantFrom(...outputs), dates, (pattern, d) => {
        assert.equal(compileDateFormatter(pattern)(d), format(d, pattern), pattern);
      }),
      { numRuns: scaled(3000) },
    );
  });
});
