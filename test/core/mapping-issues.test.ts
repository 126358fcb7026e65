import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MappingDefinitionSchema, TRANSFORM_TYPES } from '../../src/core/mapping-definition.ts';
import {
  formatMappingIssue,
  issuesFromSchema,
  MAPPING_ERROR_CODES,
  MAPPING_WARNING_CODES,
  type MappingIssueCode,
  mappingIssue,
} from '../../src/core/mapping-issues.ts';

describe('issue codes', () => {
  test('the codes that refuse a save and those that only warn are stable lists that share no code', () => {
    assert.deepEqual(MAPPING_ERROR_CODES, [
      'invalid_definition',
      'unknown_option',
      'unknown_key',
      'unknown_transform',
      'invalid_transform',
      'expression_syntax',
      'expression_error',
      'unknown_source_field',
      'unknown_target_property',
      'type_mismatch',
      'match_key_unmapped',
      'unknown_connection',
      'unknown_mapping',
    ]);
    assert.deepEqual(MAPPING_WARNING_CODES, [
      'read_only_property',
      'required_property_unmapped',
      'describe_failed',
      'unknown_object',
    ]);
  });
});

describe('mappingIssue: the English wording of each code', () => {
  const cases: [MappingIssueCode, Record<string, string | number>, string][] = [
    ['invalid_definition', { detail: 'Required' }, 'Required'],
    ['invalid_definition', {}, 'invalid'],
    [
      'unknown_option',
      { transform: 'date', option: 'from', known: 'input, output' },
      "the date transform has no option 'from' (it has: input, output)",
    ],
    ['unknown_option', { transform: 'trim', option: 'x', known: '' }, "the trim transform has no option 'x'"],
    ['unknown_key', { key: 'form' }, "unknown key 'form'"],
    ['unknown_key', {}, "unknown key ''"],
    [
      'unknown_transform',
      { transform: 'dat', known: 'trim, date' },
      "unknown transform 'dat' (known: trim, date)",
    ],
    [
      'invalid_transform',
      { transform: 'date', detail: 'bad pattern' },
      'the date transform cannot work: bad pattern',
    ],
    ['expression_syntax', { detail: "unexpected ')'" }, "unexpected ')'"],
    ['expression_error', { detail: 'unknown function foo' }, 'unknown function foo'],
    ['unknown_source_field', { field: 'mail', object: 'people' }, "unknown field 'mail' of people"],
    ['unknown_target_property', { object: 'contacts', property: 'fax' }, "contacts has no property 'fax'"],
    [
      'type_mismatch',
      { field: 'born', sourceType: 'text', property: 'birthday', targetType: 'date' },
      "'born' is text, but 'birthday' takes date",
    ],
    [
      'match_key_unmapped',
      { matchKey: 'email', field: 'email' },
      "the match key 'email' needs a mapped field 'email': no field maps it",
    ],
    ['unknown_connection', { connection: 'crm' }, "connection 'crm' does not exist"],
    ['unknown_mapping', { mapping: 'companies' }, "mapping 'companies' does not exist"],
    [
      'read_only_property',
      { property: 'createdate', object: 'contacts' },
      "'createdate' is read-only in contacts: the target sets it itself",
    ],
    [
      'required_property_unmapped',
      { object: 'contacts', property: 'email' },
      "contacts requires 'email', but no field maps it",
    ],
    [
      'describe_failed',
      { connection: 'crm', reason: 'timeout' },
      "connection 'crm' could not be described (timeout); not checked",
    ],
    [
      'unknown_object',
      { connection: 'db', object: 'people' },
      "connection 'db' has no object 'people' (yet?); its fields were not checked",
    ],
  ];
  for (const [code, params, message] of cases)
    test(`${code}: ${message}`, () => {
      const issue = mappingIssue('fields.0', code, params);
      assert.deepEqual(issue, { field: 'fields.0', code, params, message });
      assert.equal('position' in issue, false);
    });

  test('a position is kept on the issue and in its params, and worded counting from 1', () => {
    assert.deepEqual(mappingIssue('filter', 'expression_syntax', { detail: "unexpected ')'" }, 4), {
      field: 'filter',
      code: 'expression_syntax',
      params: { detail: "unexpected ')'", position: 4 },
      message: "unexpected ')' at position 5",
      position: 4,
    });
    assert.equal(
      mappingIssue('fields.1.formula', 'expression_error', { detail: 'unknown function foo' }, 0).message,
      'unknown function foo at position 1',
    );
    assert.equal(
      mappingIssue('filter', 'unknown_source_field', { field: 'mail', object: 'people' }, 9).message,
      "unknown field 'mail' of people at position 10",
    );
  });

  test('one line per issue is its place, a colon and its message', () => {
    assert.equal(
      formatMappingIssue(
        mappingIssue('fields.2.from', 'unknown_source_field', { field: 'mail', object: 'people' }),
      ),
      "fields.2.from: unknown field 'mail' of people",
    );
  });
});

const BASE = {
  id: 'm',
  name: 'M',
  source: { connectionId: 's', object: 'people', key: 'id' },
  target: { connectionId: 't', object: 'contacts' },
  matchKey: { target: 'email' },
};

/** The mapping issues of a definition that does not fit the schema. */
function issuesOf(extra: Record<string, unknown>) {
  const input = { ...BASE, ...extra };
  const parsed = MappingDefinitionSchema.safeParse(input);
  assert.equal(parsed.success, false);
  return issuesFromSchema(parsed.error?.issues ?? [], input);
}

describe('issuesFromSchema', () => {
  test("an option a transform does not have names the option and the transform's options", () => {
    assert.deepEqual(
      issuesOf({ fields: [{ target: 'a', from: 'b', transform: [{ type: 'date', from: 'x', to: 'y' }] }] }),
      [
        mappingIssue('fields.0.transform.0', 'unknown_option', {
          transform: 'date',
          option: 'from',
          known: 'input, output',
        }),
        mappingIssue('fields.0.transform.0', 'unknown_option', {
          transform: 'date',
          option: 'to',
          known: 'input, output',
        }),
      ],
    );
  });

  test('an option on a transform without options says so without a list', () => {
    assert.deepEqual(
      issuesOf({ fields: [{ target: 'a', from: 'b', transform: [{ type: 'trim', x: 1 }] }] }),
      [mappingIssue('fields.0.transform.0', 'unknown_option', { transform: 'trim', option: 'x', known: '' })],
    );
    assert.equal(
      issuesOf({ fields: [{ target: 'a', from: 'b', transform: [{ type: 'trim', x: 1 }] }] })[0]?.message,
      "the trim transform has no option 'x'",
    );
  });

  test('an unknown transform type names the known types at the transform', () => {
    assert.deepEqual(issuesOf({ fields: [{ target: 'a', from: 'b', transform: [{ type: 'dat' }] }] }), [
      mappingIssue('fields.0.transform.0', 'unknown_transform', {
        transform: 'dat',
        known: TRANSFORM_TYPES.join(', '),
      }),
    ]);
    assert.equal(TRANSFORM_TYPES.includes('date'), true);
  });

  test('a transform without a type is an unknown transform with an empty name', () => {
    assert.deepEqual(issuesOf({ fields: [{ target: 'a', from: 'b', transform: [{ map: {} }] }] }), [
      mappingIssue('fields.0.transform.0', 'unknown_transform', {
        transform: '',
        known: TRANSFORM_TYPES.join(', '),
      }),
    ]);
  });

  test('a misspelt key of a field mapping is an unknown key at the field', () => {
    assert.deepEqual(issuesOf({ fields: [{ target: 'a', from: 'b', form: 'c' }] }), [
      mappingIssue('fields.0', 'unknown_key', { key: 'form' }),
    ]);
  });

  test("the rest keep zod's wording as invalid_definition at their place", () => {
    assert.deepEqual(issuesOf({ fields: [{ target: 'a' }] }), [
      mappingIssue('fields.0', 'invalid_definition', {
        detail: 'exactly one of from, value, template or formula is required',
      }),
    ]);
  });

  test('only a path ending in transform.<n> is a transform: other places keep unknown keys and zod’s wording', () => {
    const input = { fields: [{ mytransform: [{ type: 'date' }], transform: { x: { type: 'date' } } }] };
    assert.deepEqual(
      issuesFromSchema(
        [
          { code: 'unrecognized_keys', path: ['fields', 0, 'mytransform', 0], message: 'm', keys: ['from'] },
          { code: 'unrecognized_keys', path: ['fields', 0, 'transform', 'x'], message: 'm', keys: ['from'] },
          {
            code: 'unrecognized_keys',
            path: ['fields', 0, 'transform', 0, 'x'],
            message: 'm',
            keys: ['from'],
          },
          { code: 'unrecognized_keys', path: ['transform', 0], message: 'm', keys: ['from'] },
        ],
        input,
      ).map((i) => [i.field, i.code]),
      [
        ['fields.0.mytransform.0', 'unknown_key'],
        ['fields.0.transform.x', 'unknown_key'],
        ['fields.0.transform.0.x', 'unknown_key'],
        ['transform.0', 'unknown_option'],
      ],
    );
  });

  test('an unknown-keys complaint without keys gives no issue', () => {
    assert.deepEqual(
      issuesFromSchema([{ code: 'unrecognized_keys', path: ['fields', 0], message: 'm' }], {}),
      [],
    );
    assert.deepEqual(
      issuesFromSchema(
        [{ code: 'unrecognized_keys', path: ['fields', 0, 'transform', 0], message: 'm' }],
        {},
      ),
      [],
    );
  });

  test('an option of a transform found through a missing value names no transform', () => {
    assert.deepEqual(
      issuesFromSchema(
        [{ code: 'unrecognized_keys', path: ['fields', 0, 'transform', 0], message: 'm', keys: ['x'] }],
        { fields: null },
      ),
      [mappingIssue('fields.0.transform.0', 'unknown_option', { transform: '', option: 'x', known: '' })],
    );
  });

  test('a discriminator complaint is an unknown transform only for a type at a transform', () => {
    const union = {
      code: 'invalid_union',
      message: 'Invalid discriminator value',
      note: 'No matching discriminator',
    };
    const input = { fields: [{ transform: [{ type: 'dat' }] }], deletes: { type: 'x' } };
    assert.deepEqual(
      issuesFromSchema(
        [
          { ...union, path: ['deletes', 'type'] },
          { ...union, path: ['fields', 0, 'transform', 0, 'kind'] },
          { ...union, note: 'something else', path: ['fields', 0, 'transform', 0, 'type'] },
          { ...union, code: 'custom', path: ['fields', 0, 'transform', 0, 'type'] },
          { ...union, path: ['fields', 0, 'transform', 0, 'type'] },
        ],
        input,
      ).map((i) => [i.field, i.code, i.message]),
      [
        ['deletes.type', 'invalid_definition', 'Invalid discriminator value'],
        ['fields.0.transform.0.kind', 'invalid_definition', 'Invalid discriminator value'],
        ['fields.0.transform.0.type', 'invalid_definition', 'Invalid discriminator value'],
        ['fields.0.transform.0.type', 'invalid_definition', 'Invalid discriminator value'],
        [
          'fields.0.transform.0',
          'unknown_transform',
          `unknown transform 'dat' (known: ${TRANSFORM_TYPES.join(', ')})`,
        ],
      ],
    );
  });
});
