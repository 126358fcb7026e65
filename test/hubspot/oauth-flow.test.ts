import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { secretSaver } from '../../src/engine/source-fields.ts';
import { createStateSigner, STATE_TTL_MS } from '../../src/server/routes/oauth.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const APP = { clientId: 'junction-app', clientSecret: 'app-secret-xyz' };
const log = pino({ level: 'silent' });

describe('HubSpot OAuth 2.0: start → authorize → callback → stored sealed → expiry → refresh', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let hs: HubSpotEmulator;
  let baseUrl: string;

  /** A live connector of the stored connection that persists renewed tokens; records every HTTP status. */
  async function connector(statuses: number[] = []) {
    const conn = await store.connections.get('hs');
    return createConnector(conn, {
      log,
      signal: new AbortController().signal,
      saveSecret: secretSaver(store),
      onCall: (i) => statuses.push(i.status),
    });
  }

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    hs = createHubSpotEmulator({
      tokens: [],
      oauth: { ...APP, accessTokenTtlSeconds: 1800 },
      rateLimit: { max: Number.POSITIVE_INFINITY },
    });
    baseUrl = await hs.listen();
    ({ app, admin } = await createTestServer(store));
    const put = await admin.send('PUT', '/api/connections/hs', {
      name: 'HubSpot (OAuth app)',
      system: 'hubspot',
      config: { baseUrl, clientId: APP.clientId, authorizeUrl: `${baseUrl}/oauth/authorize` },
      secret: { clientSecret: APP.clientSecret },
    });
    assert.equal(put.statusCode, 200, put.body);
  });
  after(async () => {
    await app?.close();
    await hs?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('the full dance stores both tokens sealed, and the connector renews them on expiry', async () => {
    const start = await admin.get('/api/connections/hs/oauth/start');
    assert.equal(start.statusCode, 302);
    const authorize = new URL(String(start.headers.location));
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${baseUrl}/oauth/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), APP.clientId);
    assert.match(authorize.searchParams.get('scope') ?? '', /crm\.objects\.contacts\.write/);
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /\/api\/oauth\/callback$/);
    const state = authorize.searchParams.get('state') ?? '';
    assert.match(state, /^[\w-]+\.[\w-]+$/, 'the state is signed');

    // The emulator's authorize page approves at once and sends the browser back with a code.
    const approved = await fetch(authorize, { redirect: 'manual' });
    assert.equal(approved.status, 302);
    const back = new URL(String(approved.headers.get('location')));
    assert.equal(back.searchParams.get('state'), state);
    assert.ok(back.searchParams.get('code'));
    // The browser that started the flow carries the state's nonce cookie back.
    const nonce = start.cookies.find((c) => c.name === 'junction_oauth');
    assert.ok(nonce, 'the start sets the nonce cookie');
    const elsewhere = await app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    assert.equal(elsewhere.statusCode, 400, 'the same state from another browser is refused');
    const callback = await app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      cookies: { junction_oauth: nonce.value },
    });
    assert.equal(callback.statusCode, 302, callback.body);
    assert.equal(hs.oauth?.grants.authorization_code, 1);

    const stored = (await store.connections.get('hs')).secret as {
      accessToken: string;
      refreshToken: string;
      expiresAt: number;
    };
    assert.ok(stored.accessToken && stored.refreshToken);
    assert.ok(stored.expiresAt > Date.now() + 25 * 60_000, 'expiry follows expires_in (1800 s)');
    const row = await store.db
      .selectFrom('connections')
      .select('secret_sealed')
      .where('id', '=', 'hs')
      .executeTakeFirstOrThrow();
    assert.ok(row.secret_sealed?.startsWith('v1.'));
    for (const plain of [stored.accessToken, stored.refreshToken, APP.clientSecret])
      assert.equal(row.secret_sealed?.includes(plain), false, 'no token in clear text at rest');

    assert.deepEqual(await (await connector()).check(), { ok: true, message: 'HubSpot accepted the token' });
    assert.equal(hs.oauth?.grants.refresh_token, 0);

    // Expiry: HubSpot answers 401 EXPIRED_AUTHENTICATION; the connector renews once and goes on.
    hs.oauth?.expireAccessTokens();
    const refused = await fetch(`${baseUrl}/crm/v3/objects/contacts`, {
      headers: { authorization: `Bearer ${stored.accessToken}` },
    });
    assert.equal(refused.status, 401);
    const body = (await refused.json()) as { category: string; message: string; correlationId: string };
    assert.equal(body.category, 'EXPIRED_AUTHENTICATION');
    assert.match(body.message, /expired \d+ second\(s\) ago/);
    const statuses: number[] = [];
    assert.equal((await (await connector(statuses)).check()).ok, true);
    assert.deepEqual(statuses, [401, 200, 200], 'one 401, one token call, the call again');
    assert.equal(hs.oauth?.grants.refresh_token, 1);
    const renewed = (await store.connections.get('hs')).secret as typeof stored;
    assert.notEqual(renewed.accessToken, stored.accessToken, 'the renewed token is persisted');
    assert.equal(renewed.refreshToken, stored.refreshToken);
  });

  test('a token about to expire is renewed before the call, without a 401', async () => {
    const conn = await store.connections.get('hs');
    await store.connections.save({ ...conn, secret: { ...conn.secret, expiresAt: Date.now() + 5_000 } });
    const statuses: number[] = [];
    assert.equal((await (await connector(statuses)).check()).ok, true);
    assert.deepEqual(statuses, [200, 200], 'token call, then the API call');
    assert.equal(hs.oauth?.grants.refresh_token, 2);
  });

  test('a refresh token HubSpot does not know fails the check with its BAD_REFRESH_TOKEN answer', async () => {
    const conn = await store.connections.get('hs');
    await store.connections.save({
      ...conn,
      secret: { ...conn.secret, refreshToken: 'revoked', expiresAt: Date.now() - 1 },
    });
    const result = await (await connector()).check();
    assert.equal(result.ok, false);
    assert.match(result.message, /BAD_REFRESH_TOKEN/);
  });

  test('a callback with a forged state is refused and stores nothing', async () => {
    const before = (await store.connections.get('hs')).secret;
    const signer = createStateSigner();
    const forged = signer.sign('hs', 'http://localhost/api/oauth/callback');
    const res = await app.inject({
      method: 'GET',
      url: `/api/oauth/callback?code=abc&state=${encodeURIComponent(forged)}`,
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /not one this server issued/);
    assert.deepEqual((await store.connections.get('hs')).secret, before);
  });

  test('a state older than its lifetime is refused', () => {
    let now = 1_000_000;
    const signer = createStateSigner(Buffer.alloc(32, 7), () => now);
    const state = signer.sign('hs', 'http://x/cb');
    assert.equal(signer.verify(state).c, 'hs');
    now += STATE_TTL_MS + 1;
    assert.throws(() => signer.verify(state), /expired/);
  });
});
