import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Connector, ObjectDescription } from '../../src/connectors/connector.ts';
import type { LimiterProvider } from '../../src/connectors/rate-limiter.ts';
import { ValidationError } from '../../src/core/errors.ts';
import type { MappingDefinitionInput } from '../../src/core/mapping-definition.ts';
import { type MappingIssue, mappingIssue } from '../../src/core/mapping-issues.ts';
import type { Connection } from '../../src/core/types.ts';
import type { DescribeConnection } from '../../src/engine/check-mapping.ts';
import type { ConnectorFactory } from '../../src/engine/open-mapping.ts';
import {
  describeConnections,
  parseMappingDefinition,
  refuse,
  validateMappingDefinition,
} from '../../src/engine/validate-mapping.ts';

const ERP: ObjectDescription[] = [
  {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'email', type: 'string' },
      { name: 'modified_at', type: 'datetime' },
    ],
  },
];
const CRM: ObjectDescription[] = [
  {
    name: 'contacts',
    fields: [
      { name: 'email', type: 'string', unique: true },
      { name: 'createdate', type: 'datetime', readOnly: true },
    ],
  },
];

const INPUT: MappingDefinitionInput = {
  id: 'people',
  name: 'People',
  source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: 'crm', object: 'contacts' },
  matchKey: { target: 'email' },
  fields: [{ target: 'email', from: 'email' }],
};

const describeAll: DescribeConnection = async (id) =>
  id === 'erp' ? { objects: ERP } : id === 'crm' ? { objects: CRM } : null;

/** The ValidationError `fn` throws (it must throw one). */
async function refusal(fn: () => unknown): Promise<ValidationError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err;
  }
  assert.fail('expected a ValidationError');
}

const issue = (field: string, property: string): MappingIssue =>
  mappingIssue(field, 'unknown_target_property', { property, object: 'contacts' });

describe('refusing a mapping', () => {
  test('the message lists every issue at its place, the details carry the issues and warnings', async () => {
    const errors = [issue('fields.0.target', 'mail'), issue('fields.1.target', 'nmae')];
    const warnings = [mappingIssue('fields', 'required_property_unmapped', { property: 'lastname' })];
    const err = await refusal(() => refuse(errors, warnings, 'mappings.2: '));
    assert.equal(
      err.message,
      `mappings.2: fields.0.target: ${errors[0]?.message}; mappings.2: fields.1.target: ${errors[1]?.message}`,
    );
    assert.deepEqual(err.details, { issues: errors, warnings });
  });

  test('without warnings or a prefix the details hold no warnings and the message starts at the place', async () => {
    const errors = [issue('fields.0.target', 'mail')];
    const err = await refusal(() => refuse(errors));
    assert.equal(err.message, `fields.0.target: ${errors[0]?.message}`);
    assert.deepEqual(err.details, { issues: errors, warnings: [] });
  });
});

describe('parsing a mapping definition', () => {
  test('a definition that fits the schema comes back parsed, with its defaults', () => {
    const parsed = parseMappingDefinition(structuredClone(INPUT));
    assert.equal(parsed.id, 'people');
    assert.deepEqual(parsed.fields[0]?.transform, []);
  });

  test('a misspelt key is refused with its place', async () => {
    const input = { ...structuredClone(INPUT), fields: [{ target: 'email', form: 'email' }] };
    const err = await refusal(() => parseMappingDefinition(input));
    const issues = (err.details?.issues ?? []) as MappingIssue[];
    assert.ok(issues.length > 0);
    assert.ok(
      issues.some((i) => i.field.startsWith('fields.0')),
      JSON.stringify(issues),
    );
    assert.deepEqual(err.details?.warnings, []);
  });
});

describe('describing connections for a check', () => {
  const connection = (id: string): Connection => ({ id, name: id, system: 'mssql', config: {}, secret: {} });

  /** A factory whose connectors describe `objects` and count what they were asked. */
  function factory(objects: ObjectDescription[]) {
    const calls = { made: [] as { id: string; limiters: unknown }[], closed: 0 };
    const make: ConnectorFactory = (conn, rt) => {
      calls.made.push({ id: conn.id, limiters: rt.limiters });
      return {
        describe: async () => objects,
        close: async () => {
          calls.closed += 1;
        },
      } as unknown as Connector;
    };
    return { make, calls };
  }

  test('each connection is looked up and described once, through the given factory and budget', async () => {
    const found: string[] = [];
    const { make, calls } = factory(ERP);
    const limiters = {} as LimiterProvider;
    const describe = describeConnections(
      async (id) => {
        found.push(id);
        return connection(id);
      },
      make,
      limiters,
    );
    assert.deepEqual(await describe('erp'), { objects: ERP });
    assert.deepEqual(await describe('erp'), { objects: ERP });
    assert.deepEqual(await describe('crm'), { objects: ERP });
    assert.deepEqual(found, ['erp', 'crm']);
    assert.deepEqual(calls.made, [
      { id: 'erp', limiters },
      { id: 'crm', limiters },
    ]);
    assert.equal(calls.closed, 2);
  });

  test('a connection that does not exist is described as null, without making a connector', async () => {
    const { make, calls } = factory(ERP);
    const describe = describeConnections(async () => undefined, make);
    assert.equal(await describe('gone'), null);
    assert.deepEqual(calls.made, []);
  });
});

describe('validating a mapping against its systems', () => {
  test('a mapping with only warnings is accepted and answers its warnings', async () => {
    const mapping = parseMappingDefinition({
      ...structuredClone(INPUT),
      fields: [...INPUT.fields, { target: 'createdate', from: 'modified_at' }],
    });
    const warnings = await validateMappingDefinition(mapping, describeAll);
    assert.deepEqual(
      warnings.map((w) => [w.field, w.code]),
      [['fields.1.target', 'read_only_property']],
    );
  });

  test('a mapping with errors is refused with its errors and its warnings in the details', async () => {
    const mapping = parseMappingDefinition({
      ...structuredClone(INPUT),
      fields: [
        ...INPUT.fields,
        { target: 'createdate', from: 'modified_at' },
        { target: 'nmae', from: 'email' },
      ],
    });
    const err = await refusal(() => validateMappingDefinition(mapping, describeAll));
    const issues = err.details?.issues as MappingIssue[];
    const warnings = err.details?.warnings as MappingIssue[];
    assert.deepEqual(
      issues.map((i) => [i.field, i.code]),
      [['fields.2.target', 'unknown_target_property']],
    );
    assert.deepEqual(
      warnings.map((w) => [w.field, w.code]),
      [['fields.1.target', 'read_only_property']],
    );
    assert.match(err.message, /^fields\.2\.target: /);
  });

  test('a mapping that fits its systems has no warnings', async () => {
    assert.deepEqual(
      await validateMappingDefinition(parseMappingDefinition(structuredClone(INPUT)), describeAll),
      [],
    );
  });
});
