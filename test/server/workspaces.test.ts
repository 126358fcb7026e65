import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import type { WorkspaceRole } from '../../src/core/workspaces.ts';
import { importsOfWorkspace } from '../../src/import/workspace.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { recordRun } from '../helpers/recorded-runs.ts';
import { type Client, createTestServer, login } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG, fakeConnectors } from '../scheduler/fake-connectors.ts';

const PASSWORD = 'member-password-123';

const task = (id: string, mappingId: string, over: Partial<Task> = {}): Task => ({
  id,
  name: id,
  mappingId,
  schedule: { everyMinutes: 15 },
  enabled: false,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: {},
  ...over,
});

/** A client that names its workspace in the header, as the dashboard's switcher does. */
function inWorkspace(app: FastifyInstance, c: Client, workspace: string) {
  return {
    get: (url: string) =>
      app.inject({ method: 'GET', url, headers: { cookie: c.cookie, 'x-junction-workspace': workspace } }),
    send: (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      app.inject({
        method,
        url,
        headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'x-junction-workspace': workspace },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
  };
}

const errorOf = (res: LightMyRequestResponse) =>
  res.json().error as { code: string; message: string; details?: Record<string, unknown> };

describe('workspaces: the instance administrator, members, roles, limits and tokens', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let runs: RunService;
  let admin: Client;
  let viewer: Client;
  let importsDir: string;
  const users: Record<string, { id: string; client: Client }> = {};

  /** A user (not the instance administrator) with these memberships, logged in. */
  const member = async (username: string, workspaces: { id: string; role: WorkspaceRole }[]) => {
    const user = await store.users.create({
      username,
      name: username,
      role: 'viewer',
      passwordHash: await hashPassword(PASSWORD),
      workspaces,
    });
    users[username] = { id: user.id, client: await login(app, { username, password: PASSWORD }) };
    return users[username];
  };
  const client = (username: string) => (users[username] as { client: Client }).client;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    // Default workspace: the fake connections src → dst, mapping m (their connectors are made in memory).
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    for (const id of ['t-run', 't-retry', 't-schedule', 't-put']) await store.tasks.save(task(id, 'm'));
    // A second workspace with objects of its own.
    await store.workspaces.save({ id: 'acme', name: 'Acme' });
    const acme = store.inWorkspace('acme');
    await acme.connections.save({
      id: 'acme-src',
      name: 'Acme ERP',
      system: 'sql',
      config: { url: 'sqlite::memory:' },
      secret: {},
    });
    await acme.connections.save({
      id: 'acme-dst',
      name: 'Acme CRM',
      system: 'hubspot',
      config: {},
      secret: {},
    });
    await acme.mappings.save({
      id: 'acme-m',
      name: 'Acme people',
      source: { connectionId: 'acme-src', object: 'people', key: 'id' },
      target: { connectionId: 'acme-dst', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: [{ target: 'email', from: 'email' }],
    } as never);
    await acme.tasks.save(task('acme-t', 'acme-m'));
    importsDir = mkdtempSync(join(tmpdir(), 'junction-ws-imports-'));
    ({ app, runs, admin, viewer } = await createTestServer(store, {
      connectorFactory: fakeConnectors({ records: 5 }),
      importsDir,
    }));
    await member('olga', [{ id: 'default', role: 'operator' }]);
    await member('wanda', [{ id: 'default', role: 'admin' }]);
    await member('two', [
      { id: 'default', role: 'viewer' },
      { id: 'acme', role: 'operator' },
    ]);
    await member('nobody', []);
  });
  after(async () => {
    await runs?.idle();
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('the instance administrator creates a workspace, renames it and sets its limits; a shortest interval above the longest is refused', async () => {
    let res = await admin.send('PUT', '/api/workspaces/zeta', { name: 'Zeta' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().limits, {
      minIntervalMinutes: 10,
      maxIntervalMinutes: 45,
      maxConcurrentRuns: null,
      rateShare: null,
    });
    res = await admin.send('PUT', '/api/workspaces/zeta', {
      name: 'Zeta AG',
      limits: { minIntervalMinutes: 20, maxIntervalMinutes: 60, maxConcurrentRuns: 2 },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await store.workspaces.get('zeta'), {
      id: 'zeta',
      name: 'Zeta AG',
      limits: { minIntervalMinutes: 20, maxIntervalMinutes: 60, maxConcurrentRuns: 2, rateShare: null },
    });
    res = await admin.send('PUT', '/api/workspaces/zeta', {
      name: 'Zeta AG',
      limits: { minIntervalMinutes: 50, maxIntervalMinutes: 30 },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'validation_error');
    // Against the stored longest interval (60) too.
    res = await admin.send('PUT', '/api/workspaces/zeta', {
      name: 'Zeta AG',
      limits: { minIntervalMinutes: 90 },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(
      (await store.workspaces.get('zeta')).limits.minIntervalMinutes,
      20,
      'the refused limits are not saved',
    );
    // A new workspace's shortest interval above the default longest (45) is refused as well.
    res = await admin.send('PUT', '/api/workspaces/slow', {
      name: 'Slow',
      limits: { minIntervalMinutes: 60 },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(
      (await admin.get('/api/workspaces')).json().workspaces.some((w: { id: string }) => w.id === 'slow'),
      false,
    );
    res = await admin.send('PUT', '/api/workspaces/slow', {
      name: 'Slow',
      limits: { minIntervalMinutes: 60, maxIntervalMinutes: 120 },
    });
    assert.equal(res.statusCode, 200, res.body);
    await admin.send('DELETE', '/api/workspaces/slow');
    // Only the instance administrator: a workspace admin cannot create one.
    res = await client('wanda').send('PUT', '/api/workspaces/mine', { name: 'Mine' });
    assert.equal(res.statusCode, 403, res.body);
  });

  test("the instance administrator sets a workspace's share of a shared rate limit (1–100 %, null: none); other values are refused at the field", async () => {
    let res = await admin.send('PUT', '/api/workspaces/zeta', { name: 'Zeta AG', limits: { rateShare: 70 } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().limits.rateShare, 70);
    assert.equal((await store.workspaces.get('zeta')).limits.maxIntervalMinutes, 60, 'other limits are kept');
    for (const rateShare of [0, 101, 12.5, '50']) {
      res = await admin.send('PUT', '/api/workspaces/zeta', { name: 'Zeta AG', limits: { rateShare } });
      assert.equal(res.statusCode, 400, `${rateShare}: ${res.body}`);
      const issues = (errorOf(res).details?.issues ?? []) as { field: string }[];
      assert.deepEqual(
        issues.map((i) => i.field),
        ['body.limits.rateShare'],
      );
    }
    assert.equal((await store.workspaces.get('zeta')).limits.rateShare, 70, 'refused shares are not saved');
    res = await admin.send('PUT', '/api/workspaces/zeta', { name: 'Zeta AG', limits: { rateShare: null } });
    assert.equal(res.json().limits.rateShare, null);
    res = await client('wanda').send('PUT', '/api/workspaces/default', {
      name: 'Default',
      limits: { rateShare: 100 },
    });
    assert.equal(res.statusCode, 403, 'only the instance administrator sets shares');
  });

  test('shares of all workspaces adding up to more than 100 % are saved with a warning, not refused', async () => {
    let res = await admin.send('PUT', '/api/workspaces/share-a', { name: 'A', limits: { rateShare: 60 } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().warnings, undefined, '60 % in all: no warning');
    res = await admin.send('PUT', '/api/workspaces/share-b', { name: 'B', limits: { rateShare: 50 } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().limits.rateShare, 50, 'saved');
    assert.deepEqual(
      (res.json().warnings as { code: string }[]).map((w) => w.code),
      ['rate_shares_over_100'],
    );
    await admin.send('DELETE', '/api/workspaces/share-a');
    await admin.send('DELETE', '/api/workspaces/share-b');
  });

  test('the administrator adds a user as operator, changes the role, and removing them revokes their tokens for that workspace', async () => {
    const mia = await member('mia', [{ id: 'default', role: 'viewer' }]);
    let res = await admin.send('PUT', `/api/workspaces/zeta/members/${mia.id}`, { role: 'operator' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      res.json().members.map((m: { username: string; role: string }) => [m.username, m.role]),
      [['mia', 'operator']],
    );
    const token = await mia.client.send('POST', '/api/auth/tokens', { name: 'zeta ci', workspace: 'zeta' });
    assert.equal(token.statusCode, 201, token.body);
    assert.equal(token.json().role, 'operator');
    const home = await mia.client.send('POST', '/api/auth/tokens', {
      name: 'default ci',
      workspace: 'default',
    });
    assert.equal(home.statusCode, 201, home.body);
    const patchWithToken = () =>
      app.inject({
        method: 'PATCH',
        url: '/api/tasks/none/schedule',
        headers: { authorization: `Bearer ${token.json().token}` },
        payload: { everyMinutes: 30 },
      });
    assert.equal((await patchWithToken()).statusCode, 404, 'an operator token gets as far as the task');
    // Made a viewer there, the owner's token is capped to viewer at once.
    res = await admin.send('PUT', `/api/workspaces/zeta/members/${mia.id}`, { role: 'viewer' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await patchWithToken()).statusCode, 403);
    res = await admin.send('PUT', `/api/workspaces/zeta/members/${mia.id}`, { role: 'admin' });
    assert.equal(res.json().members[0].role, 'admin');
    assert.equal((await store.workspaces.membershipsOf(mia.id)).find((w) => w.id === 'zeta')?.role, 'admin');
    res = await admin.send('DELETE', `/api/workspaces/zeta/members/${mia.id}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await admin.get('/api/workspaces/zeta/members').then((r) => r.json().members), []);
    assert.deepEqual(
      (await store.users.listTokens(mia.id)).map((t) => t.name),
      ['default ci'],
      'the zeta token went with the membership, the default one stays',
    );
    const used = await app.inject({
      method: 'GET',
      url: '/api/tasks',
      headers: { authorization: `Bearer ${token.json().token}` },
    });
    assert.equal(used.statusCode, 401, used.body);
    res = await admin.send('DELETE', `/api/workspaces/zeta/members/${mia.id}`);
    assert.equal(res.statusCode, 404, 'no member any more');
  });

  test('an empty workspace is deleted; one that still owns objects is refused 409 workspace_not_empty', async () => {
    await admin.send('PUT', '/api/workspaces/empty', { name: 'Empty' });
    let res = await admin.send('DELETE', '/api/workspaces/empty');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(
      (await admin.get('/api/workspaces')).json().workspaces.some((w: { id: string }) => w.id === 'empty'),
      false,
    );
    res = await admin.send('DELETE', '/api/workspaces/acme');
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(errorOf(res).code, 'workspace_not_empty');
    assert.deepEqual(errorOf(res).details, { connections: 2, mappings: 1, tasks: 1 });
    assert.equal((await store.workspaces.get('acme')).name, 'Acme');
  });

  test('a deleted workspace takes its members and tokens along: made again under the same id, it has neither and the old token does not act', async () => {
    await admin.send('PUT', '/api/workspaces/again', { name: 'Again' });
    const ria = await member('ria', []);
    await admin.send('PUT', `/api/workspaces/again/members/${ria.id}`, { role: 'operator' });
    const token = await ria.client.send('POST', '/api/auth/tokens', { name: 'again ci', workspace: 'again' });
    assert.equal(token.statusCode, 201, token.body);
    let res = await admin.send('DELETE', '/api/workspaces/again');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await store.users.listTokens(ria.id), [], 'the token is revoked');
    await admin.send('PUT', '/api/workspaces/again', { name: 'Again' });
    assert.deepEqual(await store.workspaces.members('again'), []);
    res = await app.inject({
      method: 'GET',
      url: '/api/tasks',
      headers: { authorization: `Bearer ${token.json().token}` },
    });
    assert.equal(res.statusCode, 401, res.body);
    await store.workspaces.delete('again');
  });

  test('a mapping and a task made again under the ids of deleted ones start clean: no associations, error resolutions, write journal or imports of the old ones', async () => {
    const m = await store.mappings.get('m');
    await store.mappings.save({ ...m, id: 'again-m' });
    await store.tasks.save(task('again-t', 'again-m'));
    await recordRun(store, 'again-t', [{ key: '1', action: 'fail', code: 'invalid_email' }]);
    await store.errors.resolve({
      taskId: 'again-t',
      sourceKeys: ['1'],
      state: 'ignored',
      note: null,
      by: 'admin',
    });
    await store.writeJournal.put('again-t', 'import-process', { processId: 7 });
    await store.associations.upsert([
      {
        mappingId: 'again-m',
        sourceKey: '1',
        toObject: 'companies',
        relatedKey: 'c1',
        fromId: 'hs-1',
        toId: null,
        status: 'pending',
        remark: null,
      },
    ]);
    const imports = importsOfWorkspace(importsDir, 'default');
    const upload = await imports.create();
    await imports.save({
      id: upload.id,
      mappingId: 'again-m',
      fileName: 'old.csv',
      createdAt: new Date().toISOString(),
      status: 'finished',
      file: {
        format: 'csv',
        sheetName: null,
        encoding: 'utf-8',
        delimiter: ',',
        bytes: 1,
        header: ['email'],
      },
      validation: { rows: 1, invalid: 0, problems: [], preview: [] },
      executionId: null,
      hasErrorFile: false,
      error: null,
    } as never);
    let res = await admin.send('DELETE', '/api/tasks/again-t');
    assert.equal(res.statusCode, 200, res.body);
    res = await admin.send('DELETE', '/api/mappings/again-m');
    assert.equal(res.statusCode, 200, res.body);
    await store.mappings.save({ ...m, id: 'again-m' });
    await store.tasks.save(task('again-t', 'again-m'));
    const rows = async (table: 'error_resolutions' | 'association_links') =>
      (
        await store.db
          .selectFrom(table)
          .selectAll()
          .where(
            table === 'error_resolutions' ? 'task_id' : 'mapping_id',
            '=',
            table === 'error_resolutions' ? 'again-t' : 'again-m',
          )
          .execute()
      ).length;
    assert.equal(await rows('error_resolutions'), 0, 'no error resolution of the old task');
    assert.equal(await rows('association_links'), 0, 'no association of the old mapping');
    assert.equal(
      await store.writeJournal.get('again-t', 'import-process'),
      null,
      'no write journal of the old task',
    );
    assert.deepEqual(
      (await imports.list()).filter((r) => r.mappingId === 'again-m'),
      [],
      'no import of the old mapping',
    );
    await store.tasks.delete('again-t');
    await store.mappings.delete('again-m');
  });

  test('a workspace deletion that fails after its members are deleted deletes nothing: the members and the workspace stay', async () => {
    await admin.send('PUT', '/api/workspaces/halfway', { name: 'Halfway' });
    const hal = await member('hal', [{ id: 'halfway', role: 'operator' }]);
    const token = await hal.client.send('POST', '/api/auth/tokens', {
      name: 'halfway ci',
      workspace: 'halfway',
    });
    assert.equal(token.statusCode, 201, token.body);
    // The failure is injected into the step after the members' deletion: the tokens' deletion is refused.
    await sql`CREATE TRIGGER refuse_halfway_tokens BEFORE DELETE ON api_tokens
      WHEN OLD.workspace_id = 'halfway' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(store.db);
    try {
      await assert.rejects(store.workspaces.delete('halfway'), /injected failure/);
    } finally {
      await sql`DROP TRIGGER refuse_halfway_tokens`.execute(store.db);
    }
    assert.equal((await store.workspaces.get('halfway')).name, 'Halfway');
    assert.deepEqual(
      (await store.workspaces.members('halfway')).map((m) => [m.username, m.role]),
      [['hal', 'operator']],
    );
    assert.equal((await store.users.listTokens(hal.id)).length, 1);
    await store.workspaces.delete('halfway');
  });

  test('GET /api/workspaces lists only the workspaces the caller belongs to, with their role there', async () => {
    const list = async (c: Client) =>
      (await c.get('/api/workspaces'))
        .json()
        .workspaces.map((w: { id: string; role: string }) => [w.id, w.role]);
    assert.deepEqual(await list(client('two')), [
      ['acme', 'operator'],
      ['default', 'viewer'],
    ]);
    assert.deepEqual(await list(client('olga')), [['default', 'operator']]);
    assert.deepEqual(await list(client('nobody')), []);
    const all = await list(admin);
    assert.ok(
      all.length >= 3 && all.every(([, role]: [string, string]) => role === 'admin'),
      JSON.stringify(all),
    );
  });

  test('/api/auth/me tells instanceAdmin, the current workspace with the role, and every workspace', async () => {
    const me = (await client('two').get('/api/auth/me')).json();
    assert.equal(me.instanceAdmin, false);
    assert.deepEqual(me.workspace, { id: 'default', name: 'Default', role: 'viewer' });
    assert.deepEqual(
      me.workspaces.map((w: { id: string; role: string }) => [w.id, w.role]),
      [
        ['acme', 'operator'],
        ['default', 'viewer'],
      ],
    );
    const there = (await inWorkspace(app, client('two'), 'acme').get('/api/auth/me')).json();
    assert.deepEqual(there.workspace, { id: 'acme', name: 'Acme', role: 'operator' });
    const adminMe = (await admin.get('/api/auth/me')).json();
    assert.equal(adminMe.instanceAdmin, true);
    assert.equal(adminMe.workspace.role, 'admin');
  });

  test('a user in two workspaces switches with the header and sees each one its own tasks', async () => {
    const ids = async (res: Promise<LightMyRequestResponse>) =>
      (await res)
        .json()
        .tasks.map((t: { id: string }) => t.id)
        .sort();
    assert.deepEqual(await ids(client('two').get('/api/tasks')), ['t-put', 't-retry', 't-run', 't-schedule']);
    assert.deepEqual(await ids(inWorkspace(app, client('two'), 'default').get('/api/tasks')), [
      't-put',
      't-retry',
      't-run',
      't-schedule',
    ]);
    assert.deepEqual(await ids(inWorkspace(app, client('two'), 'acme').get('/api/tasks')), ['acme-t']);
    assert.equal((await inWorkspace(app, client('two'), 'acme').get('/api/tasks/t-run')).statusCode, 404);
    // A workspace they are no member of is answered as one that does not exist.
    const other = await inWorkspace(app, client('olga'), 'acme').get('/api/tasks');
    assert.equal(other.statusCode, 404, other.body);
    assert.equal((await inWorkspace(app, client('olga'), 'no-such').get('/api/tasks')).statusCode, 404);
  });

  test('a user in no workspace gets 403 saying so on workspace routes, and still reads their account', async () => {
    for (const url of ['/api/tasks', '/api/connections', '/api/errors']) {
      const res = await client('nobody').get(url);
      assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
      assert.match(errorOf(res).message, /no workspace/);
    }
    const me = await client('nobody').get('/api/auth/me');
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().workspace, null);
    assert.deepEqual(me.json().workspaces, []);
  });

  test('an operator sets a task interval within the range; 5 minutes is refused 400 interval_out_of_range naming the range', async () => {
    let res = await client('olga').send('PATCH', '/api/tasks/t-schedule/schedule', { everyMinutes: 30 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().schedule, { everyMinutes: 30 });
    assert.deepEqual((await store.tasks.get('t-schedule')).schedule, { everyMinutes: 30 });
    res = await client('olga').send('PATCH', '/api/tasks/t-schedule/schedule', { everyMinutes: 5 });
    assert.equal(res.statusCode, 400, res.body);
    const error = errorOf(res);
    assert.equal(error.code, 'interval_out_of_range');
    assert.match(error.message, /between 10 and 45 minutes/);
    assert.equal(error.details?.min, 10);
    assert.equal(error.details?.max, 45);
    assert.equal(
      (await client('olga').send('PATCH', '/api/tasks/t-schedule/schedule', { everyMinutes: 46 })).statusCode,
      400,
    );
    assert.deepEqual((await store.tasks.get('t-schedule')).schedule, { everyMinutes: 30 }, 'unchanged');
    // Another workspace's task does not exist for the operator.
    res = await client('olga').send('PATCH', '/api/tasks/acme-t/schedule', { everyMinutes: 30 });
    assert.equal(res.statusCode, 404, res.body);
  });

  test('an operator cannot replace a task but runs it now and resolves and retries its errors', async () => {
    const olga = client('olga');
    let res = await olga.send('PUT', '/api/tasks/t-run', { ...task('t-run', 'm'), id: undefined });
    assert.equal(res.statusCode, 403, res.body);
    res = await olga.send('POST', '/api/tasks/t-run/run');
    assert.equal(res.statusCode, 202, res.body);
    const run = await eventually('the run ends', async () => {
      const e = await store.executions.get(res.json().executionId);
      return e.finishedAt && e;
    });
    assert.equal(run.status, 'succeeded');
    await recordRun(store, 't-retry', [{ key: '7', action: 'fail', code: 'invalid_email' }]);
    await recordRun(store, 't-retry', [{ key: '8', action: 'fail', code: 'invalid_email' }]);
    res = await olga.send('POST', '/api/errors/resolve', {
      records: [{ taskId: 't-retry', sourceKey: '8' }],
      state: 'resolved',
      note: 'fixed in the ERP',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().changed, 1);
    await store.syncLinks.upsert([
      {
        sourceConnectionId: 'src',
        sourceObject: 'people',
        sourceKey: '7',
        targetConnectionId: 'dst',
        targetObject: 'contacts',
        externalId: null,
        lastSyncAt: new Date(),
        lastSuccessAt: null,
        status: 'failed',
        remark: 'refused',
        payloadHash: 'x',
      },
    ]);
    res = await olga.send('POST', '/api/errors/retry', { records: [{ taskId: 't-retry', sourceKey: '7' }] });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().runs[0].marked, 1);
    await runs.idle();
  });

  test('a viewer can neither set the interval, run a task, resolve nor retry', async () => {
    const calls: [string, string, unknown][] = [
      ['PATCH', '/api/tasks/t-schedule/schedule', { everyMinutes: 20 }],
      ['POST', '/api/tasks/t-run/run', undefined],
      [
        'POST',
        '/api/errors/resolve',
        { records: [{ taskId: 't-retry', sourceKey: '7' }], state: 'resolved' },
      ],
      ['POST', '/api/errors/retry', { records: [{ taskId: 't-retry', sourceKey: '7' }] }],
    ];
    const before = await store.executions.list({ limit: 100 });
    for (const [method, url, body] of calls) {
      const res = await viewer.send(method as 'POST', url, body);
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    }
    assert.deepEqual((await store.tasks.get('t-schedule')).schedule, { everyMinutes: 30 });
    assert.equal((await store.executions.list({ limit: 100 })).length, before.length, 'nothing ran');
  });

  test("a workspace admin's task with an interval outside the range is refused; the instance administrator's is not", async () => {
    const body = { ...task('t-put', 'm', { schedule: { everyMinutes: 5 } }), id: undefined };
    let res = await client('wanda').send('PUT', '/api/tasks/t-put', body);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'interval_out_of_range');
    assert.deepEqual((await store.tasks.get('t-put')).schedule, { everyMinutes: 15 });
    res = await client('wanda').send('PUT', '/api/tasks/t-put', {
      ...body,
      schedule: { everyMinutes: 20 },
    });
    assert.equal(res.statusCode, 200, res.body);
    res = await admin.send('PUT', '/api/tasks/t-put', body);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await store.tasks.get('t-put')).schedule, { everyMinutes: 5 });
  });

  test("a workspace admin's cron that fires more often than the range's shortest interval is refused; a nightly one is not", async () => {
    const body = { ...task('t-cron', 'm', { schedule: { cron: '*/5 * * * *' } }), id: undefined };
    let res = await client('wanda').send('PUT', '/api/tasks/t-cron', body);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'interval_out_of_range');
    assert.match(errorOf(res).message, /every 10 minutes/);
    res = await client('wanda').send('PUT', '/api/tasks/t-cron', {
      ...body,
      schedule: { cron: '0 2 * * *' },
    });
    assert.equal(res.statusCode, 200, res.body);
    res = await client('wanda').send('PUT', '/api/tasks/t-cron', {
      ...body,
      schedule: { cron: '*/15 * * * *' },
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  test("an operator's change gap beside a cron the instance administrator set outside the range is saved, as a workspace admin's PUT keeping it is; a new cron outside the range is refused", async () => {
    const schedule = { cron: '*/5 * * * *', onChange: true, changeGapMinutes: 20 };
    const body = { ...task('t-cron-kept', 'm', { schedule }), id: undefined };
    // The instance administrator is not bound: the cron is saved.
    let res = await admin.send('PUT', '/api/tasks/t-cron-kept', body);
    assert.equal(res.statusCode, 200, res.body);
    const put = await client('wanda').send('PUT', '/api/tasks/t-cron-kept', {
      ...body,
      schedule: { ...schedule, changeGapMinutes: 30 },
    });
    assert.equal(put.statusCode, 200, put.body);
    res = await client('olga').send('PATCH', '/api/tasks/t-cron-kept/schedule', { changeGapMinutes: 25 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await store.tasks.get('t-cron-kept')).schedule, { ...schedule, changeGapMinutes: 25 });
    const newCron = await client('wanda').send('PUT', '/api/tasks/t-cron-kept', {
      ...body,
      schedule: { ...schedule, cron: '*/6 * * * *' },
    });
    assert.equal(newCron.statusCode, 400, newCron.body);
    assert.equal(errorOf(newCron).code, 'interval_out_of_range');
    assert.deepEqual(errorOf(newCron).details, { field: 'cron', min: 10, max: 45 });
    assert.deepEqual(
      (await store.tasks.get('t-cron-kept')).schedule,
      { ...schedule, changeGapMinutes: 25 },
      'unchanged',
    );
    // A new interval in the range replaces the cron; the gap stays.
    res = await client('olga').send('PATCH', '/api/tasks/t-cron-kept/schedule', { everyMinutes: 20 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await store.tasks.get('t-cron-kept')).schedule, {
      everyMinutes: 20,
      onChange: true,
      changeGapMinutes: 25,
    });
    await store.tasks.delete('t-cron-kept');
  });

  test("a workspace admin's change-driven task keeps a change gap of at least the range's shortest interval; a shorter one is refused; the instance administrator's is not bound", async () => {
    const body = { name: 'On change', mappingId: 'm', enabled: false, schedule: { onChange: true } };
    let res = await client('wanda').send('PUT', '/api/tasks/t-change', body);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await store.tasks.get('t-change')).schedule, { onChange: true, changeGapMinutes: 10 });
    res = await client('wanda').send('PUT', '/api/tasks/t-change', {
      ...body,
      schedule: { onChange: true, changeGapMinutes: 5 },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'interval_out_of_range');
    assert.deepEqual(errorOf(res).details, { field: 'changeGapMinutes', min: 10, max: 45 });
    res = await admin.send('PUT', '/api/tasks/t-change', {
      ...body,
      schedule: { onChange: true, changeGapMinutes: 1 },
    });
    assert.equal(res.statusCode, 200, res.body);
    // An operator's new interval keeps the gap, raised to the range for the workspace's own people.
    res = await client('olga').send('PATCH', '/api/tasks/t-change/schedule', { everyMinutes: 20 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await store.tasks.get('t-change')).schedule, {
      everyMinutes: 20,
      onChange: true,
      changeGapMinutes: 10,
    });
    await store.tasks.delete('t-change');
  });

  test("an operator sets a change-driven task's change gap alone: within the range it is saved and the interval stays, a shorter one is refused at the field, a task that does not run on changes has none", async () => {
    await store
      .inWorkspace('default')
      .tasks.save(task('t-gap', 'm', { enabled: false, schedule: { everyMinutes: 30, onChange: true } }));
    let res = await client('olga').send('PATCH', '/api/tasks/t-gap/schedule', { changeGapMinutes: 20 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await store.tasks.get('t-gap')).schedule, {
      everyMinutes: 30,
      onChange: true,
      changeGapMinutes: 20,
    });
    res = await client('olga').send('PATCH', '/api/tasks/t-gap/schedule', { changeGapMinutes: 5 });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'interval_out_of_range');
    assert.deepEqual(errorOf(res).details, { field: 'changeGapMinutes', min: 10, max: 45 });
    assert.equal((await store.tasks.get('t-gap')).schedule?.changeGapMinutes, 20);
    res = await client('olga').send('PATCH', '/api/tasks/t-schedule/schedule', { changeGapMinutes: 20 });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'validation_error');
    await store.tasks.delete('t-gap');
  });

  test('API tokens: none for a workspace the user is no member of (404), none above their role (400), and each acts only in its workspace', async () => {
    const olga = client('olga');
    let res = await olga.send('POST', '/api/auth/tokens', { name: 'x', workspace: 'acme' });
    assert.equal(res.statusCode, 404, res.body);
    res = await olga.send('POST', '/api/auth/tokens', { name: 'x', workspace: 'default', role: 'admin' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(errorOf(res).code, 'token_role_too_high');
    res = await olga.send('POST', '/api/auth/tokens', { name: 'ci', workspace: 'default' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().role, 'operator');
    const bearer = { authorization: `Bearer ${res.json().token}` };
    const asToken = (
      method: 'GET' | 'PATCH',
      url: string,
      headers: Record<string, string> = {},
      body?: object,
    ) => app.inject({ method, url, headers: { ...bearer, ...headers }, ...(body ? { payload: body } : {}) });
    assert.equal((await asToken('GET', '/api/tasks')).statusCode, 200);
    assert.equal((await asToken('GET', '/api/tasks', { 'x-junction-workspace': 'default' })).statusCode, 200);
    res = await asToken('GET', '/api/tasks', { 'x-junction-workspace': 'acme' });
    assert.equal(res.statusCode, 404, res.body);
    res = await asToken('PATCH', '/api/tasks/t-schedule/schedule', {}, { everyMinutes: 25 });
    assert.equal(res.statusCode, 200, res.body);
    // A token of a user in two workspaces acts in its own even though the user could switch.
    res = await client('two').send('POST', '/api/auth/tokens', {
      name: 'acme ci',
      workspace: 'acme',
      role: 'viewer',
    });
    assert.equal(res.statusCode, 201, res.body);
    const tasks = await app.inject({
      method: 'GET',
      url: '/api/tasks',
      headers: { authorization: `Bearer ${res.json().token}` },
    });
    assert.deepEqual(
      tasks.json().tasks.map((t: { id: string }) => t.id),
      ['acme-t'],
    );
    const viewerToken = await app.inject({
      method: 'PATCH',
      url: '/api/tasks/acme-t/schedule',
      headers: { authorization: `Bearer ${res.json().token}` },
      payload: { everyMinutes: 20 },
    });
    assert.equal(viewerToken.statusCode, 403, 'the token is a viewer though its owner operates there');
  });

  test('an object created with an id another workspace uses is refused 409 id_taken and the other one is unchanged', async () => {
    const acmeAdmin = inWorkspace(app, admin, 'acme');
    let res = await acmeAdmin.send('PUT', '/api/connections/src', {
      name: 'Taken',
      system: 'sql',
      config: { url: 'sqlite::memory:' },
    });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(errorOf(res).code, 'id_taken');
    const src = await store.connections.get('src');
    assert.notEqual(src.name, 'Taken');
    assert.equal(
      await store
        .inWorkspace('default')
        .connections.get('src')
        .then((c) => c.id),
      'src',
    );
    res = await acmeAdmin.send('PUT', '/api/tasks/t-run', {
      ...task('t-run', 'acme-m', { name: 'Taken' }),
      id: undefined,
    });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(errorOf(res).code, 'id_taken');
    const tRun = await store.tasks.get('t-run');
    assert.equal(tRun.name, 't-run');
    assert.equal(tRun.mappingId, 'm');
    assert.equal(await store.tasks.workspaceOf('t-run'), 'default');
  });

  test('junction apply into a workspace with one id taken by another workspace creates nothing: the first objects are not kept', async () => {
    const file = `
connections:
  - { id: acme-c1, system: sql, config: { url: "sqlite::memory:" } }
  - { id: acme-c2, system: hubspot, config: { baseUrl: "http://127.0.0.1:9" }, secret: { accessToken: x } }
mappings:
  - id: acme-m2
    name: People
    source: { connectionId: acme-c1, object: people, key: id }
    target: { connectionId: acme-c2, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email }
tasks:
  - { id: t-run, mapping: acme-m2 }
`;
    const acme = store.inWorkspace('acme');
    await assert.rejects(applyConfig(acme, parseConfigText(file)), { code: 'id_taken' });
    assert.deepEqual(
      (await acme.connections.list()).map((c) => c.id).sort(),
      ['acme-dst', 'acme-src'],
      'no connection of the file was created',
    );
    assert.deepEqual(
      (await acme.mappings.list()).map((m) => m.id),
      ['acme-m'],
      'no mapping of the file was created',
    );
    assert.equal((await store.tasks.get('t-run')).mappingId, 'm', "the other workspace's task is unchanged");
  });

  test('after an operator sets 10 minutes, the next run is the last run + 10 min and a scheduler tick just past it starts the run', async () => {
    await store.tasks.save(task('t-timed', 'm', { enabled: true, schedule: { everyMinutes: 15 } }));
    await recordRun(store, 't-timed', [{ key: '1', action: 'update' }]);
    const [last] = await store.executions.list({ taskId: 't-timed', limit: 1 });
    const lastStart = Number(last?.startedAt);
    const res = await client('olga').send('PATCH', '/api/tasks/t-timed/schedule', { everyMinutes: 10 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().nextRunAt, new Date(lastStart + 10 * 60_000).toISOString());
    assert.equal(
      (await client('olga').get('/api/tasks/t-timed')).json().nextRunAt,
      new Date(lastStart + 10 * 60_000).toISOString(),
    );
    let clock = new Date(lastStart + 9 * 60_000);
    const scheduler = startEmbeddedScheduler({
      service: runs,
      log: pino({ level: 'silent' }),
      tickMs: 3_600_000,
      now: () => clock,
    });
    try {
      await scheduler.tick();
      await runs.idle();
      assert.equal(
        (await store.executions.list({ taskId: 't-timed', limit: 10 })).length,
        1,
        'not due at 9 min',
      );
      clock = new Date(lastStart + 10 * 60_000 + 1000);
      await scheduler.tick();
      const started = await eventually('the scheduled run', async () => {
        const [e] = await store.executions.list({ taskId: 't-timed', limit: 1 });
        return e && e.id !== last?.id && e;
      });
      assert.equal(started.trigger, 'schedule');
      await runs.idle();
    } finally {
      await scheduler.stop();
    }
    // The tasks of other workspaces and the disabled ones were not started by the ticks.
    assert.equal((await store.executions.list({ taskId: 'acme-t', limit: 10 })).length, 0);
  });

  test("an association naming another workspace's mapping is refused on save: unknown_mapping at its place", async () => {
    const m = await store.mappings.get('m');
    const res = await client('wanda').send('PUT', '/api/mappings/m-assoc', {
      ...m,
      id: undefined,
      associations: [{ object: 'companies', from: 'id', mapping: 'acme-m' }],
    });
    assert.equal(res.statusCode, 400, res.body);
    const issues = (errorOf(res).details?.issues ?? []) as { field: string; code: string }[];
    assert.deepEqual(
      issues.map((i) => [i.field, i.code]),
      [['associations.0.mapping', 'unknown_mapping']],
    );
    await assert.rejects(store.mappings.get('m-assoc'), /does not exist/);
  });

  test("a run sees only its task's workspace: a mapping naming another workspace's connection (saved behind the API) fails not_found and reaches nothing there", async () => {
    const m = await store.mappings.get('m');
    const own = store.inWorkspace('default');
    await own.mappings.save({ ...m, id: 'm-foreign', target: { ...m.target, connectionId: 'acme-dst' } });
    await own.tasks.save(task('t-foreign', 'm-foreign'));
    const execution = await runs.run('t-foreign', { trigger: 'manual' });
    assert.equal(execution.status, 'failed');
    assert.equal(execution.error?.code, 'not_found');
    assert.match(execution.error?.message ?? '', /acme-dst/);
    assert.equal(execution.counts.created + execution.counts.updated, 0);
  });
});

describe("a workspace's concurrent-run limit", () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let runs: RunService;
  let admin: Client;
  let operator: Client;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.tasks.save(task('free-t', 'm'));
    await store.workspaces.save({ id: 'busy', name: 'Busy', limits: { maxConcurrentRuns: 1 } });
    const busy = store.inWorkspace('busy');
    await busy.connections.save({
      id: 'busy-src',
      name: 'ERP',
      system: 'sql',
      config: { url: 'sqlite::memory:' },
      secret: {},
    });
    await busy.connections.save({ id: 'busy-dst', name: 'CRM', system: 'hubspot', config: {}, secret: {} });
    await busy.mappings.save({
      id: 'busy-m',
      name: 'People',
      source: { connectionId: 'busy-src', object: 'people', key: 'id' },
      target: { connectionId: 'busy-dst', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: [{ target: 'email', from: 'email' }],
    } as never);
    for (const id of ['busy-1', 'busy-2']) await busy.tasks.save(task(id, 'busy-m'));
    // Runs long enough to overlap: 4 pages of 10 records, 250 ms before each.
    const fake = fakeConnectors({ records: 40, pageDelayMs: 250 });
    ({ app, runs, admin } = await createTestServer(store, {
      connectorFactory: (c) => fake({ ...c, id: c.id.endsWith('src') ? 'src' : 'dst' }),
    }));
    await store.users.create({
      username: 'otto',
      name: 'Otto',
      role: 'viewer',
      passwordHash: await hashPassword(PASSWORD),
      workspaces: [{ id: 'busy', role: 'operator' }],
    });
    operator = await login(app, { username: 'otto', password: PASSWORD });
  });
  after(async () => {
    await runs?.idle();
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('with one run at most, a second task run now is refused 409 workspace_busy while the first runs, and starts once it has finished', async () => {
    const first = await operator.send('POST', '/api/tasks/busy-1/run');
    assert.equal(first.statusCode, 202, first.body);
    const second = await operator.send('POST', '/api/tasks/busy-2/run');
    assert.equal(second.statusCode, 409, second.body);
    const error = errorOf(second);
    assert.equal(error.code, 'workspace_busy');
    assert.deepEqual(error.details, { workspaceId: 'busy', active: 1, max: 1 });
    assert.match(error.message, /at most 1 at once/);
    assert.deepEqual(await store.executions.list({ taskId: 'busy-2', limit: 10 }), [], 'nothing was started');
    // Another workspace has no limit of its own: its task runs meanwhile.
    const other = await admin.send('POST', '/api/tasks/free-t/run');
    assert.equal(other.statusCode, 202, other.body);
    const done = await eventually('the first run ends', async () => {
      const e = await store.executions.get(first.json().executionId);
      return e.finishedAt && e;
    });
    assert.equal(done.status, 'succeeded');
    const again = await operator.send('POST', '/api/tasks/busy-2/run');
    assert.equal(again.statusCode, 202, again.body);
    await runs.idle();
  });

  test('two tasks asked to run in the same instant do not both pass a limit of one: one starts, the other is refused workspace_busy', async () => {
    const asked = await Promise.allSettled([runs.runNow('busy-1'), runs.runNow('busy-2')]);
    const started = asked.filter((a) => a.status === 'fulfilled');
    const refused = asked.flatMap((a) => (a.status === 'rejected' ? [a.reason as { code?: string }] : []));
    assert.equal(started.length, 1, 'one run started');
    assert.deepEqual(
      refused.map((e) => e.code),
      ['workspace_busy'],
    );
    await runs.idle();
  });

  test('the limit lifted by the administrator lets two runs of the workspace go at once', async () => {
    const res = await admin.send('PUT', '/api/workspaces/busy', {
      name: 'Busy',
      limits: { maxConcurrentRuns: 2 },
    });
    assert.equal(res.statusCode, 200, res.body);
    const first = await operator.send('POST', '/api/tasks/busy-1/run');
    assert.equal(first.statusCode, 202, first.body);
    const second = await operator.send('POST', '/api/tasks/busy-2/run');
    assert.equal(second.statusCode, 202, second.body);
    await runs.idle();
  });
});

describe("the scheduler and a workspace's concurrent-run limit", () => {
  let tmp: TempDatabase;
  let store: Store;
  let runs: RunService;
  const logged: { level: number; msg: string }[] = [];

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    for (const id of ['due-1', 'due-2', 'due-3'])
      await store.tasks.save(task(id, 'm', { enabled: true, schedule: { everyMinutes: 15 } }));
    const { createRunService } = await import('../../src/runs/run-service.ts');
    runs = await createRunService({
      store,
      log: pino({ level: 'silent' }),
      runOptions: { connectorFactory: fakeConnectors({ records: 30, pageDelayMs: 200 }) },
    });
  });
  after(async () => {
    await runs?.stop();
    await store?.close();
    await tmp?.drop();
  });

  test('three tasks due in the same tick of a workspace with one run at most start one after another, never two at once', async () => {
    const log = pino(
      { level: 'debug' },
      {
        write: (line: string) => {
          logged.push(JSON.parse(line));
        },
      },
    );
    // The loop ticks on its own, every 100 ms: as in the hub, one tick after another.
    const scheduler = startEmbeddedScheduler({ service: runs, log, tickMs: 100 });
    const started = async () =>
      (
        await Promise.all(
          ['due-1', 'due-2', 'due-3'].map((id) => store.executions.list({ taskId: id, limit: 10 })),
        )
      )
        .flat()
        .sort((a, b) => Number(a.startedAt) - Number(b.startedAt));
    try {
      await eventually('each task ran', async () => {
        const all = await started();
        return all.length === 3 && all.every((e) => e.finishedAt);
      });
    } finally {
      await scheduler.stop();
      await runs.idle();
    }
    const all = await started();
    assert.equal(all.length, 3, 'each task ran once');
    for (let i = 1; i < all.length; i++)
      assert.ok(
        Number(all[i]?.startedAt) >= Number(all[i - 1]?.finishedAt),
        `run ${i} started before run ${i - 1} had finished`,
      );
    assert.deepEqual(
      logged.filter((l) => l.level >= 50).map((l) => l.msg),
      [],
      'a full workspace is no error: its tasks wait for the next tick',
    );
  });
});

describe("change-driven runs and a task's change gap", () => {
  let tmp: TempDatabase;
  let store: Store;
  let runs: RunService;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    // A gap of 3 s (0.05 minutes): changes after a run wait for its end, however many arrive.
    await store.tasks.save(task('gap-t', 'm', { schedule: { onChange: true, changeGapMinutes: 0.05 } }));
    const { createRunService } = await import('../../src/runs/run-service.ts');
    runs = await createRunService({
      store,
      log: pino({ level: 'silent' }),
      config: { changeCoalesceMs: 10 },
      runOptions: { connectorFactory: fakeConnectors({ records: 5 }) },
    });
  });
  after(async () => {
    await runs?.stop();
    await store?.close();
    await tmp?.drop();
  });

  test('changes arriving within the gap after a run start one run, no earlier than the gap after the last run began', async () => {
    const first = await runs.run('gap-t', { trigger: 'manual' });
    for (let i = 0; i < 3; i++) await runs.runSoon('gap-t', 'change');
    await runs.idle();
    const all = await store.executions.list({ taskId: 'gap-t', limit: 10 });
    assert.equal(all.length, 2, 'the changes rode along in one run');
    const change = all.find((e) => e.id !== first.id);
    assert.ok(
      Number(change?.startedAt) >= Number(first.startedAt) + 3_000,
      `the change run began ${Number(change?.startedAt) - Number(first.startedAt)} ms after the last run`,
    );
  });
});

describe('change-driven runs in a full workspace (embedded)', () => {
  let tmp: TempDatabase;
  let store: Store;
  let runs: RunService;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    for (const id of ['full-long', 'full-change']) await store.tasks.save(task(id, 'm'));
    const { createRunService } = await import('../../src/runs/run-service.ts');
    runs = await createRunService({
      store,
      log: pino({ level: 'silent' }),
      config: { changeCoalesceMs: 10, retryDelaySeconds: 1 },
      runOptions: { connectorFactory: fakeConnectors({ records: 30, pageDelayMs: 300 }) },
    });
  });
  after(async () => {
    await runs?.stop();
    await store?.close();
    await tmp?.drop();
  });

  test('a change arriving while the workspace runs as many tasks as it may is not dropped: its run starts once the other has finished', async () => {
    const long = await runs.runNow('full-long');
    await runs.runSoon('full-change', 'change');
    const [changed] = await eventually(
      'the change-driven run',
      async () => {
        const list = await store.executions.list({ taskId: 'full-change', limit: 10 });
        return list.length === 1 && list[0]?.finishedAt && list;
      },
      { timeoutMs: 30_000 },
    );
    const first = await store.executions.get(long.executionId as string);
    assert.ok(
      Number(changed?.startedAt) >= Number(first.finishedAt),
      'it started after the other run had finished',
    );
  });
});
