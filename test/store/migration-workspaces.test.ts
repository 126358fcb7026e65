import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { up as up0013 } from '../../src/store/migrations/0013-workspaces.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { recordRun } from '../helpers/recorded-runs.ts';
import { ADMIN, type Client, createTestServer, VIEWER } from '../helpers/server.ts';

/** The last migration before workspaces: a store as the version before issue 21 left it. */
const BEFORE_WORKSPACES = '0012-worklist-index';

const CONFIG = `
connections:
  - { id: erp, system: sql, config: { url: "sqlite::memory:" } }
  - { id: crm, system: hubspot, config: { baseUrl: "http://127.0.0.1:9" }, secret: { accessToken: pat-old-secret } }
mappings:
  - id: people
    name: People
    source: { connectionId: erp, object: people, key: id }
    target: { connectionId: crm, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email }
tasks:
  - { id: people-sync, name: People sync, mapping: people, schedule: { everyMinutes: 15 }, enabled: true }
  - { id: people-nightly, name: People nightly, mapping: people, schedule: { cron: "0 2 * * *" }, enabled: true }
`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const stamp = '2026-01-15T10:00:00.000Z';

/** Every row the old store holds, table by table (the upgrade must keep each one). */
async function rowCounts(store: Store): Promise<Record<string, number>> {
  const tables = [
    'connections',
    'mapping_definitions',
    'tasks',
    'executions',
    'execution_items',
    'sync_links',
    'checkpoints',
    'settings',
    'users',
    'api_tokens',
    'audit_log',
    'error_resolutions',
  ] as const;
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(
      store.db,
    );
    counts[t] = Number(rows[0]?.n);
  }
  return counts;
}

for (const dialect of DIALECTS) {
  describe(`upgrading a store from before workspaces on ${dialect.name}`, () => {
    let tmp: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let before0013: Record<string, number>;
    const ids: { admin: string; viewer: string; runs: string[] } = { admin: '', viewer: '', runs: [] };
    const dialectName = dialect.name === 'SQLite' ? 'sqlite' : 'postgres';

    before(async () => {
      tmp = await dialect.create();
      // Not migrated on open: the store is taken up to the last migration before workspaces only.
      store = await openStore({
        databaseUrl: tmp.url,
        secretBox: createSecretBox(randomBytes(32)),
        migrate: false,
      });
      const applied = await migrateToLatest(store.db, dialectName, { upTo: BEFORE_WORKSPACES });
      assert.equal(applied.at(-1), BEFORE_WORKSPACES);
      assert.ok(!applied.includes('0013-workspaces'));

      // What the version before wrote: configuration, runs with items, links, checkpoints, settings.
      await applyConfig(store, parseConfigText(CONFIG));
      // Saved enabled, then switched off in SQL: today's store code, saving a disabled task, also clears its
      // place in the run line (run_waits, 0018), a table a store this old does not have yet.
      await store.db.updateTable('tasks').set({ enabled: 0 }).where('id', '=', 'people-nightly').execute();
      ids.runs.push(
        await recordRun(store, 'people-sync', [
          { key: '1', action: 'create' },
          { key: '2', action: 'fail', code: 'invalid_email', payload: { email: 'anna@' } },
        ]),
        await recordRun(store, 'people-sync', [
          { key: '3', action: 'update' },
          { key: '4', action: 'fail', code: 'required_field_missing' },
        ]),
      );
      await store.syncLinks.upsert([
        {
          sourceConnectionId: 'erp',
          sourceObject: 'people',
          sourceKey: '1',
          targetConnectionId: 'crm',
          targetObject: 'contacts',
          externalId: 'hs-1',
          lastSyncAt: new Date(stamp),
          lastSuccessAt: new Date(stamp),
          status: 'ok',
          remark: null,
          payloadHash: 'h1',
        },
        {
          sourceConnectionId: 'erp',
          sourceObject: 'people',
          sourceKey: '2',
          targetConnectionId: 'crm',
          targetObject: 'contacts',
          externalId: null,
          lastSyncAt: new Date(stamp),
          lastSuccessAt: null,
          status: 'failed',
          remark: 'invalid email',
          payloadHash: 'h2',
        },
      ]);
      // The run's checkpoint, with the watermark an incremental source left.
      await store.db
        .updateTable('checkpoints')
        .set({ watermark: JSON.stringify({ modified_at: stamp }), execution_id: ids.runs[1] as string })
        .where('task_id', '=', 'people-sync')
        .execute();
      await store.settings.update({ timezone: 'America/New_York', retentionDays: 30 });
      await store.errors.resolve({
        taskId: 'people-sync',
        sourceKeys: ['4'],
        state: 'ignored',
        note: 'no email in the ERP',
        by: 'admin',
      });
      // Users, tokens and audit entries as the old schema had them (no memberships, no token workspace).
      ids.admin = 'u-admin';
      ids.viewer = 'u-viewer';
      for (const [id, who, role] of [
        [ids.admin, ADMIN, 'admin'],
        [ids.viewer, VIEWER, 'viewer'],
      ] as const)
        await store.db
          .insertInto('users')
          .values({
            id,
            username: who.username,
            name: who.username,
            role,
            password_hash: await hashPassword(who.password),
            must_change_password: 0,
            disabled: 0,
            created_at: stamp,
            updated_at: stamp,
          })
          .execute();
      for (const [id, userId, role] of [
        ['oldviewer', ids.viewer, 'viewer'],
        ['oldadmin', ids.admin, 'admin'],
        ['oldadminro', ids.admin, 'viewer'],
      ] as const)
        await store.db
          .insertInto('api_tokens')
          .values({
            id,
            user_id: userId,
            name: `token ${id}`,
            token_hash: sha256(`secret-${id}`),
            last_used_at: null,
            created_at: stamp,
            expires_at: null,
            role,
          } as never)
          .execute();
      for (const [id, connectionId, kind] of [
        ['a-config', 'erp', 'connection.changed'],
        ['a-login', '', 'login'],
      ] as const)
        await store.db
          .insertInto('audit_log')
          .values({
            id,
            at: stamp,
            kind,
            connection_id: connectionId,
            subject: `subject-${id}`,
            details: JSON.stringify({ by: 'admin' }),
          } as never)
          .execute();
      before0013 = await rowCounts(store);

      // 0013 and whatever came after it (later migrations land independently).
      const upgraded = await migrateToLatest(store.db, dialectName);
      assert.equal(upgraded[0], '0013-workspaces', upgraded.join(', '));
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await tmp?.drop();
    });

    test('every row is still there after the upgrade', async () => {
      assert.ok(
        Object.values(before0013).every((n) => n > 0),
        JSON.stringify(before0013),
      );
      assert.deepEqual(await rowCounts(store), before0013);
    });

    test('connections, mappings and tasks are read through the store, whole and as the default workspace', async () => {
      for (const view of [store, store.inWorkspace('default')]) {
        assert.deepEqual((await view.connections.list()).map((c) => c.id).sort(), ['crm', 'erp']);
        const crm = await view.connections.get('crm');
        assert.deepEqual(crm.secret, { accessToken: 'pat-old-secret' }, 'the sealed secret still opens');
        assert.equal((await view.mappings.get('people')).target.object, 'contacts');
        assert.deepEqual((await view.tasks.list()).map((t) => [t.id, t.enabled, t.schedule]).sort(), [
          ['people-nightly', false, { cron: '0 2 * * *' }],
          ['people-sync', true, { everyMinutes: 15 }],
        ]);
        assert.equal(await view.tasks.workspaceOf('people-sync'), 'default');
      }
      assert.deepEqual(
        await store.inWorkspace('other').tasks.list(),
        [],
        'another workspace sees none of it',
      );
    });

    test('runs with their items, the error log with its resolution, links and the checkpoint are kept', async () => {
      for (const view of [store, store.inWorkspace('default')]) {
        const runs = await view.executions.list({ taskId: 'people-sync', limit: 10 });
        assert.deepEqual(runs.map((r) => r.id).sort(), [...ids.runs].sort());
        assert.ok(runs.every((r) => r.status === 'warning' && r.counts.failed === 1));
        const items = await view.executions.items(ids.runs[0] as string);
        assert.deepEqual(
          items.map((i) => [i.sourceKey, i.action, i.code]),
          [
            ['1', 'create', null],
            ['2', 'fail', 'invalid_email'],
          ],
        );
        assert.deepEqual(items[1]?.payload, { email: 'anna@' });
        const open = await view.errors.list();
        assert.deepEqual(
          open.errors.map((e) => [e.taskId, e.sourceKey, e.code]),
          [['people-sync', '2', 'invalid_email']],
        );
        const ignored = await view.errors.list({ state: 'ignored' });
        assert.equal(ignored.errors[0]?.sourceKey, '4');
        assert.equal(ignored.errors[0]?.resolution?.note, 'no email in the ERP');
        assert.deepEqual(
          (await view.syncLinks.forSourceKey('1')).map((l) => [l.externalId, l.status]),
          [['hs-1', 'ok']],
        );
        assert.equal((await view.syncLinks.forSourceKey('2'))[0]?.status, 'failed');
        const checkpoint = await view.executions.checkpoint('people-sync');
        assert.deepEqual(checkpoint?.watermark, { modified_at: stamp });
        assert.equal(checkpoint?.executionId, ids.runs[1]);
      }
      assert.deepEqual(await store.inWorkspace('other').executions.list({ limit: 10 }), []);
    });

    test('settings are kept', async () => {
      const s = await store.settings.get();
      assert.equal(s.timezone, 'America/New_York');
      assert.equal(s.retentionDays, 30);
    });

    test('audit entries are kept: the connection change belongs to the default workspace, the login to the instance', async () => {
      assert.deepEqual((await store.audit.list()).map((e) => e.id).sort(), ['a-config', 'a-login']);
      assert.deepEqual(
        (await store.inWorkspace('default').audit.list()).map((e) => e.id),
        ['a-config'],
      );
      assert.deepEqual(await store.inWorkspace('other').audit.list(), []);
    });

    test('the default workspace exists with the seed range; the viewer is its viewer, the administrator the instance administrator', async () => {
      assert.deepEqual(await store.workspaces.list(), [
        {
          id: 'default',
          name: 'Default',
          limits: {
            minIntervalMinutes: 10,
            maxIntervalMinutes: 45,
            maxConcurrentRuns: null,
            rateShare: null,
          },
        },
      ]);
      assert.deepEqual(
        (await store.workspaces.membershipsOf(ids.viewer)).map((w) => [w.id, w.role]),
        [['default', 'viewer']],
      );
      assert.deepEqual(await store.workspaces.membershipsOf(ids.admin), []);
      assert.equal((await store.users.get(ids.admin)).role, 'admin');
    });

    test('the users log in and the old tokens act in the default workspace with their role', async () => {
      let admin: Client;
      let viewer: Client;
      ({ app, admin, viewer } = await createTestServer(store));
      const me = (await viewer.get('/api/auth/me')).json();
      assert.equal(me.instanceAdmin, false);
      assert.deepEqual(me.workspace, { id: 'default', name: 'Default', role: 'viewer' });
      assert.equal((await admin.get('/api/auth/me')).json().instanceAdmin, true);
      const withToken = (id: string, method: 'GET' | 'PATCH', url: string, body?: object) =>
        app.inject({
          method,
          url,
          headers: { authorization: `Bearer jt_${id}.secret-${id}` },
          ...(body ? { payload: body } : {}),
        });
      for (const [id, role, instanceAdmin] of [
        ['oldviewer', 'viewer', false],
        ['oldadmin', 'admin', true],
        ['oldadminro', 'viewer', false],
      ] as const) {
        const res = await withToken(id, 'GET', '/api/auth/me');
        assert.equal(res.statusCode, 200, `${id}: ${res.body}`);
        assert.deepEqual(res.json().workspace, { id: 'default', name: 'Default', role }, id);
        assert.equal(res.json().instanceAdmin, instanceAdmin, id);
        const tasks = await withToken(id, 'GET', '/api/tasks');
        assert.deepEqual(
          tasks
            .json()
            .tasks.map((t: { id: string }) => t.id)
            .sort(),
          ['people-nightly', 'people-sync'],
          id,
        );
      }
      // The viewer's old token reads but changes nothing; the administrator's acts as before.
      const refused = await withToken('oldviewer', 'PATCH', '/api/tasks/people-sync/schedule', {
        everyMinutes: 20,
      });
      assert.equal(refused.statusCode, 403, refused.body);
      const changed = await withToken('oldadmin', 'PATCH', '/api/tasks/people-sync/schedule', {
        everyMinutes: 20,
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.deepEqual((await store.tasks.get('people-sync')).schedule, { everyMinutes: 20 });
    });

    test("the old tokens name the default workspace (0016), so deleting it would revoke them like any workspace's", async () => {
      const rows = await store.db
        .selectFrom('api_tokens')
        .select(['id', 'workspace_id'])
        .where('id', 'in', ['oldviewer', 'oldadmin', 'oldadminro'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.id, r.workspace_id]),
        [
          ['oldadmin', 'default'],
          ['oldadminro', 'default'],
          ['oldviewer', 'default'],
        ],
      );
    });

    test('migrating again is a no-op, and so is running the workspaces migration a second time', async () => {
      // The previous test's requests may still be writing their audit entries: count once they are in.
      await app?.close();
      const now = await eventually('the row counts to settle', async () => {
        const first = JSON.stringify(await rowCounts(store));
        await sleep(200);
        const again = await rowCounts(store);
        return JSON.stringify(again) === first && again;
      });
      const members = await store.workspaces.members('default');
      assert.deepEqual(await migrateToLatest(store.db, dialectName), []);
      assert.deepEqual(await rowCounts(store), now);
      // A start that died half-way through 0013 runs its steps again: each finds itself done.
      await up0013(store.db as unknown as Kysely<unknown>);
      assert.deepEqual(await rowCounts(store), now);
      assert.deepEqual(await store.workspaces.members('default'), members);
      assert.equal((await store.workspaces.list()).length, 1);
    });
  });
}
