import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer, login } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * Routes whose success is proven in their own suites, with the outside system they need:
 * OAuth (test/hubspot/oauth-flow), webhooks (test/hubspot/webhooks), imports (test/import/api), privacy
 * erasures and exports (test/e2e/erasure), file uploads (test/server/file-uploads).
 */
// Proven in their own suites: the live feed never ends by itself (live-feed.test.ts), the error log's
// worklist needs failures of several runs (error-worklist.test.ts), sessions need two logins (account.test.ts).
const ELSEWHERE = [
  /oauth/,
  /webhooks/,
  /\/api\/imports/,
  /\/api\/privacy\//,
  /\/api\/files/,
  /^GET \/api\/events$/,
  /\/api\/errors/,
  /\/api\/auth\/sessions/,
  // Swagger UI's page and files: the browser test opens the viewer (docs-viewer.test.ts).
  /^GET \/docs/,
  // Needs a mail transport to record into (settings-test-mail.test.ts).
  /\/api\/settings\/test-email/,
  // The mapping table's files are opened and read back (mapping-table.test.ts).
  /^GET \/api\/mappings\/:id\/table$/,
  // Workspaces, their members and the operator's interval need users of several roles (workspaces.test.ts).
  /\/api\/workspaces/,
  /^PATCH \/api\/tasks\/:id\/schedule$/,
];

describe('every API route answers a valid request with success', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let app: FastifyInstance;
  let admin: Client;
  const succeeded = new Set<string>();

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, generatePeople(30));
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({ tokens: ['tok'], faults: { rejectEmails: ['person.1@example.ch'] } });
    const hubspotUrl = await hs.listen();
    ({ app, admin } = await createTestServer(store, {
      plugins: [
        async (a) => {
          a.addHook('onResponse', async (req, reply) => {
            if (reply.statusCode < 400 && req.routeOptions.url)
              succeeded.add(`${req.method} ${req.routeOptions.url}`);
          });
        },
      ],
    }));
    await admin.send('PUT', '/api/connections/erp', {
      name: 'ERP',
      system: 'sql',
      config: { url: business.url },
    });
    await admin.send('PUT', '/api/connections/hubspot', {
      name: 'HubSpot',
      system: 'hubspot',
      config: { baseUrl: hubspotUrl },
      secret: { accessToken: 'tok' },
    });
  });
  after(async () => {
    await app?.close();
    await hs?.close();
    await store?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  const ok = async (res: { statusCode: number; body: string }, status = 200) => {
    assert.equal(res.statusCode, status, res.body);
    return res.body ? JSON.parse(res.body) : null;
  };

  test('configuration routes', async () => {
    const mapping = {
      name: 'People',
      source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
      target: { connectionId: 'hubspot', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: [{ target: 'email', from: 'email', transform: [{ type: 'email' }] }],
    };
    assert.equal((await ok(await admin.get('/api/connections'))).connections.length, 2);
    assert.equal((await ok(await admin.get('/api/connections/erp'))).system, 'sql');
    assert.ok((await ok(await admin.get('/api/connections/erp/describe'))).objects.length >= 1);
    assert.equal((await ok(await admin.send('POST', '/api/connections/hubspot/test'))).ok, true);
    await ok(await admin.send('PUT', '/api/mappings/people', mapping));
    assert.equal((await ok(await admin.get('/api/mappings'))).mappings.length, 1);
    assert.equal((await ok(await admin.get('/api/mappings/people'))).id, 'people');
    const exported = await ok(await admin.get('/api/mappings/export'));
    assert.equal(exported.mappings.length, 1);
    await ok(
      await admin.send('POST', '/api/mappings/import', {
        mappings: [{ ...exported.mappings[0], id: 'people-copy' }],
      }),
    );
    assert.equal(
      (
        await ok(
          await admin.send('POST', '/api/mappings/preview', { mapping: { id: 'p', ...mapping }, limit: 3 }),
        )
      ).rows.length,
      3,
    );
    await ok(await admin.send('DELETE', '/api/mappings/people-copy'));
    await ok(
      await admin.send('PUT', '/api/tasks/sync', {
        name: 'Sync',
        mappingId: 'people',
        schedule: { everyMinutes: 15 },
      }),
    );
    await ok(await admin.send('PUT', '/api/tasks/spare', { name: 'Spare', mappingId: 'people' }));
    assert.equal((await ok(await admin.get('/api/tasks'))).tasks.length, 2);
    assert.equal((await ok(await admin.get('/api/tasks/sync'))).id, 'sync');
    await ok(await admin.send('DELETE', '/api/tasks/spare'));
    await ok(
      await admin.send('PUT', '/api/connections/spare', {
        name: 'Spare',
        system: 'sql',
        config: { url: business.url },
      }),
    );
    await ok(await admin.send('DELETE', '/api/connections/spare'));
    await ok(
      await admin.send('PATCH', '/api/settings', {
        retentionDays: 30,
        defaultRecipients: ['ops@example.ch'],
      }),
    );
    assert.equal((await ok(await admin.get('/api/settings'))).retentionDays, 30);
  });

  test('run, history, items, progress, error log, retry, record links', async () => {
    assert.equal((await ok(await admin.send('POST', '/api/tasks/sync/dry-run', {}))).counts.created, 30);
    const { executionId } = await ok(await admin.send('POST', '/api/tasks/sync/run'), 202);
    const events = await app.inject({
      method: 'GET',
      url: `/api/executions/${executionId}/events`,
      headers: { cookie: admin.cookie },
    });
    assert.match(events.body, /event: end/);
    assert.equal((await ok(await admin.get(`/api/executions/${executionId}`))).status, 'warning');
    assert.equal((await ok(await admin.get('/api/executions'))).executions.length, 1);
    assert.equal((await ok(await admin.get(`/api/executions/${executionId}/items?action=fail`))).total, 1);
    assert.equal((await ok(await admin.get('/api/errors'))).errors[0].sourceKey, '1');
    assert.ok((await ok(await admin.get('/api/systems'))).systems.length >= 5);
    const audit = (await ok(await admin.get('/api/audit?limit=500'))).entries as {
      kind: string;
      subject: string;
    }[];
    assert.ok(
      audit.some((e) => e.kind === 'login'),
      'logins are audited',
    );
    assert.ok(
      audit.some((e) => e.kind === 'change' && e.subject === 'PUT /api/tasks/:id'),
      'changes too',
    );
    assert.deepEqual(await ok(await admin.get('/api/records/failing/count')), { failed: 1, retry: 0 });
    assert.equal((await ok(await admin.get('/api/records/2/links'))).links[0].status, 'ok');
    hs.setFaults({ rejectEmails: [] });
    const retried = await ok(await admin.send('POST', `/api/executions/${executionId}/retry`), 202);
    assert.equal(retried.marked, 1);
  });

  test('users, own password and tokens', async () => {
    const user = await ok(
      await admin.send('POST', '/api/users', {
        username: 'kunde',
        name: 'Kunde AG',
        role: 'viewer',
        password: 'first-password-1',
      }),
      201,
    );
    assert.equal((await ok(await admin.get('/api/users'))).users.length, 3);
    await ok(await admin.send('PATCH', `/api/users/${user.id}`, { name: 'Kunde AG (Zürich)' }));
    const kunde = await login(app, { username: 'kunde', password: 'first-password-1' });
    const elsewhere = await login(app, { username: 'kunde', password: 'first-password-1' });
    assert.equal((await ok(await kunde.get('/api/auth/me'))).user.mustChangePassword, true);
    await ok(
      await kunde.send('POST', '/api/auth/password', {
        currentPassword: 'first-password-1',
        newPassword: 'second-password-2',
      }),
    );
    assert.equal(
      (await elsewhere.get('/api/auth/me')).statusCode,
      401,
      'a password change ends the other sessions',
    );
    const token = await ok(await kunde.send('POST', '/api/auth/tokens', { name: 'script' }), 201);
    assert.equal((await ok(await kunde.get('/api/auth/tokens'))).tokens.length, 1);
    await ok(await kunde.send('DELETE', `/api/auth/tokens/${token.id}`));
    const another = await ok(await kunde.send('POST', '/api/auth/tokens', { name: 'cron' }), 201);
    assert.equal((await ok(await admin.get(`/api/users/${user.id}/tokens`))).tokens[0].id, another.id);
    await ok(await admin.send('DELETE', `/api/users/${user.id}/tokens/${another.id}`));
    await ok(await kunde.send('POST', '/api/auth/logout'));
    await ok(await admin.send('DELETE', `/api/users/${user.id}`));
  });

  test('operations routes', async () => {
    assert.equal((await ok(await app.inject({ method: 'GET', url: '/healthz' }))).status, 'ok');
    const metrics = await admin.get('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /junction_runs_total\{task="sync",status="warning"\} 1/);
    assert.ok((await ok(await app.inject({ method: 'GET', url: '/docs/json' }))).paths);
  });

  test('together these cover every route but the ones proven in their own suites', () => {
    const missing = app.routeList
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !succeeded.has(k) && !ELSEWHERE.some((re) => re.test(k)));
    assert.deepEqual(missing, []);
  });
});
