import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TaskBusyError } from '../../src/core/errors.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { ZERO_COUNTS } from '../../src/core/types.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const scope = {
  sourceConnectionId: 'erp',
  sourceObject: 'people',
  targetConnectionId: 'hs',
  targetObject: 'contacts',
};

for (const dialect of DIALECTS) {
  describe(`store on ${dialect.name}`, () => {
    let tmp: TempDatabase;
    let store: Store;

    before(async () => {
      tmp = await dialect.create();
      store = await openTestStore(tmp);
      await store.mappings.save(
        MappingDefinitionSchema.parse({
          id: 'people-to-hubspot',
          name: 'People → HubSpot',
          source: { connectionId: 'erp', object: 'people', key: 'id' },
          target: { connectionId: 'hs', object: 'contacts' },
          matchKey: { target: 'email' },
          fields: [{ target: 'email', from: 'email' }],
        }),
      );
      for (const id of ['t1', 't2', 't3']) {
        await store.tasks.save({
          id,
          name: id,
          mappingId: 'people-to-hubspot',
          schedule: { everyMinutes: 15 },
          enabled: true,
          mode: 'incremental',
          notify: { on: ['failure'], to: [] },
          params: {},
        });
      }
    });
    after(async () => {
      await store?.close();
      await tmp?.drop();
    });

    test('migrating again is a no-op', async () => {
      assert.deepEqual(await migrateToLatest(store.db, store.dialect), []);
    });

    test('connection secrets are sealed in the table and opened on read', async () => {
      await store.connections.save({
        id: 'hs',
        name: 'HubSpot',
        system: 'hubspot',
        config: { baseUrl: 'http://x' },
        secret: { accessToken: 'pat-na1-SECRET-123' },
      });
      const raw = await store.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', 'hs')
        .executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(raw).includes('SECRET-123'), 'the token must not be stored in clear');
      assert.equal((await store.connections.get('hs')).secret.accessToken, 'pat-na1-SECRET-123');
      const listed = await store.connections.list();
      assert.ok(!JSON.stringify(listed).includes('SECRET-123'));
      assert.equal(listed.find((c) => c.id === 'hs')?.secretSet, true);
    });

    test('a task cannot start twice while its run is alive', async () => {
      const first = await store.executions.begin({
        taskId: 't1',
        trigger: 'manual',
        owner: 'a:1',
        staleAfterMs: 60_000,
      });
      await assert.rejects(
        store.executions.begin({ taskId: 't1', trigger: 'manual', owner: 'b:2', staleAfterMs: 60_000 }),
        TaskBusyError,
      );
      await store.executions.finish({
        executionId: first.execution.id,
        taskId: 't1',
        status: 'succeeded',
        counts: { ...ZERO_COUNTS },
        completed: true,
        watermark: null,
      });
      const second = await store.executions.begin({
        taskId: 't1',
        trigger: 'manual',
        owner: 'b:2',
        staleAfterMs: 60_000,
      });
      await store.executions.finish({
        executionId: second.execution.id,
        taskId: 't1',
        status: 'succeeded',
        counts: { ...ZERO_COUNTS },
        completed: true,
        watermark: null,
      });
    });

    test('a crashed run is closed as failed and its successor resumes from its last committed page', async () => {
      const crashed = await store.executions.begin({
        taskId: 't2',
        trigger: 'schedule',
        owner: 'host:999999',
        staleAfterMs: 60_000,
      });
      await store.executions.commitPage({
        executionId: crashed.execution.id,
        taskId: 't2',
        page: 1,
        counts: { ...ZERO_COUNTS, read: 100, created: 100 },
        items: [
          {
            sourceKey: '1',
            targetId: '501',
            action: 'create',
            code: null,
            message: null,
            payload: { email: 'a@b.ch' },
          },
        ],
        links: [],
        position: { base: null, position: { modified: '2025-01-01T00:00:00.000Z', key: '100' } },
      });
      const next = await store.executions.begin({
        taskId: 't2',
        trigger: 'schedule',
        owner: 'host:1',
        staleAfterMs: 60_000,
        ownerIsGone: (owner) => owner === 'host:999999',
      });
      assert.deepEqual(next.resume?.position, { modified: '2025-01-01T00:00:00.000Z', key: '100' });
      assert.equal(next.resume?.executionId, crashed.execution.id);
      const old = await store.executions.get(crashed.execution.id);
      assert.equal(old.status, 'failed');
      assert.equal(old.error?.code, 'crashed');
      assert.equal(old.counts.created, 100);
      assert.equal((await store.executions.items(crashed.execution.id)).length, 1);

      await store.executions.finish({
        executionId: next.execution.id,
        taskId: 't2',
        status: 'succeeded',
        counts: { ...ZERO_COUNTS },
        completed: true,
        watermark: { modified: '2025-02-01T00:00:00.000Z', key: '200' },
      });
      const cp = await store.executions.checkpoint('t2');
      assert.deepEqual(cp?.watermark, { modified: '2025-02-01T00:00:00.000Z', key: '200' });
      assert.equal(cp?.inProgress, null);
    });

    test('a page commit retried after it went through is not recorded twice', async () => {
      const run = await store.executions.begin({
        taskId: 't3',
        trigger: 'manual',
        owner: 'a:1',
        staleAfterMs: 60_000,
      });
      const item = {
        sourceKey: '1',
        targetId: '9',
        action: 'create' as const,
        code: null,
        message: null,
        payload: null,
      };
      const page = {
        executionId: run.execution.id,
        taskId: 't3',
        counts: { ...ZERO_COUNTS, read: 1, created: 1 },
        items: [item],
        links: [],
        position: { base: null, position: { k: '1' } },
        page: 1,
      };
      await store.executions.commitPage(page);
      await store.executions.commitPage(page);
      await store.executions.commitPage({ ...page, page: 2, items: [{ ...item, sourceKey: '2' }] });
      assert.deepEqual(
        (await store.executions.items(run.execution.id)).map((i) => i.sourceKey),
        ['1', '2'],
      );
      await store.executions.finish({
        executionId: run.execution.id,
        taskId: 't3',
        status: 'succeeded',
        counts: { ...ZERO_COUNTS },
        completed: true,
      });
    });

    test('closeStale closes runs whose heartbeat is too old and leaves live ones', async () => {
      const old = new Date(Date.now() - 10 * 60_000);
      const stale = await store.executions.begin({
        taskId: 't3',
        trigger: 'schedule',
        owner: 'x:1',
        staleAfterMs: 60_000,
        now: old,
      });
      const closed = await store.executions.closeStale({ staleAfterMs: 60_000 });
      assert.deepEqual(closed, [stale.execution.id]);
      assert.equal((await store.executions.get(stale.execution.id)).status, 'failed');
      assert.deepEqual(await store.executions.closeStale({ staleAfterMs: 60_000 }), []);
    });

    test('sync links upsert by source record and target and read back by key', async () => {
      const now = new Date('2025-05-05T05:05:05.000Z');
      const link = (i: number) => ({
        ...scope,
        sourceKey: String(i),
        externalId: `hs-${i}`,
        lastSyncAt: now,
        lastSuccessAt: now,
        status: 'ok' as const,
        remark: null,
        payloadHash: `h${i}`,
      });
      await store.syncLinks.upsert(Array.from({ length: 450 }, (_, i) => link(i)));
      await store.syncLinks.upsert([
        { ...link(7), status: 'retry', remark: 'RATE_LIMITS', lastSuccessAt: now },
      ]);
      const got = await store.syncLinks.getMany(scope, ['7', '8', 'nope']);
      assert.equal(got.size, 2);
      assert.equal(got.get('7')?.status, 'retry');
      assert.equal(got.get('8')?.externalId, 'hs-8');
      assert.deepEqual(got.get('8')?.lastSyncAt, now);
      assert.deepEqual(await store.syncLinks.retryKeys(scope), ['7']);
      assert.equal(await store.syncLinks.count(scope), 450);
    });
  });
}
