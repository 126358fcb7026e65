import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Result, recordRun, seedPeopleTasks } from '../helpers/recorded-runs.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const fail = (key: string, code = 'invalid_email', payload?: unknown): Result => ({
  key,
  action: 'fail',
  code,
  payload,
});
const ok = (key: string): Result => ({ key, action: 'update' });

type Row = { taskId: string; sourceKey: string; attempts: number; code: string; name: string | null };

for (const dialect of DIALECTS) {
  describe(`the error log as a worklist on ${dialect.name}`, () => {
    let tmp: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let viewer: Client;
    const list = async (query = '') => {
      const res = await viewer.get(`/api/errors${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { total: number; errors: Row[]; codes: { code: string; count: number }[] };
    };
    const openCount = async () => (await viewer.get('/api/errors/count')).json().open as number;

    before(async () => {
      tmp = await dialect.create();
      store = await openTestStore(tmp);
      ({ app, admin, viewer } = await createTestServer(store));
      await seedPeopleTasks(store, ['people-sync', 'people-nightly']);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await tmp?.drop();
    });

    test('a record that fails in several runs is one row with its attempts, named from its payload', async () => {
      const person = { firstname: 'Anna', lastname: 'Muster', email: 'anna@' };
      await recordRun(store, 'people-sync', [fail('7', 'invalid_email', person), ok('8')]);
      await recordRun(store, 'people-sync', [
        fail('7', 'invalid_email', person),
        fail('9', 'required_field_missing'),
      ]);
      await recordRun(store, 'people-sync', [fail('7', 'invalid_email', person)]);
      const log = await list();
      assert.equal(log.total, 2);
      const seven = log.errors.find((e) => e.sourceKey === '7');
      assert.equal(seven?.attempts, 3);
      assert.equal(seven?.name, 'Anna Muster');
      assert.equal(
        log.errors.find((e) => e.sourceKey === '9')?.name,
        null,
        'no name mapped: the key is shown',
      );
      assert.equal(await openCount(), log.total, 'the dashboard count is the log count');
    });

    test('a record that went through since is no open error any more', async () => {
      await recordRun(store, 'people-sync', [ok('9')]);
      const log = await list();
      assert.deepEqual(
        log.errors.map((e) => e.sourceKey),
        ['7'],
      );
      assert.equal(await openCount(), 1);
    });

    test('the same record failing in another task is its own row; filters by task, code and since', async () => {
      await recordRun(store, 'people-nightly', [fail('7', 'hubspot_conflict')]);
      assert.equal((await list()).total, 2);
      assert.equal((await list('?taskId=people-nightly')).errors[0]?.code, 'hubspot_conflict');
      assert.deepEqual(
        (await list('?code=invalid_email')).errors.map((e) => [e.taskId, e.sourceKey]),
        [['people-sync', '7']],
      );
      assert.equal(
        (await list(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).total,
        0,
      );
      assert.deepEqual((await list()).codes.map((c) => c.code).sort(), ['hubspot_conflict', 'invalid_email']);
    });

    test('resolve and ignore take rows off the open list with a note until the record fails again', async () => {
      const res = await admin.send('POST', '/api/errors/resolve', {
        records: [{ taskId: 'people-nightly', sourceKey: '7' }],
        state: 'ignored',
        note: 'duplicate in HubSpot, cleaned up by hand',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await openCount(), 1);
      const ignored = await list('?state=ignored');
      assert.equal(ignored.total, 1);
      assert.equal(
        (ignored.errors[0] as unknown as { resolution: { note: string; by: string } }).resolution.note,
        'duplicate in HubSpot, cleaned up by hand',
      );
      await recordRun(store, 'people-nightly', [fail('7', 'hubspot_conflict')]);
      assert.equal(await openCount(), 2, 'a failure after the mark opens the row again');
    });

    test('retry selected marks the records for another try and runs their task', async () => {
      await store.syncLinks.upsert([
        {
          sourceConnectionId: 'erp',
          sourceObject: 'people',
          sourceKey: '7',
          targetConnectionId: 'hubspot',
          targetObject: 'contacts',
          externalId: null,
          lastSyncAt: new Date(),
          lastSuccessAt: null,
          status: 'failed',
          remark: 'refused',
          payloadHash: 'x',
        },
      ]);
      const res = await admin.send('POST', '/api/errors/retry', {
        records: [{ taskId: 'people-sync', sourceKey: '7' }],
      });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(res.json().runs[0].marked, 1);
      assert.ok(res.json().runs[0].executionId, 'the task runs now');
      const [link] = await store.syncLinks.forSourceKey('7');
      assert.equal(link?.status, 'retry');
    });

    test('viewers read the log but cannot resolve or retry', async () => {
      const res = await viewer.send('POST', '/api/errors/resolve', {
        records: [{ taskId: 'people-sync', sourceKey: '7' }],
        state: 'resolved',
      });
      assert.equal(res.statusCode, 403);
    });

    test('resolving a record of an unknown task is refused by name', async () => {
      const res = await admin.send('POST', '/api/errors/resolve', {
        records: [{ taskId: 'nope', sourceKey: '7' }],
        state: 'resolved',
      });
      assert.equal(res.statusCode, 404);
      assert.match(res.json().error.message, /nope/);
    });
  });
}
