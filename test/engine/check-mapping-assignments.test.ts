// Unit tests of checking a whole mapping (check-mapping.ts) where it goes beyond one assignment: further
// assignments and what they inherit, where their issues are placed, each connection described once and
// reported once, the initial matching's field, and what is checked when a system cannot be described.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObjectDescription } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { checkMapping, type DescribeConnection } from '../../src/engine/check-mapping.ts';

const ERP: ObjectDescription[] = [
  {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'email', type: 'string' },
      { name: 'name', type: 'string' },
    ],
  },
];
const CRM: ObjectDescription[] = [
  {
    name: 'contacts',
    fields: [
      { name: 'email', type: 'string' },
      { name: 'name', type: 'string' },
    ],
  },
  { name: 'deals', fields: [{ name: 'email', type: 'string' }] },
];

const BASE: MappingDefinitionInput = {
  id: 'people',
  name: 'People',
  source: { connectionId: 'erp', object: 'people', key: 'id' },
  target: { connectionId: 'crm', object: 'contacts' },
  matchKey: { target: 'email' },
  fields: [
    { target: 'email', from: 'email' },
    { target: 'name', from: 'name' },
  ],
};

/** Describes erp and crm, counting the questions; `down` names connections that cannot be reached. */
function systems(down: string[] = []) {
  const asked: string[] = [];
  const describe: DescribeConnection = async (id) => {
    asked.push(id);
    if (down.includes(id)) return { error: `${id} is down` };
    return id === 'erp' ? { objects: ERP } : id === 'crm' ? { objects: CRM } : null;
  };
  return { asked, describe };
}

const check = (extra: Partial<MappingDefinitionInput>, describe = systems().describe) =>
  checkMapping(MappingDefinitionSchema.parse({ ...BASE, ...extra }), describe);
const places = (issues: { field: string; code: string }[]) => issues.map((i) => [i.field, i.code]);

describe('checking the further assignments of a mapping', () => {
  test('each connection is described once, however many assignments use it', async () => {
    const { asked, describe } = systems();
    const { errors } = await check(
      { assignments: [{ target: { object: 'deals' }, fields: [{ target: 'email', from: 'email' }] }] },
      describe,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(asked, ['erp', 'crm']);
  });

  test("an unknown object is warned at the assignment's own place", async () => {
    const { warnings } = await check({
      source: { ...BASE.source, object: 'persons' },
      assignments: [
        {
          source: { object: 'people' },
          target: { object: 'tickets' },
          fields: [{ target: 'email', from: 'email' }],
        },
      ],
    });
    assert.deepEqual(
      warnings.map((e) => [e.field, e.code, e.params.connection, e.params.object]),
      [
        ['source.object', 'unknown_object', 'erp', 'persons'],
        ['assignments.0.target.object', 'unknown_object', 'crm', 'tickets'],
      ],
    );
  });

  test('an inherited connection is reported once, at the mapping; one the assignment names, at the assignment', async () => {
    const inherited = await check({
      target: { connectionId: 'nope', object: 'contacts' },
      assignments: [{ target: { object: 'deals' }, fields: [{ target: 'email', from: 'email' }] }],
    });
    assert.deepEqual(places(inherited.errors), [['target.connectionId', 'unknown_connection']]);

    const own = await check({
      assignments: [
        {
          source: { connectionId: 'gone', object: 'people' },
          target: { connectionId: 'lost', object: 'deals' },
          fields: [{ target: 'email', from: 'email' }],
        },
        {
          source: { connectionId: 'gone', object: 'people' },
          target: { object: 'deals' },
          fields: [{ target: 'email', from: 'email' }],
        },
      ],
    });
    assert.deepEqual(
      places(own.errors),
      [
        ['assignments.0.source.connectionId', 'unknown_connection'],
        ['assignments.0.target.connectionId', 'unknown_connection'],
      ],
      'the second assignment naming the same unknown connection adds nothing',
    );
  });

  test("an inherited match key no field of the assignment maps is placed at the assignment's fields", async () => {
    const inherited = await check({
      assignments: [{ target: { object: 'contacts' }, fields: [{ target: 'name', from: 'name' }] }],
    });
    assert.deepEqual(
      inherited.errors.map((e) => [e.field, e.code, e.params.field]),
      [['assignments.0.fields', 'match_key_unmapped', 'email']],
    );
    const own = await check({
      assignments: [
        {
          target: { object: 'deals' },
          matchKey: { target: 'email', source: 'mail' },
          fields: [{ target: 'email', from: 'email' }],
        },
      ],
    });
    assert.deepEqual(
      own.errors.map((e) => [e.field, e.code, e.params.field]),
      [['assignments.0.matchKey.source', 'match_key_unmapped', 'mail']],
    );
  });

  test("the source's key and fields are checked where an assignment names its own source, not again where it inherits it", async () => {
    const ERP_ORDERS: ObjectDescription[] = [
      ...ERP,
      { name: 'orders', fields: [{ name: 'email', type: 'string' }] },
    ];
    const describe: DescribeConnection = async (id) =>
      id === 'erp' ? { objects: ERP_ORDERS } : { objects: CRM };
    const own = await check(
      {
        assignments: [
          {
            source: { object: 'orders', key: 'order_id' },
            target: { object: 'deals' },
            fields: [{ target: 'email', from: 'email' }],
          },
        ],
      },
      describe,
    );
    assert.deepEqual(places(own.errors), [['assignments.0.source.key', 'unknown_source_field']]);
    const inherited = await check(
      { assignments: [{ target: { object: 'deals' }, fields: [{ target: 'email', from: 'email' }] }] },
      describe,
    );
    assert.deepEqual(inherited.errors, []);
  });
});

describe('the initial matching', () => {
  test("its field must be mapped, named at the initial matching's property or source", async () => {
    const byProperty = await check({ initialMatching: { property: 'phone' } });
    assert.deepEqual(
      byProperty.errors.map((e) => [e.field, e.code, e.params.matchKey, e.params.field]),
      [['initialMatching.property', 'match_key_unmapped', 'phone', 'phone']],
    );
    const bySource = await check({ initialMatching: { property: 'email', source: 'mail' } });
    assert.deepEqual(
      bySource.errors.map((e) => [e.field, e.params.matchKey, e.params.field]),
      [['initialMatching.source', 'email', 'mail']],
    );
    assert.deepEqual((await check({ initialMatching: { property: 'email' } })).errors, []);
  });
});

describe('a source that cannot be described', () => {
  test('filters and formulas are still parsed, and the failure is warned once per connection', async () => {
    const { describe } = systems(['erp']);
    const { errors, warnings } = await check(
      {
        filter: 'active = = true',
        fields: [...BASE.fields, { target: 'email', formula: 'upper(' }],
        assignments: [{ target: { object: 'deals' }, fields: [{ target: 'email', from: 'email' }] }],
      },
      describe,
    );
    assert.deepEqual(places(errors), [
      ['filter', 'expression_syntax'],
      ['fields.2.formula', 'expression_syntax'],
    ]);
    assert.deepEqual(
      warnings.map((w) => [w.field, w.code, w.params.reason]),
      [['source.connectionId', 'describe_failed', 'erp is down']],
    );
  });

  test('a blank filter or formula is not parsed', async () => {
    const { describe } = systems(['erp']);
    const { errors } = await check(
      { filter: '  ', fields: [BASE.fields[0] as never, { target: 'name', formula: ' ' }] },
      describe,
    );
    assert.deepEqual(errors, []);
  });
});
