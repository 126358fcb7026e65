import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { ADMIN, type Client, createTestServer, login, VIEWER } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

describe('the account: own password, API tokens with a role, sessions', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let viewer: Client;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    ({ app, admin, viewer } = await createTestServer(store));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('a wrong current password is a 400 naming the field, and the session goes on', async () => {
    const res = await viewer.send('POST', '/api/auth/password', {
      currentPassword: 'not-the-password',
      newPassword: 'a-new-password-1',
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'wrong_current_password');
    assert.equal(res.json().error.details.field, 'currentPassword');
    assert.equal((await viewer.get('/api/auth/me')).statusCode, 200, 'still logged in');
  });

  test('the new password must differ from the one it replaces (a one-time password is not kept)', async () => {
    const res = await viewer.send('POST', '/api/auth/password', {
      currentPassword: VIEWER.password,
      newPassword: VIEWER.password,
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'password_unchanged');
    assert.equal(res.json().error.details.field, 'newPassword');
  });

  test('an admin makes a viewer token that only reads; last use is recorded', async () => {
    const made = await admin.send('POST', '/api/auth/tokens', {
      name: 'read-only script',
      expiresInDays: 30,
      role: 'viewer',
    });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json().role, 'viewer');
    const bearer = { authorization: `Bearer ${made.json().token}` };
    assert.equal((await app.inject({ method: 'GET', url: '/api/tasks', headers: bearer })).statusCode, 200);
    const change = await app.inject({ method: 'PATCH', url: '/api/settings', headers: bearer, payload: {} });
    assert.equal(change.statusCode, 403, 'a viewer token cannot change settings');
    const [listed] = (await admin.get('/api/auth/tokens')).json().tokens;
    assert.equal(listed.name, 'read-only script');
    assert.equal(listed.role, 'viewer');
    assert.ok(listed.lastUsedAt, 'the use was recorded');
  });

  test('an API token cannot manage the account: no new tokens, no revoking, no sessions, no password (403)', async () => {
    const made = await admin.send('POST', '/api/auth/tokens', { name: 'leaked', role: 'viewer' });
    const bearer = { authorization: `Bearer ${made.json().token}` };
    const asToken = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url, headers: bearer, ...(payload ? { payload } : {}) });
    const tokensBefore = (await admin.get('/api/auth/tokens')).json().tokens as { id: string }[];
    const mine = tokensBefore[0];
    const [session] = (await admin.get('/api/auth/sessions')).json().sessions as { id: string }[];
    for (const res of [
      await asToken('POST', '/api/auth/tokens', { name: 'forever', expiresInDays: null }),
      await asToken('GET', '/api/auth/tokens'),
      await asToken('DELETE', `/api/auth/tokens/${mine?.id}`),
      await asToken('GET', '/api/auth/sessions'),
      await asToken('DELETE', `/api/auth/sessions/${session?.id}`),
      await asToken('POST', '/api/auth/password', {
        currentPassword: 'guess-0001',
        newPassword: 'x'.repeat(12),
      }),
    ]) {
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'forbidden');
    }
    assert.equal((await admin.get('/api/auth/me')).statusCode, 200, 'the owner is still logged in');
    assert.equal((await admin.get('/api/auth/tokens')).json().tokens.length, tokensBefore.length);
  });

  test('a viewer cannot make an admin token', async () => {
    const res = await viewer.send('POST', '/api/auth/tokens', { name: 'sneaky', role: 'admin' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'token_role_too_high');
    assert.equal(res.json().error.details.field, 'role');
  });

  test('sessions: the own ones are listed with the current one marked, and another can be ended', async () => {
    const elsewhere = await login(app, ADMIN);
    const { sessions } = (await admin.get('/api/auth/sessions')).json() as {
      sessions: { id: string; current: boolean }[];
    };
    assert.ok(sessions.length >= 2);
    assert.equal(sessions.filter((s) => s.current).length, 1);
    const other = (await elsewhere.get('/api/auth/sessions'))
      .json()
      .sessions.find((s: { current: boolean }) => s.current);
    assert.equal((await admin.send('DELETE', `/api/auth/sessions/${other.id}`)).statusCode, 200);
    assert.equal((await elsewhere.get('/api/auth/me')).statusCode, 401, 'that browser is logged out');
    assert.equal((await admin.get('/api/auth/me')).statusCode, 200, 'this one is not');
    assert.equal((await viewer.send('DELETE', `/api/auth/sessions/${sessions[0]?.id}`)).statusCode, 404);
  });
  test('guessing the current password is throttled like a login (429 with Retry-After)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await viewer.send('POST', '/api/auth/password', {
        currentPassword: `guess-${i}-wrong`,
        newPassword: 'a-new-password-1',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        assert.ok(Number(res.headers['retry-after']) > 0);
        break;
      }
    }
    assert.equal(statuses.at(-1), 429, `statuses: ${statuses.join(',')}`);
    assert.ok(statuses.slice(0, -1).every((s) => s === 400));
  });
});
