// Unit tests of privacy deletions, erasure and export (src/engine/deletions.ts) over the real store on a
// temp SQLite file, with in-memory systems: which linked records are reached, what each system is asked to
// do under each privacy policy, how refusals and outages are recorded, that a shared record is never
// erased, and what the audit keeps. Fast enough for `npm run mutation`.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Connector, RecordMark, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Connection, SyncLink } from '../../src/core/types.ts';
import { eraseRecord, exportRecord, handleDeletionRequest } from '../../src/engine/deletions.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

type Answer = (op: WriteOp) => WriteResult | Error;
interface System {
  writes: WriteOp[];
  marks: RecordMark[][];
  closed: number;
}

describe('privacy deletions and erasure over a SQLite store', () => {
  let db: TempDatabase;
  let store: Store;
  let n = 0;
  /** This test's prefix: connections, mappings and links are per test in the shared store. */
  let p = '';
  let systems: Map<string, System>;
  let answers: Map<string, Answer>;
  let broken: Set<string>;
  let noMarks: Set<string>;

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    p = `x${++n}`;
    systems = new Map();
    answers = new Map();
    broken = new Set();
    noMarks = new Set();
    for (const [id, name] of [
      ['erp', 'ERP'],
      ['crm', 'CRM'],
      ['mail', 'Mail'],
    ] as const)
      await store.connections.save({ id: `${p}${id}`, name, system: 'abacus', config: {}, secret: {} });
  });

  const c = (id: string) => `${p}${id}`;
  const sys = (id: string) => systems.get(c(id)) as System;
  const factory = (connection: Connection): Connector => {
    if (broken.has(connection.id))
      throw Object.assign(new Error('cannot open'), { code: 'secret_unreadable' });
    const s: System = systems.get(connection.id) ?? { writes: [], marks: [], closed: 0 };
    systems.set(connection.id, s);
    const answer = answers.get(connection.id);
    return {
      system: 'abacus',
      limits: { batchSize: 100 },
      describe: async () => [],
      read: () => {
        throw new Error('not read here');
      },
      async write(_object, ops) {
        s.writes.push(...ops);
        return ops.map((op) => {
          const a = answer?.(op) ?? { ref: op.ref, ok: true, externalId: op.ref, created: false };
          if (a instanceof Error) throw a;
          return a;
        });
      },
      ...(noMarks.has(connection.id)
        ? {}
        : {
            async writeMarks(_object: string, _key: string, marks: RecordMark[]) {
              s.marks.push(marks);
            },
          }),
      async lookup(object, property, values) {
        if (object === 'broken') throw new Error('lookup failed');
        return values.map((v) => ({
          id: v,
          value: v,
          properties: { [property]: v, object, from: connection.id },
        }));
      },
      check: async () => ({ ok: true, message: 'memory' }),
      async close() {
        s.closed++;
      },
    };
  };
  const o = () => ({ log, connectorFactory: factory });

  async function mapping(id: string, target: string, extra: Partial<MappingDefinitionInput> = {}) {
    await store.mappings.save(
      MappingDefinitionSchema.parse({
        id: `${p}${id}`,
        name: id,
        source: { connectionId: c('erp'), object: 'people', key: 'id', modifiedField: 'changed' },
        target: { connectionId: c(target), object: 'contacts' },
        matchKey: { target: 'email' },
        fields: [
          { target: 'email', from: 'email' },
          { target: 'address.city', from: 'city' },
          { target: 'changed_at', from: 'changed' },
        ],
        ...extra,
      }),
    );
  }
  const link = (
    key: string,
    target: string,
    externalId: string,
    extra: Partial<SyncLink> = {},
  ): SyncLink => ({
    sourceConnectionId: c('erp'),
    sourceObject: 'people',
    sourceKey: key,
    targetConnectionId: c(target),
    targetObject: 'contacts',
    externalId,
    lastSyncAt: null,
    lastSuccessAt: null,
    status: 'ok',
    remark: null,
    payloadHash: 'h',
    ...extra,
  });
  /** Person 1 is in the CRM (c1) and the mail tool (m1); person 2 only in the CRM (c2). */
  async function twoPeople(policy: 'delete' | 'anonymise' | undefined) {
    await mapping('to-crm', 'crm', policy ? { privacy: policy } : {});
    await mapping('to-mail', 'mail', policy ? { privacy: policy } : {});
    await store.syncLinks.upsert([link('1', 'crm', 'c1'), link('1', 'mail', 'm1'), link('2', 'crm', 'c2')]);
  }
  const linkStatus = async (key: string) =>
    (await store.syncLinks.forSourceRecord(c('erp'), 'people', key)).map((l) => [
      l.targetConnectionId.slice(p.length),
      l.status,
    ]);
  const auditOf = async (kind: string) =>
    (await store.audit.list({ kind, limit: 1000 })).filter((e) => e.connectionId.startsWith(p));

  test('an erasure deletes the person in every system under a delete policy and marks the links deleted', async () => {
    await twoPeople('delete');
    const out = await eraseRecord(
      store,
      { connectionId: c('erp'), object: 'people', key: '1' },
      { ...o(), by: 'anna' },
    );
    assert.equal(out.complete, true);
    assert.deepEqual(
      out.actions.map((a) => [a.connectionId.slice(p.length), a.role, a.action, a.code]),
      [
        ['erp', 'source', 'deleted', undefined],
        ['crm', 'target', 'deleted', undefined],
        ['mail', 'target', 'deleted', undefined],
      ],
    );
    assert.deepEqual(sys('crm').writes, [{ kind: 'delete', ref: 'c1', externalId: 'c1', privacy: true }]);
    assert.deepEqual(sys('erp').writes, [{ kind: 'delete', ref: '1', externalId: '1', privacy: true }]);
    assert.deepEqual(await linkStatus('1'), [
      ['crm', 'deleted'],
      ['mail', 'deleted'],
    ]);
    assert.deepEqual(await linkStatus('2'), [['crm', 'ok']], 'nobody else is touched');
    const remark = (await store.syncLinks.forSourceRecord(c('erp'), 'people', '1'))[0]?.remark;
    assert.equal(remark, 'erased on request');
    const audit = await auditOf('erasure');
    assert.deepEqual(audit.map((e) => [e.details.phase, e.details.by, e.details.linked]).sort(), [
      ['finished', 'anna', 3],
      ['started', 'anna', 3],
    ]);
    assert.ok(!JSON.stringify(audit).includes('"c1"'), 'the audit names no record id');
    assert.ok(
      Object.values(Object.fromEntries(systems)).every((s) => s.closed === 1),
      'every connector is closed',
    );
  });

  test('under the anonymise policy target fields are blanked and the source keeps only its key and modified column', async () => {
    await twoPeople('anonymise');
    const out = await eraseRecord(store, { connectionId: c('crm'), object: 'contacts', key: 'c1' }, o());
    assert.deepEqual(
      out.actions.map((a) => [a.connectionId.slice(p.length), a.role, a.action]),
      [
        ['erp', 'source', 'anonymised'],
        ['crm', 'target', 'anonymised'],
        ['mail', 'target', 'anonymised'],
      ],
    );
    assert.deepEqual(sys('crm').writes, [
      {
        kind: 'update',
        ref: 'c1',
        externalId: 'c1',
        properties: { email: null, address: null, changed_at: null },
      },
    ]);
    assert.deepEqual(sys('erp').marks, [[{ key: '1', values: { email: null, city: null } }]]);
  });

  test('no policy means anonymise; a record one of whose mappings deletes is deleted', async () => {
    await mapping('to-crm', 'crm');
    await mapping('to-mail', 'mail', { privacy: 'delete' });
    await store.syncLinks.upsert([link('1', 'crm', 'c1'), link('1', 'mail', 'm1')]);
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(
      out.actions.map((a) => [a.connectionId.slice(p.length), a.action]),
      [
        ['erp', 'deleted'],
        ['crm', 'anonymised'],
        ['mail', 'deleted'],
      ],
    );
  });

  test('a source that cannot be written to fails its anonymisation, and the erasure is incomplete', async () => {
    await twoPeople('anonymise');
    noMarks.add(c('erp'));
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.equal(out.complete, false);
    assert.deepEqual(out.actions[0], {
      connectionId: c('erp'),
      object: 'people',
      role: 'source',
      action: 'failed',
      code: 'anonymise_unsupported',
    });
    const finished = (await auditOf('erasure')).find((e) => e.details.phase === 'finished');
    assert.equal(finished?.details.complete, false);
  });

  test('a record already gone counts as done, by answer or by a 404', async () => {
    await twoPeople('delete');
    answers.set(c('crm'), (op) => ({
      ref: op.ref,
      ok: false,
      code: 'not_found',
      message: 'gone',
      retryable: false,
      gone: true,
    }));
    answers.set(c('mail'), () => Object.assign(new Error('404'), { status: 404 }));
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.equal(out.complete, true);
    assert.deepEqual(
      out.actions.slice(1).map((a) => [a.action, a.code]),
      [
        ['deleted', 'already_gone'],
        ['deleted', 'already_gone'],
      ],
    );
  });

  test('an anonymisation of a record already gone counts as done', async () => {
    await twoPeople('anonymise');
    answers.set(c('crm'), (op) => ({
      ref: op.ref,
      ok: false,
      code: 'not_found',
      message: 'gone',
      retryable: false,
      gone: true,
    }));
    answers.set(c('mail'), () => Object.assign(new Error('404'), { status: 404 }));
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(
      out.actions.slice(1).map((a) => [a.action, a.code]),
      [
        ['anonymised', 'already_gone'],
        ['anonymised', 'already_gone'],
      ],
    );
  });

  test('refusals and outages fail only their own record, with the code, and the erasure can be run again', async () => {
    await twoPeople('delete');
    answers.set(c('crm'), (op) => ({
      ref: op.ref,
      ok: false,
      code: 'locked',
      message: 'no',
      retryable: false,
    }));
    answers.set(c('mail'), () => new Error('socket hang up'));
    answers.set(c('erp'), () => Object.assign(new Error('busy'), { code: 'remote_503' }));
    const first = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.equal(first.complete, false);
    assert.deepEqual(
      first.actions.map((a) => [a.action, a.code]),
      [
        ['failed', 'remote_503'],
        ['failed', 'locked'],
        ['failed', 'deletion_failed'],
      ],
    );
    answers.clear();
    const again = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.equal(again.complete, true, 'a second erasure walks the links the first marked deleted');
    assert.equal(again.actions.length, 3);
  });

  test('an answer without a result fails the record as no_result', async () => {
    await twoPeople('anonymise');
    answers.set(c('crm'), () => undefined as never);
    const crmConnector = factory;
    const out = await eraseRecord(
      store,
      { connectionId: c('crm'), object: 'contacts', key: 'c1' },
      {
        log,
        connectorFactory: (conn) => {
          const made = crmConnector(conn);
          return conn.id === c('crm') ? { ...made, write: async () => [] } : made;
        },
      },
    );
    const crm = out.actions.find((a) => a.connectionId === c('crm'));
    assert.deepEqual([crm?.action, crm?.code], ['failed', 'no_result']);
  });

  test('a connection that cannot be opened fails its records; the others are still erased', async () => {
    await twoPeople('delete');
    broken.add(c('mail'));
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(
      out.actions.map((a) => [a.connectionId.slice(p.length), a.action, a.code]),
      [
        ['erp', 'deleted', undefined],
        ['crm', 'deleted', undefined],
        ['mail', 'failed', 'secret_unreadable'],
      ],
    );
  });

  test('a target record other people are synced into is skipped and not walked through', async () => {
    await twoPeople('delete');
    // Person 3 shares the CRM contact of person 1 (one e-mail), and reaches the mail tool through it.
    await store.syncLinks.upsert([link('3', 'crm', 'c1'), link('3', 'mail', 'm3')]);
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(
      out.actions.map((a) => [a.connectionId.slice(p.length), a.action, a.code]),
      [
        ['erp', 'deleted', undefined],
        ['crm', 'skipped', 'shared_record'],
        ['mail', 'deleted', undefined],
      ],
    );
    assert.deepEqual(sys('crm').writes, []);
    assert.deepEqual(await linkStatus('3'), [
      ['crm', 'ok'],
      ['mail', 'ok'],
    ]);
  });

  test("an erasure purges the person's association rows, owned and pointed at, and no one else's", async () => {
    await twoPeople('delete');
    const row = (mappingId: string, sourceKey: string, toId: string) => ({
      mappingId: `${p}${mappingId}`,
      sourceKey,
      toObject: 'companies',
      relatedKey: 'o1',
      fromId: `c${sourceKey}`,
      toId,
      status: 'ok' as const,
      remark: null,
    });
    // Person 1's own row; person 2's row pointing at person 1's CRM contact; person 2's own row.
    await store.associations.upsert([
      row('to-crm', '1', 'k1'),
      row('to-crm', '2', 'c1'),
      row('to-mail', '2', 'k2'),
    ]);
    await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(await store.associations.getMany(`${p}to-crm`, ['1', '2']), []);
    assert.equal((await store.associations.getMany(`${p}to-mail`, ['2'])).length, 1);
  });

  test('every handled record is reported to afterRecord, and an erasure without a requester audits none', async () => {
    await twoPeople('delete');
    let handled = 0;
    await eraseRecord(
      store,
      { connectionId: c('erp'), object: 'people', key: '1' },
      {
        ...o(),
        afterRecord: () => {
          handled++;
        },
      },
    );
    assert.equal(handled, 3);
    assert.deepEqual(
      (await auditOf('erasure')).map((e) => e.details.by),
      [null, null],
    );
  });

  test('an incomplete erasure is warned about; a complete one is not', async () => {
    await twoPeople('delete');
    answers.set(c('mail'), () => new Error('down'));
    const warnings: unknown[] = [];
    const warnLog = { warn: (...a: unknown[]) => warnings.push(a) } as never;
    await eraseRecord(
      store,
      { connectionId: c('erp'), object: 'people', key: '1' },
      { log: warnLog, connectorFactory: factory },
    );
    assert.equal(warnings.length, 1);
    answers.clear();
    await eraseRecord(
      store,
      { connectionId: c('erp'), object: 'people', key: '1' },
      { log: warnLog, connectorFactory: factory },
    );
    assert.equal(warnings.length, 1);
  });

  test("a target record shared only through links already removed or deleted is the person's own", async () => {
    await twoPeople('delete');
    await store.syncLinks.upsert([
      link('3', 'crm', 'c1', { status: 'removed' }),
      link('4', 'crm', 'c1', { status: 'target_deleted' }),
      link('5', 'crm', 'c1', { status: 'deleted' }),
    ]);
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(
      out.actions.find((a) => a.connectionId === c('crm')),
      { connectionId: c('crm'), object: 'contacts', role: 'target', action: 'deleted' },
    );
  });

  test('an export names a system that could not answer, with its message', async () => {
    await mapping('to-crm', 'crm');
    await store.syncLinks.upsert([{ ...link('1', 'crm', 'c1'), targetObject: 'broken' }]);
    await store.mappings.save(
      MappingDefinitionSchema.parse({
        id: `${p}to-broken`,
        name: 'broken',
        source: { connectionId: c('erp'), object: 'people', key: 'id' },
        target: { connectionId: c('crm'), object: 'broken' },
        matchKey: { target: 'email' },
        fields: [{ target: 'email', from: 'email' }],
      }),
    );
    const out = await exportRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual((out.systems as Record<string, unknown>[])[1], {
      connectionId: c('crm'),
      object: 'broken',
      key: 'c1',
      role: 'target',
      error: 'lookup failed',
    });
    assert.equal(sys('crm').closed, 1, 'the connector is closed after a failed lookup too');
  });

  test("the person's run items are exported and purged; another system's record with the same key is not theirs", async () => {
    await twoPeople('delete');
    // A second business system whose record 1 is someone else (keys collide across systems).
    await store.connections.save({ id: c('hr'), name: 'HR', system: 'abacus', config: {}, secret: {} });
    await store.mappings.save(
      MappingDefinitionSchema.parse({
        id: `${p}hr`,
        name: 'hr',
        source: { connectionId: c('hr'), object: 'staff', key: 'id' },
        target: { connectionId: c('crm'), object: 'contacts' },
        matchKey: { target: 'email' },
        fields: [{ target: 'email', from: 'email' }],
      }),
    );
    const counts = { read: 0, filtered: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
    const itemsFor = async (taskId: string, mappingId: string, items: [string, string | null][]) => {
      await store.tasks.save({
        id: taskId,
        name: taskId,
        mappingId,
        schedule: null,
        enabled: true,
        mode: 'full',
        notify: { on: [], to: [] },
        params: {},
      });
      const { execution } = await store.executions.begin({
        taskId,
        trigger: 'manual',
        owner: 'test:1',
        staleAfterMs: 60_000,
      });
      await store.executions.commitPage({
        executionId: execution.id,
        taskId,
        counts,
        items: items.map(([sourceKey, targetId]) => ({
          sourceKey,
          targetId,
          action: 'create' as const,
          code: null,
          message: null,
          payload: { email: `${sourceKey}@example.ch` },
        })),
        links: [],
        position: null,
        page: 1,
      });
      return execution.id;
    };
    await itemsFor(`${p}t-crm`, `${p}to-crm`, [
      ['1', 'c1'],
      ['2', 'c2'],
    ]);
    await itemsFor(`${p}t-hr`, `${p}hr`, [['1', 'h1']]);
    const exported = await exportRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.deepEqual(
      (exported.runItems as { sourceKey: string; targetId: string }[]).map((i) => [i.sourceKey, i.targetId]),
      [['1', 'c1']],
    );
    const out = await eraseRecord(store, { connectionId: c('erp'), object: 'people', key: '1' }, o());
    assert.equal(out.itemsPurged, 1);
    assert.equal(out.uploadsRemoved, 0);
  });

  test('a record linked nowhere cannot be erased or exported', async () => {
    await twoPeople('delete');
    const req = { connectionId: c('erp'), object: 'people', key: '99' };
    await assert.rejects(eraseRecord(store, req, o()), NotFoundError);
    await assert.rejects(exportRecord(store, req, o()), NotFoundError);
  });

  test('an ordinary deletion in a target only unlinks it, erases nothing, and is audited', async () => {
    await twoPeople('delete');
    const before = Date.now();
    const out = await handleDeletionRequest(
      store,
      { connectionId: c('crm'), object: 'contacts', externalId: 'c1', privacy: false, eventId: 'ev1' },
      o(),
    );
    assert.deepEqual(out.actions, [
      { connectionId: c('erp'), object: 'people', role: 'source', action: 'unlinked' },
    ]);
    assert.equal(systems.size, 0, 'no system is asked anything');
    const [crmLink] = await store.syncLinks.forSourceRecord(c('erp'), 'people', '1');
    assert.equal(crmLink?.status, 'target_deleted');
    assert.equal(crmLink?.payloadHash, null);
    assert.ok(((crmLink?.lastSyncAt as Date | undefined)?.getTime() ?? 0) >= before);
    assert.match(crmLink?.remark ?? '', /^deleted in CRM \(contacts\) on \d{4}-\d\d-\d\dT/);
    const [entry] = await auditOf('deletion');
    assert.equal(entry?.id, out.auditId);
    assert.deepEqual(
      [entry?.details.object, entry?.details.eventId, entry?.details.linked],
      ['contacts', 'ev1', 1],
    );
  });

  test('an ordinary deletion leaves links already removed or deleted alone', async () => {
    await twoPeople('delete');
    await store.syncLinks.upsert([link('1', 'crm', 'c1', { status: 'removed' })]);
    const out = await handleDeletionRequest(
      store,
      { connectionId: c('crm'), object: 'contacts', externalId: 'c1', privacy: false },
      o(),
    );
    assert.deepEqual(out.actions, []);
    assert.equal((await auditOf('deletion'))[0]?.details.eventId, null);
  });

  test('a privacy deletion in a target erases the person everywhere else, the deleted record itself left out', async () => {
    await twoPeople('delete');
    const out = await handleDeletionRequest(
      store,
      { connectionId: c('crm'), object: 'contacts', externalId: 'c1', privacy: true, eventId: 'ev2' },
      o(),
    );
    assert.deepEqual(
      out.actions.map((a) => [a.connectionId.slice(p.length), a.role, a.action]),
      [
        ['erp', 'source', 'deleted'],
        ['mail', 'target', 'deleted'],
      ],
    );
    assert.equal(systems.has(c('crm')), false, 'the system the record was deleted in is not asked');
    assert.deepEqual(await linkStatus('1'), [
      ['crm', 'deleted'],
      ['mail', 'deleted'],
    ]);
    const [entry] = await auditOf('privacy_deletion');
    assert.deepEqual(
      [entry?.details.eventId, entry?.details.linked, entry?.details.itemsPurged, entry?.details.shared],
      ['ev2', 2, 0, undefined],
    );
  });

  test('a second privacy deletion of the same person acts nowhere again', async () => {
    await twoPeople('delete');
    const req = { connectionId: c('crm'), object: 'contacts', externalId: 'c1', privacy: true };
    await handleDeletionRequest(store, req, o());
    const again = await handleDeletionRequest(store, req, o());
    assert.deepEqual(again.actions, []);
  });

  test('a privacy deletion of a record several people share erases no one and says so', async () => {
    await twoPeople('delete');
    await store.syncLinks.upsert([link('3', 'crm', 'c1')]);
    const warnings: unknown[] = [];
    const out = await handleDeletionRequest(
      store,
      { connectionId: c('crm'), object: 'contacts', externalId: 'c1', privacy: true },
      { log: { warn: (...a: unknown[]) => warnings.push(a) } as never, connectorFactory: factory },
    );
    assert.deepEqual(out.actions, []);
    assert.equal((await auditOf('privacy_deletion'))[0]?.details.shared, true);
    assert.equal(warnings.length, 1);
    assert.deepEqual(await linkStatus('1'), [
      ['crm', 'ok'],
      ['mail', 'ok'],
    ]);
  });

  test('a privacy deletion that failed somewhere is warned about', async () => {
    await twoPeople('delete');
    answers.set(c('mail'), () => new Error('down'));
    const warnings: unknown[] = [];
    const out = await handleDeletionRequest(
      store,
      { connectionId: c('crm'), object: 'contacts', externalId: 'c1', privacy: true },
      { log: { warn: (...a: unknown[]) => warnings.push(a) } as never, connectorFactory: factory },
    );
    assert.ok(out.actions.some((a) => a.action === 'failed'));
    assert.equal(warnings.length, 1);
  });

  test('an export shows the links and what each linked system holds now, shared records hidden', async () => {
    await twoPeople('delete');
    await store.syncLinks.upsert([link('3', 'mail', 'm1')]);
    const out = await exportRecord(
      store,
      { connectionId: c('erp'), object: 'people', key: '1' },
      { ...o(), by: 'api' },
    );
    assert.deepEqual(out.subject, { connectionId: c('erp'), object: 'people', key: '1' });
    assert.equal((out.links as SyncLink[]).length, 2);
    assert.deepEqual(out.systems, [
      {
        connectionId: c('erp'),
        object: 'people',
        key: '1',
        role: 'source',
        record: { id: '1', object: 'people', from: c('erp') },
      },
      {
        connectionId: c('crm'),
        object: 'contacts',
        key: 'c1',
        role: 'target',
        record: { id: 'c1', object: 'contacts', from: c('crm') },
      },
      { connectionId: c('mail'), object: 'contacts', role: 'target', shared: true },
    ]);
    assert.deepEqual(out.runItems, []);
    const [entry] = await auditOf('export');
    assert.deepEqual([entry?.details.by, entry?.details.linked], ['api', 3]);
    assert.deepEqual(systems.get(c('erp'))?.writes, [], 'an export changes nothing');
  });
});
