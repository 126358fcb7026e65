import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** Changes a viewer may make: its own session, password and tokens. */
const VIEWER_WRITES = new Set([
  'POST /api/auth/logout',
  'POST /api/auth/password',
  'POST /api/auth/tokens',
  'DELETE /api/auth/tokens/{id}',
  'DELETE /api/auth/sessions/{id}',
]);
const ADMIN_READS = new Set(['GET /api/users', 'GET /api/settings', 'GET /api/connections/{id}/describe']);

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[] };
type Operation = { requestBody?: { content: Record<string, { schema: JsonSchema }> } };

/** A value of a type the schema does not allow. */
function wrongValue(s: JsonSchema): unknown {
  const t = Array.isArray(s.type) ? s.type[0] : (s.type ?? s.anyOf?.[0]?.type);
  return t === 'string'
    ? 12345
    : t === 'object'
      ? 'not-an-object'
      : t === 'array'
        ? 'not-an-array'
        : { not: 'a scalar' };
}

describe('API access rules on every route', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let viewer: Client;
  let doc: { paths: Record<string, Record<string, Operation>> };
  /** Routes that need no login (declared `public` in their config: login, health, webhooks, OAuth callback). */
  let PUBLIC: Set<string>;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    ({ app, admin, viewer } = await createTestServer(store));
    doc = (await admin.get('/docs/json')).json();
    PUBLIC = new Set(
      app.routeList.filter((r) => r.public).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
    );
    assert.ok(PUBLIC.has('POST /api/auth/login') && !PUBLIC.has('GET /api/tasks'));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        op,
      })),
    );
  const urlOf = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

  test('the OpenAPI document is valid and lists every route', async () => {
    await validate(structuredClone(doc) as never);
    const documented = new Set(operations().map((o) => o.key));
    const missing = app.routeList
      // The viewer's own pages and files (Swagger UI) are not API operations.
      .filter((r) => r.url !== '/docs' && !r.url.startsWith('/docs/'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .filter((k) => !documented.has(k));
    assert.deepEqual(missing, []);
    assert.ok(documented.size >= 30, `documents ${documented.size} operations`);
  });

  test('every non-public route answers 401 without a login', async () => {
    for (const { key, method, path } of operations()) {
      if (PUBLIC.has(key)) continue;
      const res = await app.inject({
        method: method as 'GET',
        url: urlOf(path),
        payload: method === 'GET' ? undefined : {},
      });
      assert.equal(res.statusCode, 401, `${key} → ${res.statusCode}`);
      assert.equal(res.json().error.code, 'unauthenticated');
    }
  });

  test('a viewer gets 403 on every change and on admin-only reads', async () => {
    for (const { key, method, path } of operations()) {
      if (PUBLIC.has(key) || VIEWER_WRITES.has(key)) continue;
      if (method === 'GET' && !ADMIN_READS.has(key)) continue;
      const res =
        method === 'GET'
          ? await viewer.get(urlOf(path))
          : await viewer.send(method as 'POST', urlOf(path), {});
      assert.equal(res.statusCode, 403, `${key} → ${res.statusCode} ${res.body}`);
      assert.equal(res.json().error.code, 'forbidden');
    }
  });

  test('every route with a body answers 400 naming the field for a wrongly typed body', async () => {
    let checked = 0;
    for (const { key, method, path, op } of operations()) {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (!schema?.properties || PUBLIC.has(key)) continue;
      const [name, prop] = Object.entries(schema.properties)[0] as [string, JsonSchema];
      const res = await admin.send(method as 'POST', urlOf(path), { [name]: wrongValue(prop) });
      assert.equal(res.statusCode, 400, `${key} → ${res.statusCode} ${res.body}`);
      const body = res.json();
      assert.equal(body.error.code, 'validation_error');
      const fields = (body.error.details.issues as { field: string }[]).map((i) => i.field);
      assert.ok(fields.includes(`body.${name}`), `${key}: ${JSON.stringify(fields)} names body.${name}`);
      checked++;
    }
    assert.ok(checked >= 8, `checked ${checked} routes with bodies`);
  });

  test('a cookie session without the CSRF header cannot change anything', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/tasks/t',
      headers: { cookie: admin.cookie },
      payload: {},
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'csrf_failed');
  });

  test('an API token works without CSRF and carries its owner role', async () => {
    const created = await viewer.send('POST', '/api/auth/tokens', { name: 'script' });
    assert.equal(created.statusCode, 201);
    const token = created.json().token as string;
    const read = await app.inject({
      method: 'GET',
      url: '/api/tasks',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(read.statusCode, 200);
    const write = await app.inject({
      method: 'PUT',
      url: '/api/tasks/x',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    assert.equal(write.statusCode, 403);
    const forged = await app.inject({
      method: 'GET',
      url: '/api/tasks',
      headers: { authorization: `${token.slice(0, -2)}xx`.replace(/^/, 'Bearer ') },
    });
    assert.equal(forged.statusCode, 401);
  });

  test('login attempts are rate-limited', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'admin', password: 'wrong' },
        remoteAddress: '10.9.9.9',
      });
      last = res.statusCode;
    }
    assert.equal(last, 429);
  });
});
