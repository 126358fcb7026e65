import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObjectDescription } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { checkMapping, type DescribeConnection } from '../../src/engine/check-mapping.ts';

/** A business database with people, their company (a to-one relation) and their bookings (to-many). */
const ERP: ObjectDescription[] = [
  {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'email', type: 'string' },
      { name: 'first_name', type: 'string' },
      { name: 'status', type: 'string' },
      { name: 'newsletter', type: 'boolean' },
      { name: 'birthday', type: 'date' },
      { name: 'company_id', type: 'number' },
      { name: 'modified_at', type: 'datetime' },
      { name: 'crm_id', type: 'string' },
    ],
    relations: [
      { name: 'company', kind: 'one', object: 'companies', from: 'company_id', to: 'id' },
      { name: 'bookings', kind: 'many', object: 'bookings', from: 'id', to: 'person_id' },
    ],
  },
  {
    name: 'companies',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'name', type: 'string' },
    ],
  },
  {
    name: 'bookings',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'person_id', type: 'number' },
    ],
  },
];

const CRM: ObjectDescription[] = [
  {
    name: 'contacts',
    fields: [
      { name: 'email', type: 'string', unique: true },
      { name: 'firstname', type: 'string' },
      { name: 'company', type: 'string' },
      { name: 'opted_in', type: 'boolean' },
      { name: 'date_of_birth', type: 'date' },
      { name: 'lastname', type: 'string', required: true },
      { name: 'createdate', type: 'datetime', readOnly: true },
    ],
  },
];

const describeAll: DescribeConnection = async (id) =>
  id === 'erp' ? { objects: ERP } : id === 'crm' ? { objects: CRM } : null;

const BASE: MappingDefinitionInput = {
  id: 'people',
  name: 'People',
  source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: 'crm', object: 'contacts' },
  matchKey: { target: 'email' },
  filter: "status = 'active'",
  fields: [
    { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
    { target: 'firstname', from: 'first_name' },
    { target: 'lastname', template: '{first_name}' },
    { target: 'company', from: 'company.name' },
  ],
  writeBack: { externalId: 'crm_id' },
};

const check = (patch: (m: MappingDefinitionInput) => MappingDefinitionInput, describe = describeAll) =>
  checkMapping(MappingDefinitionSchema.parse(patch(structuredClone(BASE))), describe);

const field = (i: number, f: MappingDefinitionInput['fields'][number]) => (m: MappingDefinitionInput) => {
  m.fields[i] = f;
  return m;
};

describe('checking a mapping against what its systems describe', () => {
  test('a mapping that fits its systems has no errors and no warnings', async () => {
    assert.deepEqual(await check((m) => m), { errors: [], warnings: [] });
  });

  const mistakes: {
    name: string;
    patch: (m: MappingDefinitionInput) => MappingDefinitionInput;
    at: string;
    code: string;
    params: Record<string, unknown>;
  }[] = [
    {
      name: 'an unknown source field',
      patch: field(1, { target: 'firstname', from: 'frist_name' }),
      at: 'fields.1.from',
      code: 'unknown_source_field',
      params: { field: 'frist_name', object: 'people' },
    },
    {
      name: 'an unknown step of a relation path',
      patch: field(3, { target: 'company', from: 'company.nme' }),
      at: 'fields.3.from',
      code: 'unknown_source_field',
      params: { field: 'company.nme', object: 'companies' },
    },
    {
      name: 'an unknown field in a template, at its position',
      patch: field(2, { target: 'lastname', template: 'Dr. {lastname}' }),
      at: 'fields.2.template',
      code: 'unknown_source_field',
      params: { field: 'lastname', object: 'people', position: 4 },
    },
    {
      name: 'an unknown target property',
      patch: field(1, { target: 'nonexistent_hs_prop', from: 'first_name' }),
      at: 'fields.1.target',
      code: 'unknown_target_property',
      params: { property: 'nonexistent_hs_prop', object: 'contacts' },
    },
    {
      name: 'an unknown field in the filter, at its position',
      patch: (m) => ({ ...m, filter: "status = 'active' and cantn = 'ZH'" }),
      at: 'filter',
      code: 'unknown_source_field',
      params: { field: 'cantn', object: 'people', position: 22 },
    },
    {
      name: 'an unknown field in a formula, at its position',
      patch: field(1, { target: 'firstname', formula: "coalesce(nick, 'x')" }),
      at: 'fields.1.formula',
      code: 'unknown_source_field',
      params: { field: 'nick', object: 'people', position: 9 },
    },
    {
      name: 'a boolean sent to a date property',
      patch: field(1, { target: 'date_of_birth', from: 'newsletter' }),
      at: 'fields.1.from',
      code: 'type_mismatch',
      params: { field: 'newsletter', sourceType: 'boolean', property: 'date_of_birth', targetType: 'date' },
    },
    {
      name: 'a date sent to a yes/no property',
      patch: field(1, { target: 'opted_in', from: 'birthday' }),
      at: 'fields.1.from',
      code: 'type_mismatch',
      params: { field: 'birthday', sourceType: 'date', property: 'opted_in', targetType: 'boolean' },
    },
    {
      name: 'an e-mail transform on a date field',
      patch: field(1, { target: 'firstname', from: 'birthday', transform: [{ type: 'email' }] }),
      at: 'fields.1.transform.0',
      code: 'type_mismatch',
      params: { field: 'birthday', sourceType: 'date' },
    },
    {
      name: 'a match key no field maps',
      patch: (m) => ({ ...m, fields: m.fields.slice(1) }),
      at: 'matchKey.target',
      code: 'match_key_unmapped',
      params: { matchKey: 'email', field: 'email' },
    },
    {
      name: 'an unknown write-back column',
      patch: (m) => ({ ...m, writeBack: { externalId: 'hubspot_id' } }),
      at: 'writeBack.externalId',
      code: 'unknown_source_field',
      params: { field: 'hubspot_id', object: 'people' },
    },
    {
      name: 'a date transform whose pattern cannot work',
      patch: field(1, {
        target: 'firstname',
        from: 'first_name',
        transform: [{ type: 'date', input: 'DD.MM.YYYY' }],
      }),
      at: 'fields.1.transform.0',
      code: 'invalid_transform',
      params: { transform: 'date' },
    },
    {
      name: 'an unknown connection',
      patch: (m) => ({ ...m, target: { connectionId: 'nope', object: 'contacts' } }),
      at: 'target.connectionId',
      code: 'unknown_connection',
      params: { connection: 'nope' },
    },
    {
      name: "an unknown field in a further assignment's filter",
      patch: (m) => ({
        ...m,
        assignments: [{ filter: 'newsleter = true', fields: [{ target: 'email', from: 'email' }] }],
      }),
      at: 'assignments.0.filter',
      code: 'unknown_source_field',
      params: { field: 'newsleter', object: 'people', position: 0 },
    },
  ];
  for (const m of mistakes) {
    test(`${m.name} is an error at ${m.at}`, async () => {
      const { errors } = await check(m.patch);
      const found = errors.find((e) => e.field === m.at && e.code === m.code);
      assert.ok(found, `expected ${m.code} at ${m.at}, got ${JSON.stringify(errors)}`);
      for (const [k, v] of Object.entries(m.params)) assert.equal(found.params[k], v, `params.${k}`);
      assert.equal(errors.length, 1, JSON.stringify(errors));
    });
  }

  test('the filter message names the field and one position, counted from 1', async () => {
    const { errors } = await check((m) => ({ ...m, filter: "status = 'active' and cantn = 'ZH'" }));
    assert.equal(errors[0]?.message, "unknown field 'cantn' of people at position 23");
    assert.equal(errors[0]?.position, 22);
  });

  test('a read-only target property and a required one nobody maps are warnings, not errors', async () => {
    const { errors, warnings } = await check((m) => ({
      ...m,
      fields: [
        ...m.fields.filter((f) => f.target !== 'lastname'),
        { target: 'createdate', from: 'modified_at' },
      ],
    }));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      warnings.map((w) => [w.field, w.code, w.params.property]),
      [
        ['fields.3.target', 'read_only_property', 'createdate'],
        ['fields', 'required_property_unmapped', 'lastname'],
      ],
    );
  });

  test('a system that cannot be described is a warning, and what needs no system is still checked', async () => {
    const down: DescribeConnection = async (id) =>
      id === 'crm' ? { error: 'connect ECONNREFUSED 127.0.0.1:1' } : describeAll(id);
    const { errors, warnings } = await check(field(1, { target: 'anything', from: 'first_name' }), down);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      warnings.map((w) => [w.field, w.code, w.params.connection]),
      [['target.connectionId', 'describe_failed', 'crm']],
    );
    const unmapped = await check((m) => ({ ...m, fields: m.fields.slice(1) }), down);
    assert.deepEqual(
      unmapped.errors.map((e) => e.code),
      ['match_key_unmapped'],
    );
  });

  test('a source-assigned identifier or an update-only sync needs no mapped match key', async () => {
    for (const patch of [{ identifier: 'source' as const }, { sync: 'update' as const }]) {
      const { errors } = await check((m) => ({ ...m, ...patch, fields: m.fields.slice(1) }));
      assert.deepEqual(errors, [], JSON.stringify(patch));
    }
  });
});
