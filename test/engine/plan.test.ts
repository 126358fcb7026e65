// Unit tests of the engine's pure decisions (what to write for a record, what a dry run would be
// answered, which target records initial matching adopts, what read-back keeps). The end-to-end suites
// cover the same paths through real connectors; these pin each rule alone, fast enough for
// `npm run mutation` to run them for every mutant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Connector, LookupHit, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { hashPayload } from '../../src/core/payload-hash.ts';
import type { SyncLink } from '../../src/core/types.ts';
import { adoptExisting, LookupUnsupportedError, readBack } from '../../src/engine/matching.ts';
import { itemOf, planRecord } from '../../src/engine/plan.ts';
import { planWrites } from '../../src/engine/plan-writes.ts';

const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'people',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
    ...extra,
  });
const record = { key: '42', data: { email: 'a@b.ch' } };
const payload = { email: 'a@b.ch', firstname: 'Anna' };
const mapped = { ok: true as const, payload };
const linkOf = (extra: Partial<SyncLink> = {}): SyncLink => ({
  sourceConnectionId: 'erp',
  sourceObject: 'people',
  sourceKey: '42',
  targetConnectionId: 'crm',
  targetObject: 'contacts',
  externalId: '7',
  lastSyncAt: null,
  lastSuccessAt: null,
  status: 'ok',
  remark: null,
  payloadHash: 'an older hash',
  ...extra,
});
const upsertOf = (value: string, property = 'email') => ({
  kind: 'write',
  record,
  hash: hashPayload(payload),
  payload,
  op: { kind: 'upsert', ref: '42', match: { property, value }, properties: payload },
});
const updateOf = (externalId: string) => ({
  kind: 'write',
  record,
  hash: hashPayload(payload),
  payload,
  op: { kind: 'update', ref: '42', externalId, properties: payload },
});

describe('planRecord: what the engine writes for one record', () => {
  test('a record never synced is upserted by its match key', () => {
    assert.deepEqual(planRecord(mappingOf(), record, mapped, undefined), upsertOf('a@b.ch'));
  });
  test('the match value comes from matchKey.source when it names another mapped field', () => {
    const mapping = mappingOf({ matchKey: { target: 'email', source: 'firstname' } });
    assert.deepEqual(planRecord(mapping, record, mapped, undefined), upsertOf('Anna'));
  });
  test('a numeric match value is sent as text', () => {
    const plan = planRecord(mappingOf(), record, { ok: true, payload: { email: 12 } }, undefined);
    assert.deepEqual(plan.kind === 'write' && plan.op.kind === 'upsert' && plan.op.match, {
      property: 'email',
      value: '12',
    });
  });
  test('a linked record whose payload changed is updated by its external id', () => {
    assert.deepEqual(planRecord(mappingOf(), record, mapped, linkOf()), updateOf('7'));
  });
  test('a linked record whose payload hash equals the last successful sync is left unchanged', () => {
    const link = linkOf({ payloadHash: hashPayload(payload) });
    assert.deepEqual(planRecord(mappingOf(), record, mapped, link), { kind: 'unchanged', record });
  });
  test('the same hash after a failed sync is written again', () => {
    const link = linkOf({ payloadHash: hashPayload(payload), status: 'failed' });
    assert.deepEqual(planRecord(mappingOf(), record, mapped, link), updateOf('7'));
  });
  test('the same hash without an external id is upserted again', () => {
    const link = linkOf({ payloadHash: hashPayload(payload), externalId: null });
    assert.deepEqual(planRecord(mappingOf(), record, mapped, link), upsertOf('a@b.ch'));
  });
  test('a target record found by initial matching is updated by the adopted id', () => {
    assert.deepEqual(planRecord(mappingOf(), record, mapped, undefined, '99'), updateOf('99'));
  });
  test('a person removed by a privacy deletion is never written again', () => {
    for (const targetDeletes of ['unlink', 'recreate'] as const) {
      const plan = planRecord(mappingOf({ targetDeletes }), record, mapped, linkOf({ status: 'deleted' }));
      assert.deepEqual(plan, { kind: 'unchanged', record });
    }
  });
  test('a target record deleted in the target stays deleted unless the mapping recreates it', () => {
    const link = linkOf({ status: 'target_deleted' });
    assert.deepEqual(planRecord(mappingOf(), record, mapped, link), { kind: 'unchanged', record });
    assert.deepEqual(
      planRecord(mappingOf({ targetDeletes: 'recreate' }), record, mapped, link),
      upsertOf('a@b.ch'),
      'recreated by its match key, not updated by the id of the deleted record',
    );
  });
  test('a source record that was removed and has come back is synced anew by its match key', () => {
    const link = linkOf({ status: 'removed', payloadHash: hashPayload(payload) });
    assert.deepEqual(planRecord(mappingOf(), record, mapped, link), upsertOf('a@b.ch'));
  });
  test('a mapping failure fails the record with the first error code and every message', () => {
    const failed = {
      ok: false as const,
      payload: { email: 'x' },
      errors: [
        { code: 'invalid_email', message: 'bad e-mail', field: 'email' },
        { code: 'required_field_missing', message: 'no name', field: 'name' },
      ],
    };
    assert.deepEqual(planRecord(mappingOf(), record, failed as never, linkOf()), {
      kind: 'fail',
      record,
      code: 'invalid_email',
      message: 'bad e-mail; no name',
      payload: { email: 'x' },
    });
    const noErrors = { ok: false as const, payload: {}, errors: [] };
    const plan = planRecord(mappingOf(), record, noErrors as never, undefined);
    assert.equal(plan.kind === 'fail' && plan.code, 'mapping_failed');
  });
  test('an empty, null or missing match value fails the record with match_key_missing', () => {
    for (const email of ['', null, undefined]) {
      const plan = planRecord(mappingOf(), record, { ok: true, payload: { email } }, undefined);
      assert.equal(plan.kind, 'fail', String(email));
      assert.equal(plan.kind === 'fail' && plan.code, 'match_key_missing');
      assert.match(plan.kind === 'fail' ? plan.message : '', /the match key 'email' is empty/);
    }
  });
  test('with the identifier assigned by the source, the match value is the source key', () => {
    const plan = planRecord(mappingOf({ identifier: 'source' }), record, mapped, undefined);
    assert.deepEqual(plan, upsertOf('42'));
  });
  test('update-only writes linked records and leaves unlinked ones alone', () => {
    const mapping = mappingOf({ sync: 'update' });
    assert.deepEqual(planRecord(mapping, record, mapped, undefined), { kind: 'unchanged', record });
    assert.deepEqual(planRecord(mapping, record, mapped, linkOf()), updateOf('7'));
  });
  test('insert-only creates unlinked records and leaves linked ones alone', () => {
    const mapping = mappingOf({ sync: 'insert' });
    assert.deepEqual(planRecord(mapping, record, mapped, linkOf()), { kind: 'unchanged', record });
    assert.deepEqual(planRecord(mapping, record, mapped, undefined), upsertOf('a@b.ch'));
    assert.deepEqual(planRecord(mapping, record, mapped, undefined, '99'), updateOf('99'));
  });
  test('itemOf fills every field an execution item needs, extras win', () => {
    assert.deepEqual(itemOf('42', 'create'), {
      sourceKey: '42',
      action: 'create',
      targetId: null,
      code: null,
      message: null,
      payload: null,
    });
    assert.deepEqual(itemOf('42', 'fail', { code: 'x', targetId: '7' }), {
      sourceKey: '42',
      action: 'fail',
      targetId: '7',
      code: 'x',
      message: null,
      payload: null,
    });
  });
});

/** A target that answers lookups from a fixed list and records what it was asked. */
const targetWith = (hits: LookupHit[]) => {
  const asked: { object: string; property: string; values: string[] }[] = [];
  const target = {
    system: 'crm',
    async lookup(object: string, property: string, values: string[]) {
      asked.push({ object, property, values });
      return hits.filter((h) => values.map((v) => v.trim().toLowerCase()).includes(h.value.toLowerCase()));
    },
  } as unknown as Connector;
  return { target, asked };
};
const noLookup = { system: 'files' } as unknown as Connector;
const hit = (value: string, id: string, properties: Record<string, unknown> = {}) => ({
  value,
  id,
  properties,
});
const upsert = (ref: string, value: string, property = 'email'): WriteOp => ({
  kind: 'upsert',
  ref,
  match: { property, value },
  properties: {},
});

describe('planWrites: what a dry run expects the target to answer', () => {
  test('an upsert of a value the target holds updates that record; an unknown value creates', async () => {
    const { target, asked } = targetWith([hit('a@b.ch', 't1')]);
    const results = await planWrites(
      target,
      'contacts',
      [upsert('1', ' A@B.ch '), upsert('2', 'new@b.ch')],
      new Map(),
      'crm',
    );
    assert.deepEqual(results, [
      { ref: '1', ok: true, externalId: 't1', created: false },
      { ref: '2', ok: true, externalId: '', created: true },
    ]);
    assert.deepEqual(asked, [{ object: 'contacts', property: 'email', values: [' A@B.ch ', 'new@b.ch'] }]);
  });
  test('match values are compared in lower case: STRASSE and straße are different records', async () => {
    // A target that folds case its own way and answers with a record Junction must not take for this one.
    const target = { system: 'crm', lookup: async () => [hit('strasse@b.ch', 't1')] } as unknown as Connector;
    const results = await planWrites(target, 'contacts', [upsert('1', 'STRAßE@b.ch')], new Map(), 'crm');
    assert.deepEqual(results, [{ ref: '1', ok: true, externalId: '', created: true }]);
  });
  test('one lookup per match property, each value asked once', async () => {
    const { target, asked } = targetWith([]);
    await planWrites(
      target,
      'contacts',
      [upsert('1', 'x'), upsert('2', 'x'), upsert('3', '9', 'number')],
      new Map(),
      'crm',
    );
    assert.deepEqual(asked, [
      { object: 'contacts', property: 'email', values: ['x'] },
      { object: 'contacts', property: 'number', values: ['9'] },
    ]);
  });
  test('an update by id is answered as an update of that id without a lookup', async () => {
    const { target, asked } = targetWith([]);
    const op: WriteOp = { kind: 'update', ref: '1', externalId: 'e1', properties: {} };
    assert.deepEqual(await planWrites(target, 'contacts', [op], new Map(), 'crm'), [
      { ref: '1', ok: true, externalId: 'e1', created: false },
    ]);
    assert.deepEqual(asked, []);
  });
  test('a value created earlier in the same dry run is updated, not created twice, on the same target only', async () => {
    const planned = new Map<string, string>();
    const first = await planWrites(noLookup, 'contacts', [upsert('1', 'a@b.ch')], planned, 'crm');
    const again = await planWrites(noLookup, 'contacts', [upsert('2', 'A@B.CH')], planned, 'crm');
    const otherTarget = await planWrites(noLookup, 'contacts', [upsert('3', 'a@b.ch')], planned, 'brevo');
    const otherObject = await planWrites(noLookup, 'companies', [upsert('4', 'a@b.ch')], planned, 'crm');
    assert.equal(first[0]?.ok && first[0].created, true);
    assert.deepEqual(again, [{ ref: '2', ok: true, externalId: '(new: a@b.ch)', created: false }]);
    assert.equal(otherTarget[0]?.ok && otherTarget[0].created, true);
    assert.equal(otherObject[0]?.ok && otherObject[0].created, true);
  });
});

describe('adoptExisting: initial matching', () => {
  const mapping = mappingOf({
    initialMatching: { property: 'email' },
    fields: [{ target: 'email', from: 'email' }],
  });
  const recordsOf = (...emails: (string | null)[]) =>
    emails.map((email, i) => ({ key: `r${i}`, data: { email } }));
  const mappedOf = (records: { key: string; data: { email: string | null } }[]) =>
    new Map(records.map((r) => [r.key, { ok: true as const, payload: { email: r.data.email } }]));

  test('adopts the one target record that carries the match value, compared without case or spaces', async () => {
    const records = [...recordsOf('A@b.ch ', 'unknown@b.ch'), { key: 'unmapped', data: { email: 'a@b.ch' } }];
    const { target, asked } = targetWith([hit('a@b.ch', 't1')]);
    const adopted = await adoptExisting(mapping, target, records, mappedOf(records.slice(0, 2)), new Map());
    assert.deepEqual([...adopted], [['r0', 't1']]);
    assert.deepEqual(asked, [{ object: 'contacts', property: 'email', values: ['a@b.ch', 'unknown@b.ch'] }]);
  });
  test('a value two target records share, or two source records share, is not adopted', async () => {
    const records = recordsOf('twice@b.ch', 'shared@b.ch', 'shared@b.ch', 'one@b.ch');
    const { target } = targetWith([
      hit('twice@b.ch', 't1'),
      hit('twice@b.ch', 't2'),
      hit('shared@b.ch', 't3'),
      hit('one@b.ch', 't4'),
    ]);
    const adopted = await adoptExisting(mapping, target, records, mappedOf(records), new Map());
    assert.deepEqual([...adopted], [['r3', 't4']]);
  });
  test('linked records, empty values and failed mappings are not looked up; nothing to look up asks nothing', async () => {
    const records = recordsOf('linked@b.ch', '', null, 'failed@b.ch');
    const mapped = new Map<string, never>([
      ['r0', { ok: true, payload: { email: 'linked@b.ch' } } as never],
      ['r1', { ok: true, payload: { email: '' } } as never],
      ['r2', { ok: true, payload: { email: null } } as never],
      ['r3', { ok: false, payload: { email: 'failed@b.ch' }, errors: [] } as never],
    ]);
    const { target, asked } = targetWith([hit('linked@b.ch', 't1'), hit('failed@b.ch', 't2')]);
    const links = new Map([['r0', linkOf({ sourceKey: 'r0' })]]);
    assert.equal((await adoptExisting(mapping, target, records, mapped, links)).size, 0);
    assert.deepEqual(asked, []);
  });
  test('the value comes from initialMatching.source when it names another mapped field', async () => {
    const m = mappingOf({ initialMatching: { property: 'erp_id', source: 'number' } });
    const records = [{ key: 'r0', data: {} }];
    const mapped = new Map([['r0', { ok: true as const, payload: { email: 'a@b.ch', number: 5 } }]]);
    const { target, asked } = targetWith([hit('5', 't5')]);
    assert.deepEqual([...(await adoptExisting(m, target, records, mapped, new Map()))], [['r0', 't5']]);
    assert.deepEqual(asked, [{ object: 'contacts', property: 'erp_id', values: ['5'] }]);
  });
  test('without initial matching nothing is looked up', async () => {
    const records = recordsOf('a@b.ch');
    const { target, asked } = targetWith([hit('a@b.ch', 't1')]);
    assert.equal((await adoptExisting(mappingOf(), target, records, mappedOf(records), new Map())).size, 0);
    assert.deepEqual(asked, []);
  });
  test('a target that cannot look records up is refused with lookup_unsupported', async () => {
    const records = recordsOf('a@b.ch');
    await assert.rejects(adoptExisting(mapping, noLookup, records, mappedOf(records), new Map()), (e) => {
      assert.ok(e instanceof LookupUnsupportedError);
      assert.equal(e.code, 'lookup_unsupported');
      assert.match(e.message, /initial matching needs a target that can look records up; files cannot/);
      return true;
    });
  });
});

describe('readBack: the value the target assigned', () => {
  const mapping = mappingOf({ readBack: { property: 'number', writeTo: 'crm_number' } });
  const ok = (ref: string, externalId: string): WriteResult => ({ ref, ok: true, externalId, created: true });

  test('reads the written records by id once and keeps the property by source key, null when absent', async () => {
    const { target, asked } = targetWith([hit('e1', 'e1', { number: 'D-1' }), hit('e2', 'e2', {})]);
    const results: WriteResult[] = [
      ok('1', 'e1'),
      ok('2', 'e2'),
      ok('3', 'e1'),
      { ref: '4', ok: false, code: 'x', message: 'refused' } as WriteResult,
      ok('5', 'gone'),
    ];
    const values = await readBack(mapping, target, results);
    assert.deepEqual(
      [...values],
      [
        ['1', 'D-1'],
        ['2', null],
        ['3', 'D-1'],
      ],
    );
    assert.deepEqual(asked, [{ object: 'contacts', property: 'id', values: ['e1', 'e2', 'gone'] }]);
  });
  test('reads by readBack.idProperty when the target finds records by another property', async () => {
    const m = mappingOf({ readBack: { property: 'number', idProperty: 'hs_object_id' } });
    const { target, asked } = targetWith([hit('e1', 'e1', { number: 3 })]);
    assert.deepEqual([...(await readBack(m, target, [ok('1', 'e1')]))], [['1', 3]]);
    assert.equal(asked[0]?.property, 'hs_object_id');
  });
  test('nothing written or no read-back asks nothing; a target without lookup is refused', async () => {
    const { target, asked } = targetWith([]);
    assert.equal((await readBack(mapping, target, [])).size, 0);
    assert.equal((await readBack(mappingOf(), target, [ok('1', 'e1')])).size, 0);
    assert.deepEqual(asked, []);
    await assert.rejects(readBack(mapping, noLookup, [ok('1', 'e1')]), /read-back needs a target/);
  });
});
