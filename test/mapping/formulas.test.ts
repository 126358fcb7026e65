import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError, ValidationError } from '../../src/core/errors.ts';
import {
  parseExpression,
  prepareExpression,
  print,
  schemaOf,
  typeCheck,
} from '../../src/core/expression/index.ts';
import { compileMapping } from '../../src/core/mapper.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { assignmentsOf } from '../../src/engine/assignments.ts';
import { planRecord } from '../../src/engine/plan.ts';

const NOW = new Date('2025-03-10T12:00:00.000Z');
const person = {
  address_type: 0,
  company: 'Muster AG',
  last_name: 'Meier',
  number: 4711,
  email: 'info@muster.ch',
  email_business: null,
  email_newsletter: null,
  modified_at: '2025-03-01T08:30:00.000Z',
  current_address: { street: 'Bahnhofstrasse 1', city: { zip: '8001', name: 'Zürich' } },
  contracts: [
    { date: '2021-05-01', role_id: 1 },
    { date: '2023-02-01', role_id: 1 },
    { date: '2024-02-01', role_id: 2 },
  ],
};
const one = (formula: string, record: Record<string, unknown> = person, context = {}) => {
  const result = compileMapping([{ target: 'x', formula }])(record, { now: NOW, ...context });
  assert.ok(result.ok, JSON.stringify(result));
  return result.payload.x;
};

describe('field formulas', () => {
  test('if() picks the company for companies and the last name for people', () => {
    assert.equal(one('if(address_type = 0, company, last_name)'), 'Muster AG');
    assert.equal(one('if(address_type = 0, company, last_name)', { ...person, address_type: 1 }), 'Meier');
  });
  test('a ?? chain takes the first value that is not null', () => {
    const f = 'email_newsletter ?? email_business ?? email';
    assert.equal(one(f), 'info@muster.ch');
    assert.equal(one(f, { ...person, email_business: 'b@muster.ch' }), 'b@muster.ch');
    assert.equal(
      one(f, { ...person, email_newsletter: 'n@muster.ch', email_business: 'b@muster.ch' }),
      'n@muster.ch',
    );
    assert.equal(one(f, { ...person, email: null }), null);
  });
  test('link.external_number ?? number prefers what the target assigned', () => {
    assert.equal(one('link.external_number ?? number'), 4711);
    assert.equal(
      one('link.external_number ?? number', person, {
        link: {
          external_id: '9',
          external_number: 'D-9',
          last_sync: null,
          last_success: null,
          status: 'ok',
          remark: null,
        },
      }),
      'D-9',
    );
  });
  test('paths walk loaded relations, and count()/exists() count related records', () => {
    assert.equal(one('current_address.city.zip'), '8001');
    assert.equal(one('current_address.city.zip', { ...person, current_address: null }), null);
    assert.equal(one('count(contracts where date >= date(2022,1,1) and role_id = 1)'), 1);
    assert.equal(one('exists(contracts where role_id = 3)'), false);
    assert.equal(one('count(contracts)', { ...person, contracts: [] }), 0);
  });
  test('date, string, parameter and job functions', () => {
    assert.deepEqual(one('add_days(end_of_day(modified_at), 1)'), new Date('2025-03-02T23:59:59.999Z'));
    assert.deepEqual(one('today()'), new Date('2025-03-10T00:00:00.000Z'));
    assert.equal(one("upper(left(replace(concat(trim('  ab '), '-', last_name), 'e', 'E'), 5))"), 'AB-ME');
    assert.equal(one("param('tenant')", person, { params: { tenant: 3 } }), 3);
    assert.equal(one("param('other')", person, { params: { tenant: 3 } }), null);
    assert.equal(
      one('modified_at > job.last_success', person, {
        job: { last_success: new Date('2025-02-01'), last_run: null },
      }),
      true,
    );
  });
  test('formulas write into nested target paths', () => {
    const map = compileMapping([
      { target: 'Customer.AddressData.Street', from: 'current_address.street' },
      { target: 'Customer.AddressData.Zip', formula: 'current_address.city.zip' },
      { target: 'attributes.LASTNAME', formula: 'upper(last_name)' },
    ]);
    assert.deepEqual(map(person, { now: NOW }), {
      ok: true,
      payload: {
        Customer: { AddressData: { Street: 'Bahnhofstrasse 1', Zip: '8001' } },
        attributes: { LASTNAME: 'MEIER' },
      },
    });
  });
  test('a formula that does not parse is refused with its position', () => {
    assert.throws(
      () => compileMapping([{ target: 'x', formula: 'if(a = , b, c)' }]),
      (err: unknown) => err instanceof ValidationError && err.details?.position === 7,
    );
  });
  test('count(… where …) prints and parses back to the same text', () => {
    const text =
      'count(contracts where date >= date(2022, 1, 1) and role_id = 1) > 0 and exists(person.addresses)';
    assert.equal(print(parseExpression(text)), text);
  });
});

describe('static type checking against describe()', () => {
  const schema = schemaOf([
    {
      name: 'addresses',
      fields: [
        { name: 'id', type: 'number' },
        { name: 'active', type: 'boolean' },
        { name: 'last_name', type: 'string' },
        { name: 'modified_at', type: 'datetime' },
        { name: 'current_address_id', type: 'number' },
      ],
      relations: [
        { name: 'current_address', object: 'postal', kind: 'one', from: 'current_address_id', to: 'id' },
        { name: 'contracts', object: 'contracts', kind: 'many', from: 'id', to: 'address_id' },
      ],
    },
    {
      name: 'postal',
      fields: [
        { name: 'id', type: 'number' },
        { name: 'zip', type: 'string' },
      ],
    },
    {
      name: 'contracts',
      fields: [
        { name: 'address_id', type: 'number' },
        { name: 'date', type: 'date' },
        { name: 'role_id', type: 'number' },
      ],
    },
  ]);
  const check = (text: string) => typeCheck(prepareExpression(text), { schema, object: 'addresses' });
  const errorAt = (text: string): { position: unknown; message: string } => {
    try {
      check(text);
    } catch (err) {
      assert.ok(err instanceof ExpressionError, String(err));
      return { position: err.details?.position, message: err.message };
    }
    assert.fail(`no error for ${text}`);
  };

  test('accepts the business filters and formulas', () => {
    assert.equal(
      check(
        'active = true and count(contracts where date >= date(2022,1,1) and role_id = 1) > 0 and end_of_day(modified_at) > job.last_success',
      ),
      'boolean',
    );
    assert.equal(check('current_address.zip ?? last_name'), 'text');
    assert.equal(check('link is null or modified_at > link.last_success'), 'boolean');
    assert.equal(check('current_address is null'), 'boolean');
  });
  test('reports an unknown field at its position', () => {
    const e = errorAt('active and lastname = 1');
    assert.equal(e.position, 11);
    assert.match(e.message, /unknown field 'lastname'/);
    assert.equal(errorAt('current_address.city').position, 0);
    assert.match(
      errorAt('count(contracts where rolle = 1) > 0').message,
      /unknown field 'rolle' of contracts/,
    );
    assert.equal(errorAt('count(contract) > 0').position, 6);
    assert.match(errorAt('job.last_sucess > now()').message, /job\.last_success/);
  });
  test('reports type errors at the offending operand', () => {
    assert.equal(errorAt('active and modified_at > 5').position, 11);
    assert.match(errorAt("last_name + 1 = 'x'").message, /concat/);
    assert.equal(errorAt('if(last_name, 1, 2) = 1').position, 3);
    assert.match(errorAt('contracts.date > now()').message, /list of contracts/);
    assert.match(errorAt('not last_name').message, /must be boolean or number/);
  });
});

describe('assignments', () => {
  const mapping = MappingDefinitionSchema.parse({
    id: 'brevo',
    name: 'Contacts → Brevo',
    source: { connectionId: 'erp', object: 'addresses', key: 'id', modifiedField: 'modified_at' },
    target: { connectionId: 'brevo', object: 'contacts' },
    matchKey: { target: 'email' },
    filter: 'opt_in = false',
    fields: [
      { target: 'email', from: 'email' },
      { target: 'listIds', value: [1] },
    ],
    assignments: [
      {
        name: 'opted in → list B',
        filter: 'opt_in = true',
        fields: [
          { target: 'email', from: 'email' },
          { target: 'listIds', value: [2] },
        ],
      },
      {
        name: 'update existing',
        source: { object: 'people' },
        sync: 'update',
        fields: [{ target: 'email', from: 'email' }],
      },
    ],
  });

  test('a mapping without assignments is its own single assignment, unchanged', () => {
    const { assignments: _, ...plain } = mapping;
    assert.deepEqual(assignmentsOf(plain), [plain]);
  });
  test('further assignments run in order and take what they leave out from the mapping', () => {
    const [a, b, c] = assignmentsOf(mapping);
    assert.equal(a?.filter, 'opt_in = false');
    assert.equal(b?.name, 'opted in → list B');
    assert.deepEqual(b?.source, mapping.source);
    assert.deepEqual(b?.target, mapping.target);
    assert.equal(c?.source.object, 'people');
    assert.equal(
      c?.source.modifiedField,
      undefined,
      "another object does not inherit the mapping's modified field",
    );
    assert.equal(c?.sync, 'update');
  });
  test('sync options and the identifier owner shape the write', () => {
    const record = { key: '42', data: {} };
    const mapped = { ok: true as const, payload: { email: 'a@b.ch' } };
    const link = {
      sourceConnectionId: 'erp',
      sourceObject: 'addresses',
      sourceKey: '42',
      targetConnectionId: 'brevo',
      targetObject: 'contacts',
      externalId: '7',
      lastSyncAt: null,
      lastSuccessAt: null,
      status: 'ok' as const,
      remark: null,
      payloadHash: null,
    };
    assert.equal(
      planRecord({ ...mapping, sync: 'update' }, record, mapped, undefined).kind,
      'unchanged',
      'update-only skips records not in the target',
    );
    assert.equal(
      planRecord({ ...mapping, sync: 'insert' }, record, mapped, link).kind,
      'unchanged',
      'insert-only leaves linked records alone',
    );
    const adopted = planRecord({ ...mapping, sync: 'update' }, record, mapped, undefined, '99');
    assert.deepEqual(adopted.kind === 'write' && adopted.op, {
      kind: 'update',
      ref: '42',
      externalId: '99',
      properties: mapped.payload,
    });
    const bySource = planRecord({ ...mapping, identifier: 'source' }, record, mapped, undefined);
    assert.deepEqual(bySource.kind === 'write' && bySource.op.kind === 'upsert' && bySource.op.match, {
      property: 'email',
      value: '42',
    });
  });
});
