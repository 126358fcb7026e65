import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { CONNECTORS } from '../../src/connectors/registry.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** A server that plays the attacker's host: it records every request and answers 200 `{}`. */
async function listenAttacker(): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, server };
}

test('every connector with a secret names the destination it is bound to', () => {
  for (const def of Object.values(CONNECTORS)) {
    const fields = Object.keys((def.secretSchema as unknown as { shape?: object }).shape ?? {});
    if (fields.length) assert.equal(typeof def.destination, 'function', `${def.system} has no destination`);
  }
});

/** Finding 2: a stored secret followed its connection's base URL to whatever host an admin typed in. */
for (const dialect of DIALECTS) {
  describe(`secrets bound to their destination (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let hs: HubSpotEmulator;
    let hubspotUrl: string;
    let attacker: Awaited<ReturnType<typeof listenAttacker>>;

    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      hs = createHubSpotEmulator({
        tokens: ['pat-real-token'],
        oauth: { clientId: 'app', clientSecret: 'app-secret' },
      });
      hubspotUrl = await hs.listen();
      attacker = await listenAttacker();
      ({ app, admin } = await createTestServer(store));
    });
    after(async () => {
      await app?.close();
      await hs?.close();
      await new Promise((r) => attacker?.server.close(r));
      await store?.close();
      await db?.drop();
    });

    const SYSTEMS = [
      {
        system: 'hubspot',
        config: (baseUrl: string) => ({ baseUrl }),
        secret: { accessToken: 'pat-real-token' },
      },
      { system: 'brevo', config: (baseUrl: string) => ({ baseUrl }), secret: { apiKey: 'xkeysib-real' } },
      {
        system: 'abacus',
        config: (baseUrl: string) => ({ baseUrl, mandant: 7777 }),
        secret: { clientId: 'svc', clientSecret: 'abacus-real' },
      },
    ] as const;

    for (const s of SYSTEMS) {
      test(`${s.system}: pointing the connection at another host without the secret is refused`, async () => {
        const id = `${s.system}-conn`;
        const created = await admin.send('PUT', `/api/connections/${id}`, {
          name: s.system,
          system: s.system,
          config: s.config(hubspotUrl),
          secret: s.secret,
        });
        assert.equal(created.statusCode, 200, created.body);
        assert.equal(created.json().secretDestination, hubspotUrl);

        const moved = await admin.send('PUT', `/api/connections/${id}`, {
          name: s.system,
          system: s.system,
          config: s.config(attacker.url),
        });
        assert.equal(moved.statusCode, 400, moved.body);
        assert.equal(moved.json().error.code, 'secret_destination_changed');
        assert.match(moved.json().error.message, /enter the secret again/);
        assert.deepEqual(moved.json().error.details.fields.sort(), Object.keys(s.secret).sort());
        // Nothing changed, nothing was sent.
        assert.equal((await store.connections.get(id)).config.baseUrl, hubspotUrl);
        assert.equal((await admin.send('POST', `/api/connections/${id}/test`)).statusCode, 200);
        assert.equal(attacker.seen.length, 0);
      });

      test(`${s.system}: a destination changed in the store behind the API's back gets no secret`, async () => {
        const id = `${s.system}-tampered`;
        await admin.send('PUT', `/api/connections/${id}`, {
          name: s.system,
          system: s.system,
          config: s.config(hubspotUrl),
          secret: s.secret,
        });
        // Someone who can write the store's tables but has no key rewrites the config.
        await store.db
          .updateTable('connections')
          .set({ config: JSON.stringify(s.config(attacker.url)) })
          .where('id', '=', id)
          .execute();
        const tested = await admin.send('POST', `/api/connections/${id}/test`);
        assert.equal(tested.statusCode, 400, tested.body);
        assert.equal(tested.json().error.code, 'secret_destination_changed');
        assert.equal(attacker.seen.length, 0);
      });
    }

    test('entering the secret again with the new address moves the connection (the secret goes there, as meant)', async () => {
      const moved = await admin.send('PUT', '/api/connections/brevo-conn', {
        name: 'brevo',
        system: 'brevo',
        config: { baseUrl: attacker.url },
        secret: { apiKey: 'xkeysib-for-the-new-host' },
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().secretDestination, attacker.url);
      await admin.send('POST', '/api/connections/brevo-conn/test');
      assert.deepEqual(
        attacker.seen.map((h) => h['api-key']),
        ['xkeysib-for-the-new-host'],
      );
      attacker.seen.length = 0;
    });

    test('re-entering one field on a move drops the others: stored OAuth tokens stay behind', async () => {
      await admin.send('PUT', '/api/connections/hs-partial', {
        name: 'HubSpot',
        system: 'hubspot',
        config: { baseUrl: hubspotUrl },
        secret: { accessToken: 'pat-real-token', refreshToken: 'refresh-real', clientSecret: 'app-secret' },
      });
      const moved = await admin.send('PUT', '/api/connections/hs-partial', {
        name: 'HubSpot',
        system: 'hubspot',
        config: { baseUrl: attacker.url },
        secret: { clientSecret: 'typed-for-the-new-host' },
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.deepEqual(moved.json().secret, { clientSecret: 'set' });
      assert.deepEqual((await store.connections.get('hs-partial')).secret, {
        clientSecret: 'typed-for-the-new-host',
      });
    });

    test('changes that keep the destination keep the secret', async () => {
      const res = await admin.send('PUT', '/api/connections/hubspot-conn', {
        name: 'HubSpot renamed',
        system: 'hubspot',
        config: { baseUrl: `${hubspotUrl}/`, requestsPer10s: 50 },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().secret, { accessToken: 'set' });
      assert.equal((await admin.send('POST', '/api/connections/hubspot-conn/test')).json().ok, true);
    });

    test('OAuth: the client secret is not exchanged at a token endpoint it was not entered for', async () => {
      const put = await admin.send('PUT', '/api/connections/hs-oauth', {
        name: 'HubSpot OAuth',
        system: 'hubspot',
        config: { baseUrl: hubspotUrl, clientId: 'app', authorizeUrl: `${hubspotUrl}/oauth/authorize` },
        secret: { clientSecret: 'app-secret' },
      });
      assert.equal(put.statusCode, 200, put.body);
      const start = await admin.get('/api/connections/hs-oauth/oauth/start');
      assert.equal(start.statusCode, 302);
      const approved = await fetch(String(start.headers.location), { redirect: 'manual' });
      const back = new URL(String(approved.headers.get('location')));
      const nonce = start.cookies.find((c) => c.name === 'junction_oauth')?.value ?? '';
      await store.db
        .updateTable('connections')
        .set({
          config: JSON.stringify({
            baseUrl: attacker.url,
            clientId: 'app',
            authorizeUrl: `${hubspotUrl}/oauth/authorize`,
          }),
        })
        .where('id', '=', 'hs-oauth')
        .execute();
      const callback = await app.inject({
        method: 'GET',
        url: `${back.pathname}${back.search}`,
        cookies: { junction_oauth: nonce },
      });
      assert.equal(callback.statusCode, 400, callback.body);
      assert.equal(callback.json().error.code, 'secret_destination_changed');
      assert.equal(attacker.seen.length, 0);
    });

    test('SQL: a database password does not follow the URL to another server', async () => {
      const url = 'postgres://app@db.internal:5432/business';
      const put = await admin.send('PUT', '/api/connections/erp', {
        name: 'ERP',
        system: 'sql',
        config: { url },
        secret: { password: 'db-secret' },
      });
      assert.equal(put.statusCode, 200, put.body);
      for (const elsewhere of [
        'postgres://app@evil.example:5432/business',
        'postgres://app@db.internal:5432/business?host=evil.example',
      ]) {
        const moved = await admin.send('PUT', '/api/connections/erp', {
          name: 'ERP',
          system: 'sql',
          config: { url: elsewhere },
        });
        assert.equal(moved.statusCode, 400, `${elsewhere}: ${moved.body}`);
        assert.equal(moved.json().error.code, 'secret_destination_changed');
      }
    });

    test('SMTP: a new host or port needs the password again; a tampered row sends no password', async () => {
      const set = await admin.send('PATCH', '/api/settings', {
        smtp: {
          host: 'mail.example.ch',
          port: 587,
          user: 'junction',
          password: 'smtp-secret',
          from: 'j@example.ch',
        },
      });
      assert.equal(set.statusCode, 200, set.body);
      for (const smtp of [{ host: 'mail.attacker.example' }, { port: 2525 }]) {
        const moved = await admin.send('PATCH', '/api/settings', { smtp });
        assert.equal(moved.statusCode, 400, moved.body);
        assert.equal(moved.json().error.code, 'secret_destination_changed');
      }
      assert.equal((await store.settings.get()).smtp?.host, 'mail.example.ch');
      const withPassword = await admin.send('PATCH', '/api/settings', {
        smtp: { host: 'mail2.example.ch', password: 'smtp-secret-2' },
      });
      assert.equal(withPassword.statusCode, 200, withPassword.body);
      assert.equal((await store.settings.get()).smtp?.password, 'smtp-secret-2');
      // Someone with write access to the settings row (no key) points it elsewhere: the password stays behind.
      const settings = store.db.withTables<{
        settings: { key: string; value: string; updated_at: string };
      }>();
      const row = await settings
        .selectFrom('settings')
        .select('value')
        .where('key', '=', 'instance')
        .executeTakeFirstOrThrow();
      const value = JSON.parse(row.value);
      value.smtp.host = 'mail.attacker.example';
      await settings
        .updateTable('settings')
        .set({ value: JSON.stringify(value) })
        .where('key', '=', 'instance')
        .execute();
      const tampered = await store.settings.get();
      assert.equal(tampered.smtp?.host, 'mail.attacker.example');
      assert.equal(tampered.smtp?.password, undefined);
    });
  });
}
