import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../../src/core/errors.ts';
import { TRANSFORM_TYPES, type TransformInput } from '../../src/core/mapping-definition.ts';
import { applyTransform, compileTransforms, parseLocaleNumber } from '../../src/core/transforms.ts';
import { assertFails, run } from './transform-helpers.ts';

// One working configuration per transform type; the first test makes sure a new type gets one.
const SAMPLES: Record<string, TransformInput> = {
  trim: { type: 'trim' },
  lower: { type: 'lower' },
  upper: { type: 'upper' },
  default: { type: 'default', value: 'n/a' },
  date: { type: 'date', input: 'dd.MM.yyyy' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  valueMap: { type: 'valueMap', map: { a: 1 }, strict: true },
  split: { type: 'split', separator: ' ' },
  email: { type: 'email' },
  phone: { type: 'phone' },
  truncate: { type: 'truncate', length: 3 },
};

describe('every transform', () => {
  test('passes null and undefined through untouched, except default', () => {
    assert.deepEqual(Object.keys(SAMPLES).sort(), [...TRANSFORM_TYPES].sort());
    for (const [type, t] of Object.entries(SAMPLES)) {
      if (type === 'default') continue;
      assert.equal(run(t, null), null, type);
      assert.equal(run(t, undefined), undefined, type);
    }
  });

  test('refuses an invalid configuration with ValidationError before any record is seen', () => {
    assert.throws(() => run({ type: 'truncate', length: 0 }, 'x'), ValidationError);
    assert.throws(() => run({ type: 'nope' } as unknown as TransformInput, 'x'), ValidationError);
    assert.throws(
      () => run({ type: 'phone', defaultCountry: 'XX' }, '044 668 18 00'),
      /unknown country 'XX'/,
    );
  });

  test('a transform list runs in order, each on the previous output', () => {
    const fn = compileTransforms([
      { type: 'trim' },
      { type: 'split', separator: ' ', index: -1 },
      { type: 'upper' },
    ]);
    assert.equal(fn?.('  Hans Peter Muster ', 'f'), 'MUSTER');
    assert.equal(compileTransforms([]), null);
  });
});

describe('text transforms', () => {
  test('trim, lower and upper change strings and read numbers as their text', () => {
    assert.equal(run({ type: 'trim' }, '  Zürich \t'), 'Zürich');
    assert.equal(run({ type: 'lower' }, 'ÄBC'), 'äbc');
    assert.equal(run({ type: 'upper' }, 'straße'), 'STRASSE');
    assert.equal(run({ type: 'trim' }, 42), '42');
  });

  test('text transforms refuse objects and dates with invalid_type', () => {
    assertFails({ type: 'trim' }, { a: 1 }, 'invalid_type', 'trim needs text, got {"a":1}');
    assertFails({ type: 'upper' }, new Date(0), 'invalid_type');
  });

  test('default fills null, undefined and empty text but keeps 0 and false', () => {
    const t: TransformInput = { type: 'default', value: 'unknown' };
    for (const empty of [null, undefined, '']) assert.equal(run(t, empty), 'unknown');
    assert.equal(run(t, 0), 0);
    assert.equal(run(t, false), false);
    assert.equal(run(t, ' '), ' ');
  });

  test('split keeps the requested part, counts negative indexes from the end, and gives null past the end', () => {
    assert.equal(run({ type: 'split', separator: ',' }, 'a,b,c'), 'a');
    assert.equal(run({ type: 'split', separator: ',', index: 1 }, 'a,b,c'), 'b');
    assert.equal(run({ type: 'split', separator: ',', index: -1 }, 'a,b,c'), 'c');
    assert.equal(run({ type: 'split', separator: ',', index: 3 }, 'a,b,c'), null);
  });

  test('truncate counts characters, never cutting an emoji in half', () => {
    assert.equal(run({ type: 'truncate', length: 5 }, 'Grüezi mitenand'), 'Grüez');
    assert.equal(run({ type: 'truncate', length: 3 }, 'ab'), 'ab');
    assert.equal(run({ type: 'truncate', length: 2 }, '👍👍👍'), '👍👍');
  });
});

describe('number', () => {
  test('reads Swiss, German and plain notations', () => {
    const cases: [string | number, '.' | ',', number][] = [
      [12.5, '.', 12.5],
      ["1'234.50", '.', 1234.5],
      ['1’234.50', '.', 1234.5],
      ['1 234,50', ',', 1234.5],
      ['1.234,50', ',', 1234.5],
      ['1,234.50', '.', 1234.5],
      ['-12', '.', -12],
      ['+7', '.', 7],
      ['\u22123.5', '.', -3.5],
      ["1'000'000", '.', 1_000_000],
      ['  42  ', '.', 42],
      ['12.–', '.', 12],
      ['0.001', '.', 0.001],
    ];
    for (const [input, decimal, expected] of cases) {
      assert.equal(run({ type: 'number', decimal }, input), expected, `${input} (${decimal})`);
    }
  });

  test('fails garbage with invalid_number and a message naming the value', () => {
    assertFails(
      { type: 'number' },
      'abc',
      'invalid_number',
      "'abc' is not a valid number (expected e.g. 1'234.50)",
    );
    assertFails(
      { type: 'number', decimal: ',' },
      '1,2,3',
      'invalid_number',
      "'1,2,3' is not a valid number (expected e.g. 1.234,50)",
    );
    // With decimal '.', "1,5" is not silently read as 15.
    for (const bad of ['1,5', "12'34", '1.2.3', 'CHF 12', '12 CHF', '--1', '1e5', '.']) {
      assertFails({ type: 'number' }, bad, 'invalid_number');
    }
    assertFails({ type: 'number' }, Number.NaN, 'invalid_number');
    assertFails({ type: 'number' }, true, 'invalid_number');
  });

  test('a blank cell is no value (null), not a bad one', () => {
    assert.equal(run({ type: 'number' }, '   '), null);
  });

  test('round-trips amounts formatted by Intl in de-CH, fr-CH and de-DE', () => {
    const locales = [
      ['de-CH', '.'],
      ['fr-CH', ','],
      ['de-DE', ','],
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom(...locales),
        (cents, [locale, decimal]) => {
          const amount = cents / 100;
          const text = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 }).format(amount);
          assert.equal(parseLocaleNumber(text, decimal), amount, text);
        },
      ),
    );
  });

  test('reads the typographic apostrophe newer ICU versions write for de-CH', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (n) => {
        const text = n.toLocaleString('en-US').replaceAll(',', '’');
        assert.equal(parseLocaleNumber(text), n);
      }),
    );
  });
});

describe('boolean', () => {
  test('reads yes/no words in German, French, Italian and English, ticks and 1/0', () => {
    for (const yes of ['ja', 'Ja', 'JA', 'yes', 'true', 'oui', 'si', 'x', 'X', '1', 1, true, ' ja ']) {
      assert.equal(run({ type: 'boolean' }, yes), true, String(yes));
    }
    for (const no of ['nein', 'no', 'false', 'non', '0', 0, false]) {
      assert.equal(run({ type: 'boolean' }, no), false, String(no));
    }
  });

  test('fails other values with invalid_boolean', () => {
    assertFails({ type: 'boolean' }, 'vielleicht', 'invalid_boolean');
    assertFails({ type: 'boolean' }, 2, 'invalid_boolean');
    assertFails({ type: 'boolean' }, { a: 1 }, 'invalid_boolean');
  });

  test('the refusal lists the words that are read as true and as false, configured ones as read', () => {
    assertFails(
      { type: 'boolean' },
      'vielleicht',
      'invalid_boolean',
      "'vielleicht' is not a yes/no value (expected one of true/yes/y/ja/j/oui/si/sì/on/wahr/1/x or false/no/n/nein/non/off/falsch/0)",
    );
    assertFails(
      { type: 'boolean', true: [' Aktiv '], false: ['Inaktiv'] },
      'ja',
      'invalid_boolean',
      "'ja' is not a yes/no value (expected one of aktiv or inaktiv)",
    );
  });

  test('configured word lists replace that side of the defaults and win over the other side', () => {
    const t: TransformInput = { type: 'boolean', true: ['Aktiv'], false: ['Inaktiv', ''] };
    assert.equal(run(t, 'aktiv'), true);
    assert.equal(run(t, 'INAKTIV'), false);
    assert.equal(run(t, ''), false);
    assertFails(t, 'ja', 'invalid_boolean');
    const onlyTrue: TransformInput = { type: 'boolean', true: ['0'] };
    assert.equal(run(onlyTrue, '0'), true);
    assert.equal(run(onlyTrue, 'nein'), false);
  });

  test('a blank cell is null unless the empty word is configured', () => {
    assert.equal(run({ type: 'boolean' }, ''), null);
  });
});

describe('valueMap', () => {
  const cantons = { ZH: 'Zürich', BE: 'Bern', '1': 'eins' };

  test('looks up text, and numbers by their text form', () => {
    assert.equal(run({ type: 'valueMap', map: cantons }, 'ZH'), 'Zürich');
    assert.equal(run({ type: 'valueMap', map: cantons }, 1), 'eins');
  });

  test('unmapped values pass through, or take default when one is given', () => {
    assert.equal(run({ type: 'valueMap', map: cantons }, 'GE'), 'GE');
    assert.equal(run({ type: 'valueMap', map: cantons, default: 'other' }, 'GE'), 'other');
  });

  test('strict fails unmapped values with value_not_mapped, listing known keys', () => {
    assertFails(
      { type: 'valueMap', map: cantons, strict: true },
      'GE',
      'value_not_mapped',
      "'GE' has no entry in the value map (known: '1', 'ZH', 'BE')",
    );
  });

  test('does not find inherited keys such as constructor', () => {
    assertFails({ type: 'valueMap', map: {}, strict: true }, 'constructor', 'value_not_mapped');
  });
});

describe('email', () => {
  test('trims and lower-cases valid addresses', () => {
    assert.equal(run({ type: 'email' }, '  Hans.Muster@Example.CH '), 'hans.muster@example.ch');
    assert.equal(run({ type: 'email' }, 'a+tag@sub.domain.co.uk'), 'a+tag@sub.domain.co.uk');
    assert.equal(run({ type: 'email' }, 'info@müller.ch'), 'info@müller.ch');
  });

  test('fails non-addresses with invalid_email', () => {
    assertFails({ type: 'email' }, 'hans@', 'invalid_email', "'hans@' is not a valid e-mail address");
    const bad = [
      'hans',
      '@example.ch',
      'hans@example',
      'hans muster@example.ch',
      'a..b@example.ch',
      '.a@example.ch',
      'a@-x.ch',
      'a@x.c',
      'a@b@c.ch',
      `${'a'.repeat(65)}@example.ch`,
    ];
    for (const b of bad) assertFails({ type: 'email' }, b, 'invalid_email');
  });

  test('a blank cell is null', () => {
    assert.equal(run({ type: 'email' }, '  '), null);
  });
});

describe('phone', () => {
  test('normalises Swiss national and international forms to E.164', () => {
    assert.equal(run({ type: 'phone' }, '044 668 18 00'), '+41446681800');
    assert.equal(run({ type: 'phone' }, '0041 79 123 45 67'), '+41791234567');
    assert.equal(run({ type: 'phone' }, '+41 (0)79 123 45 67'), '+41791234567');
    assert.equal(run({ type: 'phone' }, '+49 30 12345678'), '+493012345678');
  });

  test('reads national numbers as numbers of defaultCountry', () => {
    assert.equal(run({ type: 'phone', defaultCountry: 'DE' }, '030 12345678'), '+493012345678');
  });

  test('fails non-numbers with invalid_phone', () => {
    assertFails(
      { type: 'phone' },
      '123',
      'invalid_phone',
      "'123' is not a valid phone number (national numbers are read as CH)",
    );
    for (const bad of ['abc', '+41 00 000 00 00', '+41 79 123 45 67 89 00'])
      assertFails({ type: 'phone' }, bad, 'invalid_phone');
  });
});

test('applyTransform reports the field it was given', () => {
  assert.throws(() => applyTransform({ type: 'email' }, 'nope', 'contact.email'), { field: 'contact.email' });
});
