import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import {
  AssignmentSchema,
  AssociationSettingSchema,
  FieldMappingSchema,
  IDENTIFIER_OWNERS,
  InitialMatchingSchema,
  MAX_CONSTANT_BYTES,
  MappingDefinitionSchema,
  ReadBackSchema,
  SYNC_OPTIONS,
  TRANSFORM_TYPES,
  TransformSchema,
  WriteBackSchema,
} from '../../src/core/mapping-definition.ts';
import { issuesFromSchema } from '../../src/core/mapping-issues.ts';
import { parseLeniently } from '../../src/core/unknown-keys.ts';

/** What `schema` makes of `input`; fails the test when it refuses it. */
function parsed(schema: z.ZodType, input: unknown): unknown {
  const r = schema.safeParse(input);
  assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues));
  return r.data;
}

/** The issues `schema` refuses `input` with, as `path: code message` lines (no path: the object itself); fails the test when it accepts it. */
function refused(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input);
  assert.ok(!r.success, `expected a refusal, got ${JSON.stringify(r.data)}`);
  return r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.code} ${i.message}`);
}

const TOO_SHORT = 'too_small Too small: expected string to have >=1 characters';
const ONE_SOURCE = 'custom exactly one of from, value, template or formula is required';
const ID_FORMAT = 'invalid_format letters, digits, - and _ only';

/** `levels` arrays nested in one another around a 0 (`[[0]]` is two levels). */
function nested(levels: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** A string whose JSON text is exactly `bytes` characters long (its quotes included). */
const jsonOfLength = (bytes: number) => 'x'.repeat(bytes - 2);

const MINIMAL = {
  id: 'people',
  name: 'People',
  source: { connectionId: 'erp', object: 'people', key: 'id' },
  target: { connectionId: 'crm', object: 'contacts' },
  matchKey: { target: 'email' },
  fields: [{ target: 'email', from: 'email' }],
};

/** MINIMAL with `patch` over it (top-level keys replaced). */
const mapping = (patch: Record<string, unknown> = {}) => ({ ...structuredClone(MINIMAL), ...patch });

describe('transforms', () => {
  test('TRANSFORM_TYPES names every transform type in the schema order', () => {
    assert.deepEqual(TRANSFORM_TYPES, [
      'trim',
      'lower',
      'upper',
      'default',
      'date',
      'number',
      'boolean',
      'valueMap',
      'split',
      'email',
      'phone',
      'truncate',
    ]);
  });

  test('the option-less transforms parse to their type alone and refuse any option', () => {
    for (const type of ['trim', 'lower', 'upper', 'email']) {
      assert.deepEqual(parsed(TransformSchema, { type }), { type });
      assert.deepEqual(refused(TransformSchema, { type, value: 1 }), [
        'unrecognized_keys Unrecognized key: "value"',
      ]);
    }
  });

  test('a transform type that does not exist, or misspelt, is refused at `type`', () => {
    for (const type of ['Trim', 'trimm', 'valuemap', '']) {
      const issues = TransformSchema.safeParse({ type }).error?.issues ?? [];
      assert.deepEqual(
        issues.map((i) => [i.code, i.path]),
        [['invalid_union', ['type']]],
        type,
      );
    }
  });

  test('default keeps its constant, which it requires, and refuses options it does not have', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'default', value: 'n/a' }), {
      type: 'default',
      value: 'n/a',
    });
    assert.deepEqual(parsed(TransformSchema, { type: 'default', value: null }), {
      type: 'default',
      value: null,
    });
    assert.deepEqual(refused(TransformSchema, { type: 'default' }), [
      'value: invalid_type Invalid input: expected nonoptional, received undefined',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'default', value: 1, values: 2 }), [
      'unrecognized_keys Unrecognized key: "values"',
    ]);
  });

  test('date writes yyyy-MM-dd unless told otherwise, and keeps an input pattern', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'date' }), { type: 'date', output: 'yyyy-MM-dd' });
    assert.deepEqual(parsed(TransformSchema, { type: 'date', input: 'dd.MM.yyyy', output: 'iso' }), {
      type: 'date',
      input: 'dd.MM.yyyy',
      output: 'iso',
    });
    // The past finding: `from:` instead of `input:` was ignored.
    assert.deepEqual(refused(TransformSchema, { type: 'date', from: 'dd.MM.yyyy' }), [
      'unrecognized_keys Unrecognized key: "from"',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'date', output: 5 }), [
      'output: invalid_type Invalid input: expected string, received number',
    ]);
  });

  test("number reads a '.' decimal point unless told ',' and refuses any other separator", () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'number' }), { type: 'number', decimal: '.' });
    assert.deepEqual(parsed(TransformSchema, { type: 'number', decimal: '.' }), {
      type: 'number',
      decimal: '.',
    });
    assert.deepEqual(parsed(TransformSchema, { type: 'number', decimal: ',' }), {
      type: 'number',
      decimal: ',',
    });
    for (const decimal of [';', "'", '', ', ']) {
      assert.deepEqual(refused(TransformSchema, { type: 'number', decimal }), [
        'decimal: invalid_value Invalid option: expected one of "."|","',
      ]);
    }
  });

  test('boolean keeps its own true and false word lists, each optional, and refuses a single word', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'boolean' }), { type: 'boolean' });
    assert.deepEqual(parsed(TransformSchema, { type: 'boolean', true: ['si'], false: ['no', 'nein'] }), {
      type: 'boolean',
      true: ['si'],
      false: ['no', 'nein'],
    });
    assert.deepEqual(parsed(TransformSchema, { type: 'boolean', false: [] }), { type: 'boolean', false: [] });
    assert.deepEqual(refused(TransformSchema, { type: 'boolean', true: 'si' }), [
      'true: invalid_type Invalid input: expected array, received string',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'boolean', yes: ['si'] }), [
      'unrecognized_keys Unrecognized key: "yes"',
    ]);
  });

  test('valueMap passes unknown values through (strict false) unless told, and keeps its table and default', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'valueMap', map: { 1: 'A' } }), {
      type: 'valueMap',
      map: { 1: 'A' },
      strict: false,
    });
    assert.deepEqual(
      parsed(TransformSchema, { type: 'valueMap', map: { a: 1, b: null }, default: 'other', strict: true }),
      { type: 'valueMap', map: { a: 1, b: null }, default: 'other', strict: true },
    );
    assert.deepEqual(refused(TransformSchema, { type: 'valueMap' }), [
      'map: invalid_type Invalid input: expected record, received undefined',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'valueMap', map: {}, strict: 'yes' }), [
      'strict: invalid_type Invalid input: expected boolean, received string',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'valueMap', map: {}, values: {} }), [
      'unrecognized_keys Unrecognized key: "values"',
    ]);
  });

  test('split keeps part 0 unless told, takes whole (also negative) indexes and requires a separator', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'split', separator: ' ' }), {
      type: 'split',
      separator: ' ',
      index: 0,
    });
    assert.deepEqual(parsed(TransformSchema, { type: 'split', separator: ',', index: -1 }), {
      type: 'split',
      separator: ',',
      index: -1,
    });
    assert.deepEqual(refused(TransformSchema, { type: 'split', separator: ',', index: 1.5 }), [
      'index: invalid_type Invalid input: expected int, received number',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'split' }), [
      'separator: invalid_type Invalid input: expected string, received undefined',
    ]);
  });

  test('phone defaults to Switzerland and takes only two-letter country codes', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'phone' }), { type: 'phone', defaultCountry: 'CH' });
    assert.deepEqual(parsed(TransformSchema, { type: 'phone', defaultCountry: 'DE' }), {
      type: 'phone',
      defaultCountry: 'DE',
    });
    assert.deepEqual(refused(TransformSchema, { type: 'phone', defaultCountry: 'D' }), [
      'defaultCountry: too_small Too small: expected string to have exactly 2 characters',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'phone', defaultCountry: 'DEU' }), [
      'defaultCountry: too_big Too big: expected string to have exactly 2 characters',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'phone', country: 'DE' }), [
      'unrecognized_keys Unrecognized key: "country"',
    ]);
  });

  test('truncate requires a whole length of at least 1', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'truncate', length: 1 }), {
      type: 'truncate',
      length: 1,
    });
    assert.deepEqual(parsed(TransformSchema, { type: 'truncate', length: 255 }), {
      type: 'truncate',
      length: 255,
    });
    for (const length of [0, -3]) {
      assert.deepEqual(refused(TransformSchema, { type: 'truncate', length }), [
        'length: too_small Too small: expected number to be >0',
      ]);
    }
    assert.deepEqual(refused(TransformSchema, { type: 'truncate', length: 2.5 }), [
      'length: invalid_type Invalid input: expected int, received number',
    ]);
    assert.deepEqual(refused(TransformSchema, { type: 'truncate' }), [
      'length: invalid_type Invalid input: expected number, received undefined',
    ]);
  });
});

describe('constants (a `value`, a default transform)', () => {
  test('MAX_CONSTANT_BYTES is 64 KB', () => {
    assert.equal(MAX_CONSTANT_BYTES, 65_536);
  });

  test('a constant of exactly 64 KB of JSON is kept; one character more is refused as larger than 64 KB', () => {
    const atLimit = jsonOfLength(MAX_CONSTANT_BYTES);
    assert.equal(JSON.stringify(atLimit).length, 65_536);
    assert.deepEqual(parsed(FieldMappingSchema, { target: 't', value: atLimit }), {
      target: 't',
      value: atLimit,
      transform: [],
      required: false,
    });
    assert.deepEqual(
      refused(FieldMappingSchema, { target: 't', value: jsonOfLength(MAX_CONSTANT_BYTES + 1) }),
      ['value: custom larger than 64 KB'],
    );
    assert.deepEqual(
      refused(TransformSchema, { type: 'default', value: { text: jsonOfLength(MAX_CONSTANT_BYTES) } }),
      ['value: custom larger than 64 KB'],
    );
  });

  test('a constant 64 levels deep is kept; 65 levels are refused (once, not also as too large)', () => {
    assert.deepEqual(parsed(TransformSchema, { type: 'default', value: nested(64) }), {
      type: 'default',
      value: nested(64),
    });
    assert.deepEqual(refused(TransformSchema, { type: 'default', value: nested(65) }), [
      'value: custom nested deeper than 64 levels',
    ]);
    const deepAndLarge = [nested(65), jsonOfLength(MAX_CONSTANT_BYTES * 2)];
    assert.deepEqual(refused(FieldMappingSchema, { target: 't', value: deepAndLarge }), [
      'value: custom nested deeper than 64 levels',
    ]);
  });

  test('small constants of every JSON kind are kept as they are', () => {
    for (const value of [0, false, '', 'x', null, [], { a: [1, { b: 'c' }] }]) {
      assert.deepEqual(
        (parsed(FieldMappingSchema, { target: 't', value }) as { value: unknown }).value,
        value,
      );
    }
  });
});

describe('field mappings', () => {
  test('a field from a source field gets no transforms and is not required unless told', () => {
    assert.deepEqual(parsed(FieldMappingSchema, { target: 'email', from: 'mail' }), {
      target: 'email',
      from: 'mail',
      transform: [],
      required: false,
    });
  });

  test('each kind of source alone is accepted and kept: from, value, template, formula', () => {
    const sources = [
      { from: 'a.b' },
      { value: 'x' },
      { template: '{first} {last}' },
      { formula: 'upper(a)' },
    ];
    for (const source of sources) {
      assert.deepEqual(parsed(FieldMappingSchema, { target: 'x', ...source }), {
        target: 'x',
        ...source,
        transform: [],
        required: false,
      });
    }
    // An empty template is a template (an empty text), not a missing source.
    assert.deepEqual(parsed(FieldMappingSchema, { target: 'x', template: '' }), {
      target: 'x',
      template: '',
      transform: [],
      required: false,
    });
    // A null value is a constant too.
    assert.equal(
      (parsed(FieldMappingSchema, { target: 'x', value: null }) as { value: unknown }).value,
      null,
    );
  });

  test('no source at all, or two of them, is refused with one message at the field', () => {
    assert.deepEqual(refused(FieldMappingSchema, { target: 'x' }), [ONE_SOURCE]);
    const pairs = [
      { from: 'a', value: 1 },
      { from: 'a', template: '{a}' },
      { from: 'a', formula: 'a' },
      { value: 1, template: '{a}' },
      { value: 1, formula: 'a' },
      { template: '{a}', formula: 'a' },
      { from: 'a', value: 1, template: '{a}', formula: 'a' },
    ];
    for (const pair of pairs)
      assert.deepEqual(refused(FieldMappingSchema, { target: 'x', ...pair }), [ONE_SOURCE]);
  });

  test('the target and an empty from or formula are refused as too short, at their place', () => {
    assert.deepEqual(refused(FieldMappingSchema, { target: '', from: 'a' }), [`target: ${TOO_SHORT}`]);
    assert.deepEqual(refused(FieldMappingSchema, { target: 'x', from: '' }), [`from: ${TOO_SHORT}`]);
    assert.deepEqual(refused(FieldMappingSchema, { target: 'x', formula: '' }), [`formula: ${TOO_SHORT}`]);
    assert.deepEqual(refused(FieldMappingSchema, { from: 'a' }), [
      'target: invalid_type Invalid input: expected string, received undefined',
    ]);
  });

  test('transforms and required are kept as given, defaults filled inside each transform', () => {
    assert.deepEqual(
      parsed(FieldMappingSchema, {
        target: 'x',
        from: 'a',
        transform: [{ type: 'trim' }, { type: 'number' }],
        required: true,
      }),
      {
        target: 'x',
        from: 'a',
        transform: [{ type: 'trim' }, { type: 'number', decimal: '.' }],
        required: true,
      },
    );
    assert.deepEqual(refused(FieldMappingSchema, { target: 'x', from: 'a', required: 'yes' }), [
      'required: invalid_type Invalid input: expected boolean, received string',
    ]);
    assert.deepEqual(
      refused(FieldMappingSchema, { target: 'x', from: 'a', transform: [{ type: 'date', from: 'x' }] }),
      ['transform.0: unrecognized_keys Unrecognized key: "from"'],
    );
  });

  test('a misspelt key of a field mapping is refused, not ignored', () => {
    assert.deepEqual(
      refused(FieldMappingSchema, { target: 'x', from: 'a', transforms: [{ type: 'trim' }] }),
      ['unrecognized_keys Unrecognized key: "transforms"'],
    );
    assert.deepEqual(refused(FieldMappingSchema, { target: 'x', form: 'a' }), [
      'unrecognized_keys Unrecognized key: "form"',
      ONE_SOURCE,
    ]);
  });
});

describe('the small setting objects', () => {
  test('write-back keeps each of its five columns', () => {
    const all = {
      externalId: 'ext_id',
      lastSync: 'synced_at',
      lastSuccess: 'ok_at',
      status: 'st',
      remark: 'note',
    };
    assert.deepEqual(parsed(WriteBackSchema, all), all);
    assert.deepEqual(parsed(WriteBackSchema, {}), {});
    assert.deepEqual(refused(WriteBackSchema, { status: 1 }), [
      'status: invalid_type Invalid input: expected string, received number',
    ]);
  });

  test('an association needs its object, from and mapping, none empty', () => {
    const a = { object: 'companies', from: 'organisation_id', mapping: 'organisations-to-companies' };
    assert.deepEqual(parsed(AssociationSettingSchema, a), a);
    for (const key of ['object', 'from', 'mapping'] as const) {
      assert.deepEqual(refused(AssociationSettingSchema, { ...a, [key]: '' }), [`${key}: ${TOO_SHORT}`]);
      const { [key]: _, ...without } = a;
      assert.deepEqual(refused(AssociationSettingSchema, without), [
        `${key}: invalid_type Invalid input: expected string, received undefined`,
      ]);
    }
  });

  test('read-back needs a property; its id property and column are optional, none empty', () => {
    assert.deepEqual(parsed(ReadBackSchema, { property: 'customer_no' }), { property: 'customer_no' });
    const all = { property: 'customer_no', idProperty: 'hs_object_id', writeTo: 'crm_no' };
    assert.deepEqual(parsed(ReadBackSchema, all), all);
    for (const key of ['property', 'idProperty', 'writeTo'] as const) {
      assert.deepEqual(refused(ReadBackSchema, { ...all, [key]: '' }), [`${key}: ${TOO_SHORT}`]);
    }
    assert.deepEqual(refused(ReadBackSchema, {}), [
      'property: invalid_type Invalid input: expected string, received undefined',
    ]);
  });

  test('initial matching needs a property; its source field is optional, neither empty', () => {
    assert.deepEqual(parsed(InitialMatchingSchema, { property: 'email' }), { property: 'email' });
    assert.deepEqual(parsed(InitialMatchingSchema, { property: 'email', source: 'mail' }), {
      property: 'email',
      source: 'mail',
    });
    assert.deepEqual(refused(InitialMatchingSchema, { property: '' }), [`property: ${TOO_SHORT}`]);
    assert.deepEqual(refused(InitialMatchingSchema, { property: 'email', source: '' }), [
      `source: ${TOO_SHORT}`,
    ]);
  });

  test('SYNC_OPTIONS and IDENTIFIER_OWNERS list the choices', () => {
    assert.deepEqual(SYNC_OPTIONS, ['insert', 'update', 'upsert']);
    assert.deepEqual(IDENTIFIER_OWNERS, ['source', 'target']);
  });
});

describe('assignments', () => {
  const fields = [{ target: 'email', from: 'email' }];
  const parsedFields = [{ target: 'email', from: 'email', transform: [], required: false }];

  test('an assignment needs only its fields; everything else it takes from the mapping', () => {
    assert.deepEqual(parsed(AssignmentSchema, { fields }), { fields: parsedFields });
  });

  test('an assignment keeps every setting it is given', () => {
    const full = {
      name: 'opted-in → list B',
      source: { connectionId: 'erp2', object: 'persons', key: 'pk', modifiedField: 'changed' },
      target: { connectionId: 'crm2', object: 'lists' },
      matchKey: { target: 'email', source: 'mail' },
      fields,
      filter: 'opt_in = true',
      writeBack: { externalId: 'ext' },
      sync: 'insert',
      identifier: 'source',
      readBack: { property: 'no' },
      initialMatching: { property: 'email' },
    };
    assert.deepEqual(parsed(AssignmentSchema, full), { ...full, fields: parsedFields });
  });

  test('an assignment without fields, or with none, is refused at fields', () => {
    assert.deepEqual(refused(AssignmentSchema, { fields: [] }), [
      'fields: too_small Too small: expected array to have >=1 items',
    ]);
    assert.deepEqual(refused(AssignmentSchema, {}), [
      'fields: invalid_type Invalid input: expected array, received undefined',
    ]);
    assert.equal(
      (parsed(AssignmentSchema, { fields: [...fields, ...fields] }) as { fields: unknown[] }).fields.length,
      2,
    );
  });

  test("an assignment's source, target and match key parts may not be empty", () => {
    const empty = [
      ['source', { connectionId: '' }, 'source.connectionId'],
      ['source', { object: '' }, 'source.object'],
      ['source', { key: '' }, 'source.key'],
      ['target', { connectionId: '' }, 'target.connectionId'],
      ['target', { object: '' }, 'target.object'],
      ['matchKey', { target: '' }, 'matchKey.target'],
      ['matchKey', { target: 'email', source: '' }, 'matchKey.source'],
    ] as const;
    for (const [key, value, path] of empty) {
      assert.deepEqual(refused(AssignmentSchema, { fields, [key]: value }), [`${path}: ${TOO_SHORT}`]);
    }
    assert.deepEqual(refused(AssignmentSchema, { fields, matchKey: {} }), [
      'matchKey.target: invalid_type Invalid input: expected string, received undefined',
    ]);
    // An empty modified field is allowed (it is no incremental column, not an error).
    assert.deepEqual(
      (parsed(AssignmentSchema, { fields, source: { modifiedField: '' } }) as { source: unknown }).source,
      {
        modifiedField: '',
      },
    );
  });

  test("an assignment's sync and identifier take each of their choices and refuse a near-typo", () => {
    for (const sync of SYNC_OPTIONS)
      assert.equal((parsed(AssignmentSchema, { fields, sync }) as { sync: string }).sync, sync);
    for (const identifier of IDENTIFIER_OWNERS)
      assert.equal(
        (parsed(AssignmentSchema, { fields, identifier }) as { identifier: string }).identifier,
        identifier,
      );
    assert.deepEqual(refused(AssignmentSchema, { fields, sync: 'upsert ' }), [
      'sync: invalid_value Invalid option: expected one of "insert"|"update"|"upsert"',
    ]);
    assert.deepEqual(refused(AssignmentSchema, { fields, identifier: 'Source' }), [
      'identifier: invalid_value Invalid option: expected one of "source"|"target"',
    ]);
  });
});

describe('mapping definitions', () => {
  test('a minimal definition gets its defaults: deletes ignored, deleted targets unlinked, no transforms', () => {
    assert.deepEqual(parsed(MappingDefinitionSchema, mapping()), {
      ...MINIMAL,
      fields: [{ target: 'email', from: 'email', transform: [], required: false }],
      deletes: 'ignore',
      targetDeletes: 'unlink',
    });
  });

  test('a full definition keeps every setting it is given', () => {
    const full = {
      ...structuredClone(MINIMAL),
      source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
      matchKey: { target: 'email', source: 'mail' },
      fields: [
        { target: 'email', from: 'email', transform: [{ type: 'lower' }], required: true },
        { target: 'company', value: 'ACME', transform: [], required: false },
      ],
      filter: 'active = true',
      deletes: 'archive',
      targetDeletes: 'recreate',
      writeBack: { externalId: 'crm_id', status: 'sync_status' },
      privacy: 'delete',
      associations: [{ object: 'companies', from: 'organisation_id', mapping: 'orgs' }],
      sync: 'update',
      identifier: 'source',
      readBack: { property: 'customer_no', writeTo: 'crm_no' },
      initialMatching: { property: 'email', source: 'mail' },
      assignments: [
        { name: 'second', fields: [{ target: 'x', formula: 'a', transform: [], required: false }] },
      ],
    };
    assert.deepEqual(parsed(MappingDefinitionSchema, full), full);
  });

  test('ids of letters, digits, - and _ are accepted, starting with a letter or digit, any case', () => {
    for (const id of ['a', 'z', 'A', 'Z', '0', '9', 'xa', 'xz', 'x0', 'x9', 'x-', 'x_', 'People-2025_v2']) {
      assert.equal((parsed(MappingDefinitionSchema, mapping({ id })) as { id: string }).id, id);
    }
  });

  test('an id with another character, or starting with - or _, is refused with the id rule', () => {
    for (const id of ['-a', '_a', 'a b', ' a', 'a ', 'a.b', 'a/b', 'müller', 'a\nb']) {
      assert.deepEqual(
        refused(MappingDefinitionSchema, mapping({ id })),
        [`id: ${ID_FORMAT}`],
        JSON.stringify(id),
      );
    }
    assert.deepEqual(refused(MappingDefinitionSchema, mapping({ id: '' })), [
      `id: ${TOO_SHORT}`,
      `id: ${ID_FORMAT}`,
    ]);
  });

  test('the name and every part of source, target and match key are required and not empty', () => {
    const empty: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ source: { ...MINIMAL.source, connectionId: '' } }, 'source.connectionId'],
      [{ source: { ...MINIMAL.source, object: '' } }, 'source.object'],
      [{ source: { ...MINIMAL.source, key: '' } }, 'source.key'],
      [{ target: { ...MINIMAL.target, connectionId: '' } }, 'target.connectionId'],
      [{ target: { ...MINIMAL.target, object: '' } }, 'target.object'],
      [{ matchKey: { target: '' } }, 'matchKey.target'],
      [{ matchKey: { target: 'email', source: '' } }, 'matchKey.source'],
    ];
    for (const [patch, path] of empty) {
      assert.deepEqual(refused(MappingDefinitionSchema, mapping(patch)), [`${path}: ${TOO_SHORT}`]);
    }
    for (const key of ['name', 'source', 'target', 'matchKey', 'fields']) {
      const { [key as keyof typeof MINIMAL]: _, ...without } = mapping();
      const issues = refused(MappingDefinitionSchema, without);
      assert.equal(issues.length, 1, issues.join('\n'));
      assert.match(
        issues[0] ?? '',
        new RegExp(`^${key}: invalid_type Invalid input: expected \\w+, received undefined$`),
      );
    }
  });

  test('a definition without fields is refused; two fields are kept', () => {
    assert.deepEqual(refused(MappingDefinitionSchema, mapping({ fields: [] })), [
      'fields: too_small Too small: expected array to have >=1 items',
    ]);
    const two = [
      { target: 'email', from: 'email' },
      { target: 'name', template: '{first} {last}' },
    ];
    assert.equal(
      (parsed(MappingDefinitionSchema, mapping({ fields: two })) as { fields: unknown[] }).fields.length,
      2,
    );
  });

  test('deletes, targetDeletes and privacy take each of their choices and refuse a near-typo', () => {
    const choices = {
      deletes: ['propagate', 'archive', 'ignore'],
      targetDeletes: ['unlink', 'recreate'],
      privacy: ['delete', 'anonymise'],
      sync: ['insert', 'update', 'upsert'],
      identifier: ['source', 'target'],
    };
    for (const [key, values] of Object.entries(choices)) {
      for (const value of values) {
        assert.equal(
          (parsed(MappingDefinitionSchema, mapping({ [key]: value })) as Record<string, unknown>)[key],
          value,
        );
      }
      const expected = `${key}: invalid_value Invalid option: expected one of ${values.map((v) => `"${v}"`).join('|')}`;
      for (const typo of [`${values[0]}s`, (values[0] ?? '').toUpperCase(), '']) {
        assert.deepEqual(refused(MappingDefinitionSchema, mapping({ [key]: typo })), [expected], typo);
      }
    }
    // British spelling only: the American one is a typo here.
    assert.equal(MappingDefinitionSchema.safeParse(mapping({ privacy: 'anonymize' })).success, false);
  });

  test('privacy, the options and the further parts are absent unless given (no defaults filled in)', () => {
    const out = parsed(MappingDefinitionSchema, mapping()) as Record<string, unknown>;
    for (const key of [
      'filter',
      'writeBack',
      'privacy',
      'associations',
      'sync',
      'identifier',
      'readBack',
      'initialMatching',
      'assignments',
    ]) {
      assert.equal(key in out, false, key);
    }
  });

  test('problems inside nested parts are reported at their full place', () => {
    const bad = mapping({
      fields: [{ target: 'email', from: 'email', transform: [{ type: 'truncate', length: 0 }] }],
      associations: [{ object: 'companies', from: '', mapping: 'orgs' }],
      readBack: { property: '' },
      initialMatching: {},
      assignments: [{ fields: [{ target: 'x' }] }, { fields: [] }],
    });
    assert.deepEqual(refused(MappingDefinitionSchema, bad), [
      'fields.0.transform.0.length: too_small Too small: expected number to be >0',
      `associations.0.from: ${TOO_SHORT}`,
      `readBack.property: ${TOO_SHORT}`,
      'initialMatching.property: invalid_type Invalid input: expected string, received undefined',
      `assignments.0.fields.0: ${ONE_SOURCE}`,
      'assignments.1.fields: too_small Too small: expected array to have >=1 items',
    ]);
  });
});

describe('misspelt keys', () => {
  const fields = [{ target: 'email', from: 'email' }];
  /** A definition with one misspelt key at each place a key can be misspelt: where it is reported, and the key. */
  const PLACES: [string, Record<string, unknown>, string, string][] = [
    ['the definition', { delets: 'propagate' }, '', 'delets'],
    ['source', { source: { ...MINIMAL.source, modifedField: 'changed' } }, 'source', 'modifedField'],
    ['target', { target: { ...MINIMAL.target, objet: 'contacts' } }, 'target', 'objet'],
    ['matchKey', { matchKey: { target: 'email', sorce: 'mail' } }, 'matchKey', 'sorce'],
    ['writeBack', { writeBack: { externalID: 'hs_id' } }, 'writeBack', 'externalID'],
    ['readBack', { readBack: { property: 'number', writeto: 'customer_no' } }, 'readBack', 'writeto'],
    [
      'initialMatching',
      { initialMatching: { property: 'email', sources: 'email' } },
      'initialMatching',
      'sources',
    ],
    [
      'an association',
      { associations: [{ object: 'companies', from: 'org', mapping: 'orgs', label: 'x' }] },
      'associations.0',
      'label',
    ],
    ['an assignment', { assignments: [{ fields, fitler: 'a = 1' }] }, 'assignments.0', 'fitler'],
    [
      'an assignment’s source',
      { assignments: [{ fields, source: { objects: 'x' } }] },
      'assignments.0.source',
      'objects',
    ],
    [
      'an assignment’s target',
      { assignments: [{ fields, target: { conection: 'x' } }] },
      'assignments.0.target',
      'conection',
    ],
    [
      'an assignment’s matchKey',
      { assignments: [{ fields, matchKey: { target: 'email', tagret: 'email' } }] },
      'assignments.0.matchKey',
      'tagret',
    ],
    [
      'an assignment’s writeBack',
      { assignments: [{ fields, writeBack: { state: 's' } }] },
      'assignments.0.writeBack',
      'state',
    ],
    [
      'an assignment’s readBack',
      { assignments: [{ fields, readBack: { property: 'n', idProp: 'id' } }] },
      'assignments.0.readBack',
      'idProp',
    ],
    [
      'an assignment’s initialMatching',
      { assignments: [{ fields, initialMatching: { property: 'email', souce: 'e' } }] },
      'assignments.0.initialMatching',
      'souce',
    ],
  ];

  for (const [place, patch, field, key] of PLACES) {
    test(`a misspelt key of ${place} is refused as unknown_key at ${field || 'the definition'}`, () => {
      const input = mapping(patch);
      assert.deepEqual(refused(MappingDefinitionSchema, input), [
        `${field ? `${field}: ` : ''}unrecognized_keys Unrecognized key: "${key}"`,
      ]);
      const r = MappingDefinitionSchema.safeParse(input);
      assert.ok(!r.success);
      assert.deepEqual(
        issuesFromSchema(r.error.issues, input).map((i) => [i.field, i.code, i.params.key]),
        [[field, 'unknown_key', key]],
      );
    });
  }

  test('each small setting and the assignment refuse a key they do not have on their own', () => {
    assert.deepEqual(refused(WriteBackSchema, { remarks: 'r' }), [
      'unrecognized_keys Unrecognized key: "remarks"',
    ]);
    assert.deepEqual(refused(ReadBackSchema, { property: 'p', writeTo: 'w', idproperty: 'i' }), [
      'unrecognized_keys Unrecognized key: "idproperty"',
    ]);
    assert.deepEqual(refused(InitialMatchingSchema, { property: 'p', matchOn: 'm' }), [
      'unrecognized_keys Unrecognized key: "matchOn"',
    ]);
    assert.deepEqual(refused(AssociationSettingSchema, { object: 'o', from: 'f', mapping: 'm', to: 't' }), [
      'unrecognized_keys Unrecognized key: "to"',
    ]);
    assert.deepEqual(refused(AssignmentSchema, { fields, shedule: 'x' }), [
      'unrecognized_keys Unrecognized key: "shedule"',
    ]);
  });

  test('every misspelt key of a definition is named, each at its own place', () => {
    const input = mapping({
      delets: 'propagate',
      matchKey: { target: 'email', tagret: 'x' },
      assignments: [{ fields, matchKey: { tagret: 'email' } }],
    });
    const r = MappingDefinitionSchema.safeParse(input);
    assert.ok(!r.success);
    assert.deepEqual(
      issuesFromSchema(r.error.issues, input)
        .filter((i) => i.code === 'unknown_key')
        .map((i) => `${i.field}:${i.params.key}`)
        .sort(),
      ['', 'assignments.0.matchKey', 'matchKey']
        .map((f, n) => `${f}:${['delets', 'tagret', 'tagret'][n]}`)
        .sort(),
    );
  });
});

describe('stored definitions (read leniently)', () => {
  test('a stored definition with unknown keys at several places loads without them, naming each', () => {
    const stored = mapping({
      delets: 'propagate',
      matchKey: { target: 'email', tagret: 'x' },
      fields: [{ target: 'email', from: 'email', transform: [{ type: 'date', from: 'dd.MM.yyyy' }] }],
      assignments: [{ fields: [{ target: 'email', from: 'email' }], source: { objects: 'x' } }],
    });
    const { data, dropped } = parseLeniently(MappingDefinitionSchema, stored);
    assert.deepEqual(dropped.sort(), [
      'assignments.0.source.objects',
      'delets',
      'fields.0.transform.0.from',
      'matchKey.tagret',
    ]);
    assert.deepEqual(data.matchKey, { target: 'email' });
    assert.equal('delets' in data, false);
    assert.equal(data.deletes, 'ignore');
    assert.deepEqual(data.assignments?.[0]?.source, {});
    assert.deepEqual(data.fields[0]?.transform, [{ type: 'date', output: 'yyyy-MM-dd' }]);
    // What was stored is left as it was.
    assert.equal((stored as Record<string, unknown>).delets, 'propagate');
  });

  test('a stored definition without unknown keys loads as the strict schema parses it, nothing dropped', () => {
    assert.deepEqual(parseLeniently(MappingDefinitionSchema, mapping()), {
      data: MappingDefinitionSchema.parse(mapping()),
      dropped: [],
    });
  });

  test('a stored definition that is wrong beyond its unknown keys is still refused', () => {
    assert.throws(
      () => parseLeniently(MappingDefinitionSchema, mapping({ delets: 'x', name: '' })),
      (err: Error) => err.name === 'ZodError' && /name/.test(err.message) && !/delets/.test(err.message),
    );
    assert.throws(() => parseLeniently(MappingDefinitionSchema, mapping({ name: '' })), { name: 'ZodError' });
  });
});
