import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLoginGuard, DEFAULT_LOGIN_GUARD } from '../../src/server/auth/login-guard.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { ADMIN, createTestServer, VIEWER } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * Finding 8: the login limit was per address *and* username, so one address with rotating usernames
 * (or many addresses on one username) guessed freely, each guess an scrypt; the login took 10 MB bodies.
 */
describe('login limits', () => {
  let db: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => clock;

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    ({ app } = await createTestServer(store, { loginGuard: createLoginGuard({ now }) }));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await db?.drop();
  });

  let address = 0;
  /** A login from an address never used before (so the per-address limit never applies). */
  const loginFromNewAddress = (username: string, password: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
      remoteAddress: `10.0.${Math.floor(++address / 250)}.${address % 250}`,
    });

  test('one username guessed from many addresses backs off, doubling, before any password is hashed', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 14 }, () => loginFromNewAddress(VIEWER.username, 'wrong-password-x')),
    );
    // A parallel burst is counted as it arrives: ten failures, one more through the back-off, the rest refused.
    assert.deepEqual(
      statuses.map((r) => r.statusCode).sort(),
      [...Array(11).fill(401), ...Array(3).fill(429)].sort(),
    );
    const refused = statuses.find((r) => r.statusCode === 429);
    assert.equal(refused?.json().error.code, 'rate_limited');
    assert.equal(refused?.headers['retry-after'], '1');

    // Even the right password waits out the back-off (the owner is told when to try again).
    const right = await loginFromNewAddress(VIEWER.username, VIEWER.password);
    assert.equal(right.statusCode, 429);
    // Other users are not affected.
    assert.equal((await loginFromNewAddress(ADMIN.username, ADMIN.password)).statusCode, 200);

    clock += 1_000;
    assert.equal((await loginFromNewAddress(VIEWER.username, 'wrong-password-y')).statusCode, 401);
    const doubled = await loginFromNewAddress(VIEWER.username, VIEWER.password);
    assert.equal(doubled.statusCode, 429);
    assert.equal(doubled.headers['retry-after'], '2');

    // After the window the user logs in again, and a success clears the count.
    clock += 15 * 60_000;
    assert.equal((await loginFromNewAddress(VIEWER.username, VIEWER.password)).statusCode, 200);
    assert.equal((await loginFromNewAddress(VIEWER.username, 'wrong-password-z')).statusCode, 401);
    assert.equal((await loginFromNewAddress(VIEWER.username, VIEWER.password)).statusCode, 200);
  });

  test('rotating usernames from one address hit the limit on failed logins of the whole hub', async () => {
    // The default is 50 failures a minute (checked without hashing below); 10 keeps this suite light.
    const tight = await createTestServer(store, {
      loginGuard: createLoginGuard({ now, global: { ...DEFAULT_LOGIN_GUARD.global, failures: 10 } }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await tight.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `guess-${i}`, password: 'wrong-password-x' },
        remoteAddress: '192.0.2.7',
      });
      statuses.push(res.statusCode);
    }
    // The two test logins of createTestServer succeeded and do not count.
    assert.equal(statuses.filter((s) => s === 401).length, 11, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 9);
    // While the hub backs off, nobody's guess costs a password hash, the admin's neither; after the
    // back-off logins work again, and a successful one starts no further back-off.
    const login = (remoteAddress: string) =>
      tight.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN, remoteAddress });
    assert.equal((await login('203.0.113.1')).statusCode, 429);
    clock += 1_000;
    assert.equal((await login('203.0.113.2')).statusCode, 200);
    assert.equal((await login('203.0.113.3')).statusCode, 200);
    await tight.app.close();
  });

  test('the global back-off doubles up to its ceiling and ends with the window', () => {
    let t = 0;
    const guard = createLoginGuard({ now: () => t });
    for (let i = 0; i < 50; i++) guard.begin(`user-${i}`);
    guard.begin('one-more'); // the 51st failure gets through and starts a 1 s back-off
    assert.throws(() => guard.begin('another'), { code: 'rate_limited', details: { retryAfterSeconds: 1 } });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      t += 1;
      try {
        guard.begin(`x-${i}`);
      } catch (err) {
        const wait = (err as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds;
        t += wait * 1000;
        guard.begin(`x-${i}`);
        waits.push(wait);
      }
    }
    assert.deepEqual(waits.slice(0, 6), [1, 2, 4, 8, 16, 30]);
    t += 60_000 + 30_000;
    for (let i = 0; i < 50; i++) guard.begin(`later-${i}`);
  });

  test('the public login refuses a large body unread (413) while the API keeps its own limit', async () => {
    clock += 60 * 60_000;
    const big = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'x'.repeat(64 * 1024) },
      remoteAddress: '198.51.100.1',
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, 'payload_too_large');
    const oauth = await app.inject({
      method: 'GET',
      url: '/api/oauth/callback?state=x',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ filler: 'x'.repeat(64 * 1024) }),
    });
    // A GET's body is not read at all: the callback answers about its state, not the 64 KB.
    assert.equal(oauth.statusCode, 400, oauth.body);
    // An authenticated API route still takes a body far above 16 KB.
    const admin = await loginFromNewAddress(ADMIN.username, ADMIN.password);
    const cookie = admin.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await app.inject({
      method: 'PUT',
      url: '/api/connections/big',
      headers: { cookie, 'x-csrf-token': admin.json().csrfToken },
      payload: { name: 'x'.repeat(64 * 1024), system: 'sql', config: { url: 'sqlite::memory:' } },
    });
    assert.notEqual(res.statusCode, 413, res.body);
  });
});
