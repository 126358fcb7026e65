import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TransformError, ValidationError } from '../../src/core/errors.ts';
import { compileMapping, type MapResult } from '../../src/core/mapper.ts';
import type { FieldMappingInput } from '../../src/core/mapping-definition.ts';
import { hashPayload } from '../../src/core/payload-hash.ts';
import { scaled } from '../helpers/test-scale.ts';

const codes = (r: MapResult) => (r.ok ? [] : r.errors.map((e) => [e.field, e.code]));

describe('sources', () => {
  test('from reads nested paths and falls back to a flat key with dots', () => {
    const map = compileMapping([
      { target: 'city', from: 'address.city' },
      { target: 'zip', from: 'address.zip' },
    ]);
    const r = map({ address: { city: 'Bern' }, 'address.zip': '3011' });
    assert.deepEqual(r, { ok: true, payload: { city: 'Bern', zip: '3011' } });
  });

  test('a nested null is the value, not a reason to try the flat key', () => {
    const map = compileMapping([{ target: 'city', from: 'address.city' }]);
    assert.deepEqual(map({ address: { city: null }, 'address.city': 'Bern' }).payload, { city: null });
  });

  test('a missing source field leaves the target out instead of clearing it', () => {
    const map = compileMapping([
      { target: 'phone', from: 'phone' },
      { target: 'name', from: 'name' },
    ]);
    assert.deepEqual(map({ name: 'Muster' }), { ok: true, payload: { name: 'Muster' } });
  });

  test('inherited properties are not fields', () => {
    const map = compileMapping([
      { target: 'x', from: 'constructor' },
      { target: 'y', from: 'a.toString' },
    ]);
    assert.deepEqual(map({ a: {} }).payload, {});
  });

  test('value is a constant, copied per record when it is an object', () => {
    const map = compileMapping([
      { target: 'source', value: 'junction' },
      { target: 'tags', value: ['a'] },
    ]);
    const first = map({}).payload;
    (first.tags as string[]).push('mutated');
    assert.deepEqual(map({}).payload, { source: 'junction', tags: ['a'] });
  });

  test('template fills placeholders from paths, collapses whitespace and leaves missing values empty', () => {
    const map = compileMapping([
      { target: 'name', template: '{salutation} {first_name}  {middle_name} {last_name}' },
      { target: 'label', template: '{{{ company.name }}} #{id}' },
    ]);
    const r = map({
      first_name: ' Hans ',
      last_name: 'Muster',
      salutation: null,
      company: { name: 'ACME' },
      id: 7,
    });
    assert.deepEqual(r.payload, { name: 'Hans Muster', label: '{ACME} #7' });
  });

  test('a template with an unclosed, empty or stray brace is a configuration error', () => {
    for (const template of ['{first_name', '{} x', 'a } b', '{a{b}']) {
      assert.throws(() => compileMapping([{ target: 'x', template }]), ValidationError, template);
    }
  });
});

describe('targets', () => {
  test('dotted target names build nested objects', () => {
    const map = compileMapping([
      { target: 'email', from: 'mail' },
      { target: 'attributes.LASTNAME', from: 'last' },
      { target: 'attributes.FIRSTNAME', from: 'first' },
      { target: 'attributes.address.ZIP', value: '8000' },
    ]);
    assert.deepEqual(map({ mail: 'a@b.ch', last: 'Muster', first: 'Hans' }).payload, {
      email: 'a@b.ch',
      attributes: { LASTNAME: 'Muster', FIRSTNAME: 'Hans', address: { ZIP: '8000' } },
    });
  });

  test('refuses duplicate, overlapping and prototype-reaching targets', () => {
    const bad: FieldMappingInput[][] = [
      [
        { target: 'a', value: 1 },
        { target: 'a', value: 2 },
      ],
      [
        { target: 'a', value: 1 },
        { target: 'a.b', value: 2 },
      ],
      [
        { target: 'a.b.c', value: 1 },
        { target: 'a.b', value: 2 },
      ],
      [{ target: '__proto__.polluted', value: 1 }],
      [{ target: 'a..b', value: 1 }],
    ];
    for (const fields of bad)
      assert.throws(() => compileMapping(fields), ValidationError, JSON.stringify(fields));
  });

  test('refuses fields with none or several of from, value, template and formula', () => {
    assert.throws(
      () => compileMapping([{ target: 'a' }]),
      /field 1 'a': exactly one of from, value, template or formula/,
    );
    assert.throws(() => compileMapping([{ target: 'a', from: 'x', value: 1 }]), ValidationError);
  });
});

describe('transforms and errors', () => {
  const fields: FieldMappingInput[] = [
    { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
    {
      target: 'birthdate',
      from: 'birth',
      transform: [{ type: 'date', input: 'dd.MM.yyyy', output: 'epoch-ms' }],
    },
    {
      target: 'canton',
      from: 'canton',
      transform: [{ type: 'valueMap', map: { ZH: 'Zürich' }, strict: true }],
    },
    { target: 'lastname', from: 'last', transform: [{ type: 'trim' }, { type: 'upper' }] },
  ];
  const map = compileMapping(fields);

  test('runs each field through its transforms', () => {
    const r = map({ email: ' Hans@Muster.CH ', birth: '31.12.1980', canton: 'ZH', last: ' muster ' });
    assert.deepEqual(r, {
      ok: true,
      payload: {
        email: 'hans@muster.ch',
        birthdate: Date.UTC(1980, 11, 31),
        canton: 'Zürich',
        lastname: 'MUSTER',
      },
    });
  });

  test('collects every field error of a record and keeps the fields that mapped', () => {
    const r = map({ email: 'not-an-email', birth: '31.02.1980', canton: 'GE', last: 'Muster' });
    assert.equal(r.ok, false);
    assert.deepEqual(codes(r), [
      ['email', 'invalid_email'],
      ['birthdate', 'invalid_date'],
      ['canton', 'value_not_mapped'],
    ]);
    assert.deepEqual(r.payload, { lastname: 'MUSTER' });
    assert.ok(!r.ok && r.errors.every((e) => e instanceof TransformError));
  });

  test('a required field that ends up null, undefined or empty fails with required_field_missing', () => {
    for (const email of [null, undefined, '', '   ']) {
      assert.deepEqual(
        codes(map({ email, canton: 'ZH' })),
        [['email', 'required_field_missing']],
        String(email),
      );
    }
    const templated = compileMapping([{ target: 'name', template: '{first} {last}', required: true }]);
    assert.deepEqual(codes(templated({})), [['name', 'required_field_missing']]);
    assert.equal(templated({ last: 'Muster' }).ok, true);
  });

  test('a default transform satisfies a required field', () => {
    const m = compileMapping([
      { target: 'lang', from: 'lang', transform: [{ type: 'default', value: 'de' }], required: true },
    ]);
    assert.deepEqual(m({}), { ok: true, payload: { lang: 'de' } });
  });
});

test('never throws for arbitrary records: failures come back as ok:false', () => {
  const transforms: FieldMappingInput[] = [
    { target: 'a', from: 'a', transform: [{ type: 'trim' }, { type: 'lower' }] },
    { target: 'b.c', from: 'b.c', transform: [{ type: 'date', input: 'dd.MM.yyyy', output: 'epoch-ms' }] },
    { target: 'n', from: 'n', transform: [{ type: 'number', decimal: ',' }], required: true },
    { target: 'y', from: 'y', transform: [{ type: 'boolean' }] },
    { target: 'm', from: 'm', transform: [{ type: 'valueMap', map: { x: 1 }, strict: true }] },
    {
      target: 's',
      from: 's',
      transform: [
        { type: 'split', separator: ',', index: -1 },
        { type: 'truncate', length: 4 },
      ],
    },
    { target: 'e', from: 'e', transform: [{ type: 'email' }] },
    { target: 'p', from: 'p', transform: [{ type: 'phone' }] },
    { target: 't', template: '{a} {b.c} {n}' },
  ];
  const map = compileMapping(transforms);
  const keys = fc.constantFrom(
    'a',
    'b',
    'c',
    'n',
    'y',
    'm',
    's',
    'e',
    'p',
    'b.c',
    'constructor',
    '__proto__',
  );
  const record = fc.dictionary(keys, fc.oneof(fc.anything(), fc.date(), fc.dictionary(keys, fc.anything())));
  fc.assert(
    fc.property(record, (rec) => {
      const r = map(rec);
      assert.equal(typeof r.payload, 'object');
      if (!r.ok) {
        assert.ok(r.errors.length > 0);
        for (const e of r.errors) assert.ok(e instanceof TransformError && typeof e.code === 'string');
      }
    }),
    { numRuns: scaled(2000) },
  );
});

test('maps and hashes 20 000 records with a 10-field mapping, each to its own hash', () => {
  const map = compileMapping([
    { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
    { target: 'firstname', from: 'first_name', transform: [{ type: 'trim' }] },
    { target: 'lastname', from: 'last_name', transform: [{ type: 'trim' }, { type: 'upper' }] },
    { target: 'fullname', template: '{first_name} {last_name}' },
    { target: 'phone', from: 'phone', transform: [{ type: 'phone' }] },
    {
      target: 'birthdate',
      from: 'birth',
      transform: [{ type: 'date', input: 'dd.MM.yyyy', output: 'epoch-ms' }],
    },
    { target: 'revenue', from: 'revenue', transform: [{ type: 'number' }] },
    { target: 'newsletter', from: 'nl', transform: [{ type: 'boolean' }] },
    {
      target: 'attributes.CANTON',
      from: 'address.canton',
      transform: [{ type: 'valueMap', map: { ZH: 'Zürich' } }],
    },
    { target: 'source', value: 'junction' },
  ]);
  const count = scaled(20_000);
  const hashes = new Set<string>();
  for (let i = 0; i < count; i++) {
    const r = map({
      email: ` User${i}@Example.CH `,
      first_name: ' Hans ',
      last_name: 'Muster',
      phone: `079 ${100 + (i % 900)} ${10 + (i % 90)} 67`,
      birth: `${1 + (i % 28)}.${1 + (i % 12)}.1980`,
      revenue: `1'${String(i % 1000).padStart(3, '0')}.50`,
      nl: i % 2 ? 'ja' : 'nein',
      address: { canton: 'ZH' },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors.map((e) => e.message)));
    hashes.add(hashPayload(r.payload));
  }
  assert.equal(hashes.size, count);
});
