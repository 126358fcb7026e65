import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HttpClient } from '../../src/connectors/http-client.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer, login } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

describe('API hardening', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    ({ app, admin } = await createTestServer(store));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('a percent-encoded /api path is authenticated like the plain one', async () => {
    for (const url of ['/%61pi/tasks', '/%61pi/users', '/api/%75sers']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 401, `${url} → ${res.statusCode}`);
    }
    const created = await app.inject({
      method: 'POST',
      url: '/%61pi/users',
      payload: { username: 'intruder', name: 'x', role: 'admin', password: 'intruder-password' },
    });
    assert.equal(created.statusCode, 401);
    assert.equal(await store.users.findForLogin('intruder'), null);
  });

  test('a forged X-Forwarded-For does not reset the login limit', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        payload: { username: 'admin', password: `guess-${i}` },
      });
      last = res.statusCode;
    }
    assert.equal(last, 429);
  });

  test('a user with a one-time password can do nothing but change it', async () => {
    await store.users.create({
      username: 'newbie',
      name: 'Neu',
      role: 'admin',
      passwordHash: await hashPassword('one-time-pass-1'),
      mustChangePassword: true,
    });
    const newbie = await login(app, { username: 'newbie', password: 'one-time-pass-1' });
    const blocked = await newbie.get('/api/tasks');
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json().error.code, 'password_change_required');
    assert.equal((await newbie.send('POST', '/api/auth/tokens', { name: 'x' })).statusCode, 403);
    assert.equal((await newbie.get('/api/auth/me')).statusCode, 200);
    const changed = await newbie.send('POST', '/api/auth/password', {
      currentPassword: 'one-time-pass-1',
      newPassword: 'a-much-better-password',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const again = await login(app, { username: 'newbie', password: 'a-much-better-password' });
    assert.equal((await again.get('/api/tasks')).statusCode, 200);
  });

  test('a password written into a connection URL is masked in every answer', async () => {
    const put = await admin.send('PUT', '/api/connections/erp', {
      name: 'ERP',
      system: 'sql',
      config: { url: 'postgres://erp:S3cr3t-pw@db.example.ch/erp' },
    });
    assert.equal(put.statusCode, 200, put.body);
    for (const res of [put, await admin.get('/api/connections'), await admin.get('/api/connections/erp')]) {
      assert.ok(!res.body.includes('S3cr3t-pw'), res.body);
      // The password moved into the sealed secret: the URL shows none, the secret only that it is set.
      assert.ok(res.body.includes('postgres://erp@db.example.ch/erp'), res.body);
    }
  });
});

describe('HTTP client retries', () => {
  test('a create whose connection drops after sending is not sent again; an idempotent request is', async () => {
    let hits = 0;
    // A server that reads the request and hangs up without answering: the request may have been applied.
    const server = createServer((socket) => {
      socket.once('data', () => {
        hits++;
        socket.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const http = new HttpClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 3, baseDelayMs: 1 });
    try {
      await assert.rejects(http.request('POST', '/create', { json: { a: 1 }, idempotent: false }));
      assert.equal(hits, 1, 'the create reached the server once');
      hits = 0;
      await assert.rejects(http.request('POST', '/upsert', { json: { a: 1 } }));
      assert.equal(hits, 4, 'an idempotent request is retried');
    } finally {
      server.close();
    }
  });
});
