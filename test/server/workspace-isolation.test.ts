import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { ZERO_COUNTS } from '../../src/core/types.ts';
import type { WorkspaceRole } from '../../src/core/workspaces.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { createTestServer, login } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * Issue 21's isolation proof: every route of the OpenAPI document, called by each user and token of
 * workspace B against workspace A's objects, answers 403 (role too low, instance only) or exactly what it
 * answers for an object that does not exist at all (404, or an empty list) — and no answer carries a name,
 * an id, a payload or a count of A's.
 */

type Needs = WorkspaceRole | 'instance' | 'self';
const RANK: Record<WorkspaceRole, number> = { admin: 0, operator: 1, viewer: 2 };

/** Values a probe fills in: A's objects, or (for the comparison) objects that do not exist anywhere. */
interface Ids {
  connection: string;
  uploadConnection: string;
  mapping: string;
  fileMapping: string;
  task: string;
  execution: string;
  import: string;
  user: string;
  token: string;
  session: string;
  workspace: string;
}

interface Probe {
  /** What the route needs (the spec, written here on purpose rather than read from the route). */
  needs: Needs;
  /** Statuses allowed once the role suffices (default 404: another workspace's object does not exist). */
  ok?: number[];
  /** Path parameters. */
  params?: (ids: Ids) => Record<string, string>;
  query?: (ids: Ids) => Record<string, string>;
  body?: (ids: Ids) => unknown;
  /** A multipart upload (`file` part, a small CSV) instead of a JSON body. */
  upload?: true;
  /** The same call with ids that do not exist would create something: no comparison with it. */
  createsWithGhost?: true;
  /** A server-sent-events answer: read over HTTP until the first event. */
  stream?: true;
  /** Ends or changes the session it is sent with: sent with a fresh login of the same user. */
  freshSession?: true;
}

/** Routes nobody logs in for; what they answer does not depend on a workspace. */
const OUT_OF_SCOPE: Record<string, string> = {
  'POST /api/webhooks/{connectionId}':
    "public: the connection's system signs each request; proven in test/hubspot/webhooks (no user, no workspace)",
  'POST /api/webhooks/hubspot/{connectionId}': 'public: the same receiver under its HubSpot address',
  'GET /api/oauth/callback':
    'public: the browser comes back from the system; the signed state and the nonce cookie of the browser that started it decide (test/hubspot/oauth-flow)',
};

const CSV = 'Kundennummer,E-Mail\nK-1,probe.one@example.ch\n';
const mappingBody = (source: string, target: string) => ({
  name: 'Probe mapping',
  source: { connectionId: source, object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: target, object: 'contacts' },
  matchKey: { target: 'email' },
  fields: [{ target: 'email', from: 'email', transform: [{ type: 'email' }] }],
});
const records = (ids: Ids) => [{ taskId: ids.task, sourceKey: '1' }];
const privacyRecord = (ids: Ids) => ({ connectionId: ids.connection, object: 'people', key: '1' });

/**
 * Every route of the OpenAPI document with what a workspace-B caller must get against A's objects. A route
 * missing here fails the test: a new route is looked at before it ships.
 */
const PROBES: Record<string, Probe> = {
  'GET /healthz': { needs: 'self', ok: [200] },
  // One process counts the runs of every workspace: a workspace's people get the series of its own.
  'GET /metrics': { needs: 'viewer', ok: [200] },
  'GET /api/audit': { needs: 'admin', ok: [200] },
  'POST /api/auth/login': {
    needs: 'self',
    ok: [200],
    body: () => ({ username: 'b-probe', password: 'probe-password-1' }),
  },
  'POST /api/auth/logout': { needs: 'self', ok: [200], freshSession: true },
  'GET /api/auth/me': { needs: 'self', ok: [200] },
  // A wrong current password: nothing changes (a right one would end the caller's other sessions).
  'POST /api/auth/password': {
    needs: 'self',
    ok: [400],
    freshSession: true,
    body: () => ({ currentPassword: 'not-the-password', newPassword: 'another-password-9' }),
  },
  'GET /api/auth/tokens': { needs: 'self', ok: [200] },
  'POST /api/auth/tokens': {
    needs: 'self',
    ok: [404],
    body: (ids) => ({ name: 'probe', workspace: ids.workspace }),
  },
  'GET /api/auth/sessions': { needs: 'self', ok: [200] },
  'DELETE /api/auth/sessions/{id}': { needs: 'self', params: (ids) => ({ id: ids.session }) },
  'DELETE /api/auth/tokens/{id}': { needs: 'self', params: (ids) => ({ id: ids.token }) },
  'GET /api/connections': { needs: 'viewer', ok: [200] },
  'GET /api/connections/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.connection }) },
  // Ids are unique in the hub: taking another workspace's is refused as taken, never as "exists there".
  'PUT /api/connections/{id}': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    params: (ids) => ({ id: ids.connection }),
    body: () => ({ name: 'Probe', system: 'sql', config: { url: 'sqlite::memory:' } }),
  },
  'DELETE /api/connections/{id}': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'POST /api/connections/{id}/test': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'GET /api/connections/{id}/describe': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'GET /api/connections/{id}/oauth/start': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'GET /api/systems': { needs: 'viewer', ok: [200] },
  'GET /api/mappings': { needs: 'viewer', ok: [200] },
  'GET /api/mappings/export': { needs: 'viewer', ok: [200] },
  'GET /api/mappings/{id}/table': {
    needs: 'viewer',
    params: (ids) => ({ id: ids.mapping }),
    query: () => ({ format: 'csv' }),
  },
  'POST /api/mappings/import': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    body: (ids) => ({ mappings: [{ id: ids.mapping, ...mappingBody('beta-erp', 'beta-hubspot') }] }),
  },
  // A's connections in a mapping are unknown connections: refused as for any unknown one.
  'POST /api/mappings/preview': {
    needs: 'admin',
    ok: [400],
    body: (ids) => ({ mapping: { id: 'probe', ...mappingBody(ids.connection, ids.connection) }, limit: 2 }),
  },
  'GET /api/mappings/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.mapping }) },
  'PUT /api/mappings/{id}': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    params: (ids) => ({ id: ids.mapping }),
    body: () => mappingBody('beta-erp', 'beta-hubspot'),
  },
  'DELETE /api/mappings/{id}': { needs: 'admin', params: (ids) => ({ id: ids.mapping }) },
  'GET /api/tasks': { needs: 'viewer', ok: [200] },
  'GET /api/tasks/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.task }) },
  'PUT /api/tasks/{id}': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    params: (ids) => ({ id: ids.task }),
    body: () => ({ name: 'Probe', mappingId: 'beta-people' }),
  },
  'PATCH /api/tasks/{id}/schedule': {
    needs: 'operator',
    params: (ids) => ({ id: ids.task }),
    body: () => ({ everyMinutes: 20 }),
  },
  'DELETE /api/tasks/{id}': { needs: 'admin', params: (ids) => ({ id: ids.task }) },
  'POST /api/tasks/{id}/run': { needs: 'operator', params: (ids) => ({ id: ids.task }), body: () => ({}) },
  'POST /api/tasks/{id}/dry-run': {
    needs: 'operator',
    params: (ids) => ({ id: ids.task }),
    body: () => ({}),
  },
  'GET /api/executions': { needs: 'viewer', ok: [200], query: (ids) => ({ taskId: ids.task }) },
  'GET /api/executions/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.execution }) },
  'GET /api/executions/{id}/items': {
    needs: 'viewer',
    params: (ids) => ({ id: ids.execution }),
    query: () => ({ action: 'fail' }),
  },
  'GET /api/executions/{id}/events': {
    needs: 'viewer',
    stream: true,
    params: (ids) => ({ id: ids.execution }),
  },
  'POST /api/executions/{id}/retry': { needs: 'operator', params: (ids) => ({ id: ids.execution }) },
  'GET /api/events': { needs: 'viewer', ok: [200], stream: true },
  'GET /api/errors': { needs: 'viewer', ok: [200], query: (ids) => ({ taskId: ids.task }) },
  'GET /api/errors/count': { needs: 'viewer', ok: [200] },
  'POST /api/errors/resolve': {
    needs: 'operator',
    body: (ids) => ({ records: records(ids), state: 'resolved', note: 'probe' }),
  },
  'POST /api/errors/retry': { needs: 'operator', body: (ids) => ({ records: records(ids) }) },
  'GET /api/records/failing/count': { needs: 'viewer', ok: [200] },
  // Source keys are no workspace's ('1' may be anyone's record): B sees no link of A's under it.
  'GET /api/records/{sourceKey}/links': {
    needs: 'viewer',
    ok: [200],
    params: () => ({ sourceKey: '1' }),
    query: (ids) => ({ connection: ids.connection, object: 'people' }),
  },
  'POST /api/imports': { needs: 'admin', upload: true, query: (ids) => ({ mappingId: ids.fileMapping }) },
  'GET /api/imports/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.import }) },
  'POST /api/imports/{id}/run': { needs: 'admin', params: (ids) => ({ id: ids.import }), body: () => ({}) },
  'GET /api/imports/{id}/error-file': { needs: 'viewer', params: (ids) => ({ id: ids.import }) },
  // Keeps an upload for a connection yet to be made: names nothing of any workspace.
  'POST /api/files': { needs: 'admin', ok: [201], upload: true, query: () => ({ system: 'spreadsheet' }) },
  'POST /api/files/sample': {
    needs: 'admin',
    upload: true,
    query: (ids) => ({ connectionId: ids.uploadConnection }),
  },
  'GET /api/users': { needs: 'instance' },
  'POST /api/users': {
    needs: 'instance',
    body: (ids) => ({
      username: 'probe-user',
      name: 'Probe',
      role: 'viewer',
      password: 'probe-password-1',
      workspaces: [{ id: ids.workspace, role: 'admin' }],
    }),
  },
  'PATCH /api/users/{id}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.user }),
    body: () => ({ name: 'Probe' }),
  },
  'DELETE /api/users/{id}': { needs: 'instance', params: (ids) => ({ id: ids.user }) },
  'GET /api/users/{id}/tokens': { needs: 'instance', params: (ids) => ({ id: ids.user }) },
  'DELETE /api/users/{id}/tokens/{tokenId}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.user, tokenId: ids.token }),
  },
  'GET /api/workspaces': { needs: 'self', ok: [200] },
  'PUT /api/workspaces/{id}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.workspace }),
    body: () => ({ name: 'Probe' }),
  },
  'DELETE /api/workspaces/{id}': { needs: 'instance', params: (ids) => ({ id: ids.workspace }) },
  'GET /api/workspaces/{id}/members': { needs: 'instance', params: (ids) => ({ id: ids.workspace }) },
  'PUT /api/workspaces/{id}/members/{userId}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.workspace, userId: ids.user }),
    body: () => ({ role: 'admin' }),
  },
  'DELETE /api/workspaces/{id}/members/{userId}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.workspace, userId: ids.user }),
  },
  'POST /api/privacy/erasures': { needs: 'admin', body: privacyRecord },
  'POST /api/privacy/exports': { needs: 'admin', body: privacyRecord },
  'GET /api/settings': { needs: 'instance' },
  'PATCH /api/settings': { needs: 'instance', body: () => ({ retentionDays: 1 }) },
  'POST /api/settings/test-email': { needs: 'instance', body: () => ({}) },
};

function multipart(file: { name: string; content: string }) {
  const boundary = `----junction${randomUUID().slice(0, 8)}`;
  return {
    payload: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n--${boundary}--\r\n`,
    ),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

interface Caller {
  name: string;
  role: WorkspaceRole;
  kind: 'session' | 'token';
  headers: Record<string, string>;
  /** A new session of the same user (for routes that end or change the one they are sent with). */
  fresh(): Promise<Record<string, string>>;
}

interface Answer {
  status: number;
  body: string;
}

for (const dialect of DIALECTS) {
  describe(`workspace isolation over every API route (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    let app: FastifyInstance;
    let base: string;
    let skip: string | undefined;
    const callers: Caller[] = [];
    let alpha: Ids;
    const ghost: Ids = {
      connection: 'ghost-erp',
      uploadConnection: 'ghost-upload',
      mapping: 'ghost-people',
      fileMapping: 'ghost-file',
      task: 'ghost-sync',
      execution: randomUUID(),
      import: randomUUID(),
      user: randomUUID(),
      token: 'ghosttokenid1',
      session: 'ghost-session',
      workspace: 'zzz',
    };
    /** What only A has: none of it may reach a B caller (unless the caller sent it in the request). */
    let secrets: string[];
    /** A's administrator, logged in: the other side of the live feed. */
    let alphaHeaders: Record<string, string>;

    type Send = (o: {
      method: string;
      url: string;
      headers?: Record<string, string>;
      payload?: unknown;
    }) => Promise<LightMyRequestResponse>;
    let inject: Send;
    const as = (workspace: string, cookie: string, csrf: string) => ({
      send: (method: string, url: string, payload?: unknown) =>
        inject({
          method,
          url,
          headers: { cookie, 'x-csrf-token': csrf, 'x-junction-workspace': workspace },
          ...(payload === undefined ? {} : { payload }),
        }),
    });
    const ok = (res: LightMyRequestResponse, status = 200) => {
      assert.equal(res.statusCode, status, `${res.statusCode} ${res.body}`);
      return res.body ? res.json() : null;
    };

    before(async () => {
      try {
        business = await dialect.create();
        storeDb = await dialect.create();
      } catch (err) {
        skip = `${dialect.name} not reachable: ${(err as Error).message}`;
        return;
      }
      await createPeopleTable(business, generatePeople(5));
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({ tokens: ['tok'], faults: { rejectEmails: ['person.1@example.ch'] } });
      const hubspotUrl = await hs.listen();
      const server = await createTestServer(store, { liveFeed: { intervalMs: 100 } });
      app = server.app;
      inject = (o) => app.inject(o as InjectOptions);
      base = await app.listen({ port: 0, host: '127.0.0.1' });
      const admin = server.admin;
      ok(await admin.send('PUT', '/api/workspaces/a', { name: 'Alpha Kunde AG' }));
      ok(await admin.send('PUT', '/api/workspaces/b', { name: 'Beta GmbH' }));
      const inA = as('a', admin.cookie, admin.csrf);
      const inB = as('b', admin.cookie, admin.csrf);

      // Workspace A: connections, mappings, a task with a finished run that failed one record, an import.
      ok(
        await inA.send('PUT', '/api/connections/alpha-erp', {
          name: 'Alpha ERP',
          system: 'sql',
          config: { url: business.url },
        }),
      );
      ok(
        await inA.send('PUT', '/api/connections/alpha-hubspot', {
          name: 'Alpha HubSpot',
          system: 'hubspot',
          config: { baseUrl: hubspotUrl },
          secret: { accessToken: 'tok' },
        }),
      );
      ok(
        await inA.send('PUT', '/api/connections/alpha-upload', {
          name: 'Alpha Uploads',
          system: 'spreadsheet',
          config: {},
        }),
      );
      ok(
        await inA.send('PUT', '/api/mappings/alpha-people', {
          ...mappingBody('alpha-erp', 'alpha-hubspot'),
          name: 'Alpha People',
        }),
      );
      ok(
        await inA.send('PUT', '/api/mappings/alpha-file', {
          name: 'Alpha File Import',
          source: { connectionId: 'alpha-upload', object: 'Kunden', key: 'Kundennummer' },
          target: { connectionId: 'alpha-hubspot', object: 'contacts' },
          matchKey: { target: 'email' },
          fields: [{ target: 'email', from: 'E-Mail', transform: [{ type: 'email' }] }],
        }),
      );
      ok(await inA.send('PUT', '/api/tasks/alpha-sync', { name: 'Alpha Sync', mappingId: 'alpha-people' }));
      const { executionId } = ok(await inA.send('POST', '/api/tasks/alpha-sync/run', {}), 202);
      for (let i = 0; ; i++) {
        const run = ok(await inA.send('GET', `/api/executions/${executionId}`));
        if (run.status !== 'running' && run.status !== 'queued') {
          assert.equal(run.status, 'warning', 'one of the records failed');
          break;
        }
        assert.ok(i < 200, 'the run ends');
        await new Promise((r) => setTimeout(r, 50));
      }
      const upload = multipart({ name: 'alpha-kunden.csv', content: CSV });
      const imported = ok(
        await inject({
          method: 'POST',
          url: '/api/imports?mappingId=alpha-file',
          payload: upload.payload,
          headers: {
            ...upload.headers,
            cookie: admin.cookie,
            'x-csrf-token': admin.csrf,
            'x-junction-workspace': 'a',
          },
        }),
        201,
      );

      // Workspace B: its own configuration, no run (its counts are all zero).
      ok(
        await inB.send('PUT', '/api/connections/beta-erp', {
          name: 'Beta ERP',
          system: 'sql',
          config: { url: business.url },
        }),
      );
      ok(
        await inB.send('PUT', '/api/connections/beta-hubspot', {
          name: 'Beta HubSpot',
          system: 'hubspot',
          config: { baseUrl: hubspotUrl },
          secret: { accessToken: 'tok' },
        }),
      );
      ok(await inB.send('PUT', '/api/mappings/beta-people', mappingBody('beta-erp', 'beta-hubspot')));
      ok(await inB.send('PUT', '/api/tasks/beta-sync', { name: 'Beta Sync', mappingId: 'beta-people' }));

      // Users of every role in each workspace; each logs in and makes a token of their role there.
      const password = 'member-password-1';
      const passwordHash = await hashPassword(password);
      const make = async (username: string, workspace: string, role: WorkspaceRole) => {
        const user = await store.users.create({
          username,
          name: username,
          role: 'viewer',
          passwordHash,
          workspaces: [{ id: workspace, role }],
        });
        const session = await login(app, { username, password });
        const token = ok(await session.send('POST', '/api/auth/tokens', { name: `${username} script` }), 201);
        assert.equal(token.workspaceId, workspace);
        assert.equal(token.role, role);
        return { user, session, token };
      };
      const alphaAdmin = await make('alpha-admin', 'a', 'admin');
      await make('alpha-operator', 'a', 'operator');
      await make('alpha-viewer', 'a', 'viewer');
      await store.users.create({
        username: 'b-probe',
        name: 'Probe',
        role: 'viewer',
        passwordHash: await hashPassword('probe-password-1'),
        workspaces: [{ id: 'b', role: 'viewer' }],
      });
      const [alphaSession] = ok(await alphaAdmin.session.get('/api/auth/sessions')).sessions;
      alphaHeaders = { cookie: alphaAdmin.session.cookie };
      for (const role of ['admin', 'operator', 'viewer'] as const) {
        const username = `beta-${role}`;
        const { session, token } = await make(username, 'b', role);
        const fresh = async () => {
          const s = await login(app, { username, password });
          return { cookie: s.cookie, 'x-csrf-token': s.csrf };
        };
        callers.push({
          name: `${username} (session)`,
          role,
          kind: 'session',
          headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
          fresh,
        });
        callers.push({
          name: `${username} (token)`,
          role,
          kind: 'token',
          headers: { authorization: `Bearer ${token.token}` },
          fresh: async () => ({ authorization: `Bearer ${token.token}` }),
        });
      }
      alpha = {
        connection: 'alpha-erp',
        uploadConnection: 'alpha-upload',
        mapping: 'alpha-people',
        fileMapping: 'alpha-file',
        task: 'alpha-sync',
        execution: executionId,
        import: imported.id,
        user: alphaAdmin.user.id,
        token: alphaAdmin.token.id,
        session: alphaSession.id,
        workspace: 'a',
      };
      secrets = [
        ...['alpha-erp', 'alpha-hubspot', 'alpha-upload', 'alpha-people', 'alpha-file', 'alpha-sync'],
        ...['Alpha ERP', 'Alpha HubSpot', 'Alpha Uploads', 'Alpha People', 'Alpha File Import', 'Alpha Sync'],
        'Alpha Kunde AG',
        'alpha-admin',
        'alpha-operator',
        'alpha-viewer',
        'alpha-kunden',
        'person.1@example.ch',
        'probe.one@example.ch',
        executionId,
        imported.id,
        alphaAdmin.user.id,
        alphaAdmin.token.id,
        alphaSession.id,
      ];
    });
    after(async () => {
      await app?.close();
      await hs?.close();
      await store?.close();
      await business?.drop();
      await storeDb?.drop();
    });

    const openApiRoutes = () => {
      const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
      return Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
    };
    const toUrl = (key: string, probe: Probe, ids: Ids) => {
      const [, path = ''] = key.split(' ');
      const params = probe.params?.(ids) ?? {};
      const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = params[name];
        assert.ok(value, `${key}: no value for {${name}}`);
        return encodeURIComponent(value);
      });
      const query = probe.query?.(ids);
      return query ? `${filled}?${new URLSearchParams(query)}` : filled;
    };

    /** Reads a server-sent-events answer until its first event (or the whole answer when it is no stream). */
    const readStream = async (url: string, headers: Record<string, string>): Promise<Answer> => {
      const ac = new AbortController();
      const res = await fetch(`${base}${url}`, { headers, signal: ac.signal });
      let body = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          body += decoder.decode(chunk, { stream: true });
          if (res.headers.get('content-type') === 'text/event-stream' && body.includes('\n\n')) break;
        }
      } finally {
        ac.abort();
      }
      return { status: res.status, body };
    };

    /** Opens the live feed and keeps everything it says until `stop()`. */
    const listen = async (headers: Record<string, string>) => {
      const ac = new AbortController();
      const res = await fetch(`${base}/api/events`, { headers, signal: ac.signal });
      assert.equal(res.status, 200);
      const feed = { text: '', stop: () => ac.abort(), ended: Promise.resolve() };
      feed.ended = (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
            feed.text += decoder.decode(chunk, { stream: true });
        } catch (err) {
          if (!ac.signal.aborted) throw err;
        }
      })();
      await eventually('the snapshot', () => feed.text.includes('event: snapshot'));
      return feed;
    };

    const call = async (key: string, probe: Probe, ids: Ids, caller: Caller): Promise<Answer> => {
      const [method = 'GET'] = key.split(' ');
      const url = toUrl(key, probe, ids);
      const headers = probe.freshSession ? await caller.fresh() : { ...caller.headers };
      if (probe.stream) return readStream(url, headers);
      if (probe.upload) {
        const upload = multipart({ name: 'probe.csv', content: CSV });
        const res = await inject({
          method,
          url,
          payload: upload.payload,
          headers: { ...headers, ...upload.headers },
        });
        return { status: res.statusCode, body: res.body };
      }
      const body = probe.body?.(ids);
      const res = await inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) });
      return { status: res.statusCode, body: res.body };
    };

    /** The answer with the ids the request named replaced, so A's and a ghost's answers compare. */
    const normalise = (text: string, ids: Ids) =>
      Object.entries(ids)
        .sort(([, a], [, b]) => b.length - a.length)
        // A one-letter workspace id only where it is quoted as one, not inside every word.
        .reduce(
          (t, [k, v]) => (v.length < 4 ? t.split(`'${v}'`).join(`'<${k}>'`) : t.split(v).join(`<${k}>`)),
          text,
        );

    const leaks = (answer: Answer, sent: string) =>
      secrets.filter(
        (s) => answer.body.toLowerCase().includes(s.toLowerCase()) && !sent.includes(s.toLowerCase()),
      );

    test('the OpenAPI document lists every route, and every listed route has a probe or a reason', (t) => {
      if (skip) return t.skip(skip);
      const documented = new Set(openApiRoutes());
      const undocumented = app.routeList
        .filter((r) => !r.url.startsWith('/docs'))
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
        .filter((k) => !documented.has(k));
      assert.deepEqual(undocumented, [], 'routes missing from the OpenAPI document');
      const unprobed = [...documented].filter((k) => !PROBES[k] && !OUT_OF_SCOPE[k]);
      assert.deepEqual(
        unprobed,
        [],
        'routes without a probe: add one to PROBES (or a reason to OUT_OF_SCOPE)',
      );
      const stale = Object.keys({ ...PROBES, ...OUT_OF_SCOPE }).filter((k) => !documented.has(k));
      assert.deepEqual(stale, [], 'probes of routes that are gone');
    });

    test("each B user and token gets 403 or exactly a missing object's answer for A's objects, never A's data", async (t) => {
      if (skip) return t.skip(skip);
      const failures: string[] = [];
      for (const key of openApiRoutes()) {
        const probe = PROBES[key];
        if (!probe) continue;
        for (const caller of callers) {
          const where = `${key} as ${caller.name}`;
          const answer = await call(key, probe, alpha, caller);
          const sent =
            `${toUrl(key, probe, alpha)} ${JSON.stringify(probe.body?.(alpha) ?? '')}`.toLowerCase();
          const leaked = leaks(answer, sent);
          if (leaked.length)
            failures.push(
              `${where}: ${answer.status} carries ${leaked.join(', ')}: ${answer.body.slice(0, 300)}`,
            );
          const refused =
            probe.needs === 'instance' || (probe.needs !== 'self' && RANK[caller.role] > RANK[probe.needs]);
          const expected = refused ? [403] : (probe.ok ?? [404]);
          // The account itself is managed logged in, never with a token (auth.ts sessionOnly).
          const sessionOnly =
            caller.kind === 'token' && /^(GET|POST|DELETE) \/api\/auth\/(password|tokens|sessions)/.test(key);
          const allowed = sessionOnly ? [403] : expected;
          if (!allowed.includes(answer.status)) {
            failures.push(
              `${where}: ${answer.status} (expected ${allowed.join(' or ')}): ${answer.body.slice(0, 300)}`,
            );
            continue;
          }
          // What would another workspace's id tell? Exactly what an id no one has tells.
          if (probe.createsWithGhost || answer.status === 403) continue;
          const same =
            toUrl(key, probe, alpha) === toUrl(key, probe, ghost) &&
            JSON.stringify(probe.body?.(alpha)) === JSON.stringify(probe.body?.(ghost));
          if (same) continue;
          const other = await call(key, probe, ghost, caller);
          const mine = normalise(answer.body, alpha);
          const theirs = normalise(other.body, ghost);
          if (other.status !== answer.status || mine !== theirs)
            failures.push(
              `${where}: A's object answers ${answer.status} ${mine.slice(0, 200)}, a missing one ${other.status} ${theirs.slice(0, 200)}`,
            );
        }
      }
      assert.deepEqual(failures, []);
    });

    test('naming workspace A is answered as naming one that does not exist, on every route', async (t) => {
      if (skip) return t.skip(skip);
      const failures: string[] = [];
      for (const key of openApiRoutes()) {
        const probe = PROBES[key];
        // Public routes (login, health) take no workspace.
        if (!probe || key === 'POST /api/auth/login' || key === 'GET /healthz') continue;
        for (const caller of callers) {
          for (const workspace of ['a', 'zzz']) {
            const [method = 'GET'] = key.split(' ');
            const res = await inject({
              method,
              url: toUrl(key, probe, alpha),
              headers: { ...caller.headers, 'x-junction-workspace': workspace },
            });
            const message = res.statusCode === 404 ? res.json().error.message : res.body;
            if (res.statusCode !== 404 || message !== `workspace '${workspace}' does not exist`)
              failures.push(
                `${key} as ${caller.name} in '${workspace}': ${res.statusCode} ${res.body.slice(0, 200)}`,
              );
          }
        }
      }
      assert.deepEqual(failures, []);
    });

    test("B's lists and counts hold only B's: no run, error, link or audit entry of A's", async (t) => {
      if (skip) return t.skip(skip);
      for (const caller of callers) {
        const get = async (url: string) => {
          const res = await inject({ method: 'GET', url, headers: caller.headers });
          assert.equal(res.statusCode, 200, `${url} as ${caller.name}: ${res.body}`);
          return res.json();
        };
        assert.deepEqual(await get('/api/errors/count'), { open: 0 }, caller.name);
        assert.deepEqual(await get('/api/records/failing/count'), { failed: 0, retry: 0 }, caller.name);
        assert.deepEqual((await get('/api/executions')).executions, [], caller.name);
        assert.equal((await get('/api/errors')).total, 0, caller.name);
        // Both ways to ask for a record's links: by its key alone, and in one source connection.
        assert.deepEqual((await get('/api/records/1/links')).links, [], caller.name);
        assert.deepEqual(
          (await get('/api/records/1/links?connection=alpha-erp&object=people')).links,
          [],
          caller.name,
        );
        assert.deepEqual(
          (await get('/api/tasks')).tasks.map((x: { id: string }) => x.id),
          ['beta-sync'],
          caller.name,
        );
        assert.deepEqual(
          (await get('/api/connections')).connections.map((x: { id: string }) => x.id).sort(),
          ['beta-erp', 'beta-hubspot'],
          caller.name,
        );
        assert.deepEqual(
          (await get('/api/mappings')).mappings.map((x: { id: string }) => x.id),
          ['beta-people'],
          caller.name,
        );
        assert.deepEqual(
          (await get('/api/workspaces')).workspaces.map((w: { id: string }) => w.id),
          ['b'],
          caller.name,
        );
      }
    });

    test("A's objects, run and counts are all still there after B's attempts", async (t) => {
      if (skip) return t.skip(skip);
      const admin = await login(app, { username: 'alpha-admin', password: 'member-password-1' });
      const get = async (url: string) => ok(await as('a', admin.cookie, admin.csrf).send('GET', url));
      assert.deepEqual(await get('/api/errors/count'), { open: 1 });
      assert.deepEqual(await get('/api/records/failing/count'), { failed: 1, retry: 0 });
      assert.equal((await get('/api/executions')).executions.length, 1);
      assert.equal((await get('/api/records/1/links')).links[0]?.status, 'failed');
      assert.deepEqual(
        (await get('/api/tasks')).tasks.map((x: { id: string; name: string; schedule?: unknown }) => [
          x.id,
          x.name,
        ]),
        [['alpha-sync', 'Alpha Sync']],
      );
      assert.equal((await get('/api/connections')).connections.length, 3);
      assert.equal((await get('/api/mappings')).mappings.length, 2);
      assert.equal((await get(`/api/imports/${alpha.import}`)).status, 'validated');
      // The metrics B got without A's series still hold them for A.
      const metrics = await as('a', admin.cookie, admin.csrf).send('GET', '/metrics');
      assert.match(metrics.body, /junction_runs_total\{task="alpha-sync",status="warning"\} 1/);
      assert.equal((await store.workspaces.get('a')).name, 'Alpha Kunde AG');
    });

    // Last: it adds a run to A's history.
    test("B's live feeds hear nothing of A's runs, while A's hears them", async (t) => {
      if (skip) return t.skip(skip);
      const bFeeds = await Promise.all(callers.map((c) => listen(c.headers)));
      const aFeed = await listen(alphaHeaders);
      const { execution } = await store.executions.begin({
        taskId: 'alpha-sync',
        trigger: 'schedule',
        owner: 'test:1',
        staleAfterMs: 60_000,
      });
      await eventually("A's run begins in A's feed", () => aFeed.text.includes(execution.id));
      // Opened while A's run is in flight: A's snapshot has it, B's has not.
      const bLate = await listen(callers[0]?.headers ?? {});
      const aLate = await listen(alphaHeaders);
      assert.match(aLate.text, new RegExp(execution.id));
      await store.executions.finish({
        executionId: execution.id,
        taskId: 'alpha-sync',
        status: 'succeeded',
        counts: { ...ZERO_COUNTS, read: 3 },
      });
      await eventually("A's run ends in A's feed", () => aFeed.text.includes('"status":"succeeded"'));
      for (const feed of [...bFeeds, bLate, aFeed, aLate]) feed.stop();
      await Promise.all([...bFeeds, bLate, aFeed, aLate].map((f) => f.ended));
      for (const [i, feed] of [...bFeeds, bLate].entries()) {
        const heard = [...secrets, execution.id].filter((x) =>
          feed.text.toLowerCase().includes(x.toLowerCase()),
        );
        assert.deepEqual(heard, [], `feed ${i}: ${feed.text.slice(0, 300)}`);
        assert.doesNotMatch(feed.text, /event: run/, `feed ${i} heard a run`);
      }
    });
  });
}
