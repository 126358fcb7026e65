// Unit tests of the checks of one assignment against its systems' descriptions (check-mapping-fields.ts):
// which transforms and properties refuse which value types, what a transform makes of a value, and which
// places are checked at all. Pure and without the connector registry, so a mutant costs a light test file.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FieldDescription, ObjectDescription } from '../../src/connectors/connector.ts';
import { ExpressionError, ExpressionSyntaxError } from '../../src/core/errors.ts';
import {
  type MappingDefinitionInput,
  MappingDefinitionSchema,
  type TransformInput,
} from '../../src/core/mapping-definition.ts';
import { mappingIssue } from '../../src/core/mapping-issues.ts';
import { checkAgainstSystems, expressionIssue } from '../../src/engine/check-mapping-fields.ts';

type FieldType = FieldDescription['type'];
const VALUE_TYPES: FieldType[] = ['string', 'number', 'boolean', 'date', 'datetime', 'enum'];

/** A source with one field `v` of `type` (and its key), a target with one property `out` of `outType`. */
function check(
  type: FieldType,
  transform: TransformInput[],
  outType: FieldType = 'string',
  extra: Partial<MappingDefinitionInput> = {},
) {
  const source: ObjectDescription = {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'v', type },
    ],
  };
  const target: ObjectDescription = { name: 'contacts', fields: [{ name: 'out', type: outType }] };
  const mapping = MappingDefinitionSchema.parse({
    id: 'm',
    name: 'M',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'out' },
    fields: [{ target: 'out', from: 'v', transform }],
    ...extra,
  });
  return checkAgainstSystems(mapping, {
    prefix: '',
    source,
    sourceObjects: [source],
    target,
    ownSource: true,
  });
}

describe('value types a transform cannot take', () => {
  const refuses: Record<string, { transform: TransformInput; refused: FieldType[]; takes: string }> = {
    date: { transform: { type: 'date' }, refused: ['boolean'], takes: 'text, a date or a number' },
    number: { transform: { type: 'number' }, refused: ['date', 'datetime'], takes: 'text or a number' },
    boolean: {
      transform: { type: 'boolean' },
      refused: ['date', 'datetime'],
      takes: 'text, a number or yes/no',
    },
    email: {
      transform: { type: 'email' },
      refused: ['number', 'boolean', 'date', 'datetime'],
      takes: 'text',
    },
    phone: {
      transform: { type: 'phone' },
      refused: ['boolean', 'date', 'datetime'],
      takes: 'text or a number',
    },
  };
  for (const [name, { transform, refused, takes }] of Object.entries(refuses)) {
    test(`the ${name} transform refuses ${refused.join(', ')} and names what it takes; other types pass`, () => {
      for (const type of VALUE_TYPES) {
        const expected = refused.includes(type)
          ? [
              mappingIssue('fields.0.transform.0', 'type_mismatch', {
                field: 'v',
                sourceType: type,
                property: `the ${name} transform`,
                targetType: takes,
              }),
            ]
          : [];
        assert.deepEqual(check(type, [transform]), expected, `${name} of a ${type}`);
      }
    });
  }
});

describe('value types a property cannot take', () => {
  const refused: Partial<Record<FieldType, FieldType[]>> = {
    date: ['boolean'],
    datetime: ['boolean'],
    boolean: ['date', 'datetime'],
    number: ['date', 'datetime'],
  };
  for (const outType of [...VALUE_TYPES, 'json'] as FieldType[]) {
    const refusedHere = refused[outType] ?? [];
    test(`a ${outType} property refuses ${refusedHere.join(', ') || 'nothing'}`, () => {
      for (const type of VALUE_TYPES) {
        const expected = refusedHere.includes(type)
          ? [
              mappingIssue('fields.0.from', 'type_mismatch', {
                field: 'v',
                sourceType: type,
                property: 'out',
                targetType: outType,
              }),
            ]
          : [];
        assert.deepEqual(check(type, [], outType), expected, `a ${type} into a ${outType} property`);
      }
    });
  }
});

describe('what a transform makes of a value', () => {
  test('the text transforms make text of a yes/no value, which a date property takes', () => {
    assert.equal(check('boolean', [], 'date').length, 1, 'untransformed, a yes/no value does not fit');
    const text: TransformInput[] = [
      { type: 'trim' },
      { type: 'lower' },
      { type: 'upper' },
      { type: 'split', separator: ',' },
      { type: 'truncate', length: 3 },
    ];
    for (const t of text) assert.deepEqual(check('boolean', [t], 'date'), [], t.type);
  });

  test('e-mail and phone make text of what they take, which a date property takes', () => {
    assert.deepEqual(check('string', [{ type: 'email' }], 'date'), []);
    assert.deepEqual(check('number', [{ type: 'phone' }], 'boolean'), []);
  });

  test('the number transform makes a number, which an e-mail transform after it refuses', () => {
    assert.deepEqual(
      check('string', [{ type: 'number' }, { type: 'email' }]).map((i) => [i.field, i.params.sourceType]),
      [['fields.0.transform.1', 'number']],
    );
  });

  test('the boolean transform makes yes/no, which a date property refuses', () => {
    assert.deepEqual(
      check('string', [{ type: 'boolean' }], 'date').map((i) => [i.field, i.params.sourceType]),
      [['fields.0.from', 'boolean']],
    );
  });

  test('the date transform makes text, or a number with epoch-ms', () => {
    assert.deepEqual(check('string', [{ type: 'date' }, { type: 'email' }]), []);
    assert.deepEqual(check('datetime', [{ type: 'date' }], 'boolean'), []);
    assert.deepEqual(
      check('string', [{ type: 'date', output: 'epoch-ms' }, { type: 'email' }]).map(
        (i) => i.params.sourceType,
      ),
      ['number'],
    );
  });

  test('a value map or a default may make anything, so nothing after them is refused', () => {
    assert.deepEqual(check('boolean', [{ type: 'valueMap', map: { true: 'x' } }], 'date'), []);
    assert.deepEqual(check('boolean', [{ type: 'default', value: 'x' }], 'date'), []);
    assert.deepEqual(check('date', [{ type: 'default', value: 'x' }, { type: 'email' }]), []);
  });

  test('a choice (enum) counts as text, for a transform and for a property', () => {
    assert.deepEqual(check('enum', [{ type: 'email' }]), []);
    assert.deepEqual(check('enum', [], 'date'), []);
    assert.deepEqual(check('boolean', [], 'enum'), []);
  });
});

describe('which places are checked', () => {
  const source: ObjectDescription = {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'email', type: 'string' },
      { name: 'attributes', type: 'json' },
    ],
  };
  const target: ObjectDescription = {
    name: 'contacts',
    fields: [
      { name: 'email', type: 'string' },
      { name: 'custom', type: 'json' },
      { name: 'address.city', type: 'string' },
      { name: 'number', type: 'string', required: true },
      { name: 'created', type: 'datetime', required: true, readOnly: true },
    ],
  };
  const BASE: MappingDefinitionInput = {
    id: 'm',
    name: 'M',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [
      { target: 'email', from: 'email' },
      { target: 'number', from: 'id' },
    ],
  };
  const run = (
    extra: Partial<MappingDefinitionInput>,
    sides: Partial<Parameters<typeof checkAgainstSystems>[1]> = {},
  ) =>
    checkAgainstSystems(MappingDefinitionSchema.parse({ ...BASE, ...extra }), {
      prefix: '',
      source,
      sourceObjects: [source],
      target,
      ownSource: true,
      ...sides,
    });
  const places = (issues: ReturnType<typeof run>) => issues.map((i) => [i.field, i.code]);

  test('a mapping that fits has no issues; a required read-only property need not be mapped', () => {
    assert.deepEqual(run({}), []);
  });

  test('below a JSON field or property, and above nested properties, any name is taken', () => {
    assert.deepEqual(
      run({
        fields: [
          ...BASE.fields,
          { target: 'custom.anything', from: 'attributes.FIRSTNAME' },
          { target: 'address', template: '{attributes.CITY}' },
        ],
      }),
      [],
    );
    assert.deepEqual(places(run({ fields: [...BASE.fields, { target: 'addresses', from: 'attributes' }] })), [
      ['fields.2.target', 'unknown_target_property'],
    ]);
  });

  test("the record's key needs no source field, as a value or in a template", () => {
    const keyless = { ...source, fields: source.fields.filter((f) => f.name !== 'id') };
    assert.deepEqual(
      run(
        { fields: [BASE.fields[0] as never, { target: 'number', template: 'K-{ id }' }] },
        { source: keyless, sourceObjects: [keyless], ownSource: false },
      ),
      [],
    );
    assert.deepEqual(places(run({}, { source: keyless, sourceObjects: [keyless] })), [
      ['source.key', 'unknown_source_field'],
    ]);
  });

  test('the key and modified column are checked only where the assignment names its own source', () => {
    const extra = { source: { ...BASE.source, modifiedField: 'changed' } };
    assert.deepEqual(places(run(extra)), [['source.modifiedField', 'unknown_source_field']]);
    assert.deepEqual(run(extra, { ownSource: false }), []);
  });

  test('a read-back column and an association field are source fields, checked at their place', () => {
    assert.deepEqual(
      places(
        run({
          readBack: { property: 'number', writeTo: 'nummer' },
          associations: [{ object: 'companies', from: 'firma_id', mapping: 'firms' }],
        }),
      ),
      [
        ['readBack.writeTo', 'unknown_source_field'],
        ['associations.0.from', 'unknown_source_field'],
      ],
    );
  });

  test('an unknown match property and an unmapped required one are reported with the prefix', () => {
    const issues = checkAgainstSystems(
      MappingDefinitionSchema.parse({ ...BASE, matchKey: { target: 'mail' }, fields: [BASE.fields[0]] }),
      { prefix: 'assignments.1.', source, sourceObjects: [source], target, ownSource: true },
    );
    assert.deepEqual(issues, [
      mappingIssue('assignments.1.matchKey.target', 'unknown_target_property', {
        property: 'mail',
        object: 'contacts',
      }),
      mappingIssue('assignments.1.fields', 'required_property_unmapped', {
        property: 'number',
        object: 'contacts',
      }),
    ]);
  });

  test('with a source-assigned identifier the match property counts as mapped', () => {
    const issues = run({
      identifier: 'source',
      matchKey: { target: 'number' },
      fields: [BASE.fields[0] as never],
    });
    assert.deepEqual(issues, []);
  });

  test('without a source description nothing of the source is checked; without a target nothing of it', () => {
    const wrong = { filter: 'nope = 1', fields: [{ target: 'nope', from: 'nope' }] };
    assert.deepEqual(places(run(wrong, { source: undefined })), [
      ['fields.0.target', 'unknown_target_property'],
      ['fields', 'required_property_unmapped'],
    ]);
    assert.deepEqual(
      places(run(wrong, { sourceObjects: undefined })),
      places(run(wrong, { source: undefined })),
    );
    assert.deepEqual(places(run(wrong, { target: undefined })), [
      ['filter', 'unknown_source_field'],
      ['fields.0.from', 'unknown_source_field'],
    ]);
  });
});

describe('the issue of an expression', () => {
  test('a syntax error keeps its position and drops the line and column from its text', () => {
    const err = new ExpressionSyntaxError("unexpected ')'", 6, 1, 7);
    assert.deepEqual(
      expressionIssue('filter', err),
      mappingIssue('filter', 'expression_syntax', { detail: "unexpected ')'" }, 6),
    );
  });

  test('an unknown field names it and its object, at its position', () => {
    const err = new ExpressionError('unknown field', {
      details: { field: 'x', object: 'people', position: 3 },
    });
    assert.deepEqual(
      expressionIssue('fields.0.formula', err),
      mappingIssue('fields.0.formula', 'unknown_source_field', { field: 'x', object: 'people' }, 3),
    );
  });

  test('any other error is an expression error without the position in its text', () => {
    const err = new ExpressionError('cannot compare a date with a number at position 12', {
      details: { position: 12 },
    });
    assert.deepEqual(
      expressionIssue('filter', err),
      mappingIssue('filter', 'expression_error', { detail: 'cannot compare a date with a number' }, 12),
    );
    assert.deepEqual(
      expressionIssue('filter', new Error('boom at position 2')),
      mappingIssue('filter', 'expression_error', { detail: 'boom' }),
    );
    const fieldOnly = new ExpressionError('odd', { details: { field: 'x', position: '3' } });
    assert.deepEqual(
      expressionIssue('filter', fieldOnly),
      mappingIssue('filter', 'expression_error', { detail: 'odd' }),
    );
  });
});
