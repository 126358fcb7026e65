import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/cli/runtime.ts';
import type { Screen } from '../../src/cli/terminal.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { sealStoredSecrets } from '../../src/connectors/connection-secret.ts';
import { maskUrlPasswords, splitUrlPassword } from '../../src/core/url-credentials.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import type { Store } from '../../src/store/store.ts';
import { openStore } from '../../src/store/store.ts';
import { createTempPostgres, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * A PostgreSQL server that asks for a clear-text password and records what it gets, then refuses:
 * proves which password the connector really sends.
 */
async function listenPasswordRecorder(): Promise<{ port: number; passwords: string[]; server: Server }> {
  const passwords: string[] = [];
  const server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    let started = false;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8 || buf.length < buf.readInt32BE(0)) return;
          const len = buf.readInt32BE(0);
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          if (code === 80877103) {
            socket.write('N'); // no SSL
            continue;
          }
          started = true;
          const ask = Buffer.alloc(9);
          ask.write('R', 0);
          ask.writeInt32BE(8, 1);
          ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
          socket.write(ask);
          continue;
        }
        if (buf.length < 5 || buf.length < 1 + buf.readInt32BE(1)) return;
        const len = buf.readInt32BE(1);
        if (buf[0] === 0x70) passwords.push(buf.subarray(5, len).toString('utf8'));
        buf = buf.subarray(1 + len);
        const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0');
        const err = Buffer.alloc(5);
        err.write('E', 0);
        err.writeInt32BE(4 + fields.length, 1);
        socket.end(Buffer.concat([err, fields]));
        return;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, passwords, server };
}

test('URL passwords are split out and masked in every spelling', () => {
  const cases: [string, string, string | undefined][] = [
    ['postgres://app:pw@db/x', 'postgres://app@db/x', 'pw'],
    ['postgres://app:p@ss@db:5432/x', 'postgres://app@db:5432/x', 'p@ss'],
    ['postgresql://app:p%40ss%2Fw@db/x?sslmode=require', 'postgresql://app@db/x?sslmode=require', 'p@ss/w'],
    [
      'postgres://app@db/x?sslmode=require&password=s%26cret',
      'postgres://app@db/x?sslmode=require',
      's&cret',
    ],
    ['postgres://app@db/x?PASSWORD=a+b', 'postgres://app@db/x', 'a b'],
    ['postgres://app:***@db/x', 'postgres://app@db/x', undefined],
    ['sqlite:./business.db', 'sqlite:./business.db', undefined],
  ];
  for (const [url, bare, password] of cases) {
    assert.deepEqual(splitUrlPassword(url), { url: bare, password }, url);
    const masked = maskUrlPasswords(`could not connect to ${url} (timeout)`);
    if (password) assert.equal(masked.includes(password), false, masked);
  }
});

test('log lines mask URL passwords and blank password fields', () => {
  const lines: string[] = [];
  const screen = { pretty: false, logDestination: { write: (l: string) => lines.push(l) } };
  const log = createLogger('info', screen as unknown as Screen);
  log.warn({ password: 'F1eld-pw' }, 'cannot reach postgres://app:Msg-pw@db/x?sslmode=require&password=Q-pw');
  log.error('cannot reach mysql://app:Lg?pw#1@db/x (refused)');
  const text = lines.join('');
  for (const secret of ['F1eld-pw', 'Msg-pw', 'Q-pw', 'Lg?pw'])
    assert.equal(text.includes(secret), false, text);
  assert.match(text, /postgres:\/\/app:\*\*\*@db\/x/);
  assert.match(text, /mysql:\/\/\*\*\*@db\/x/);
});

/** Finding 6: database passwords inside connection URLs were shown to viewers and stored unsealed. */
for (const dialect of DIALECTS) {
  describe(`database passwords in connection URLs (${dialect.name} store)`, () => {
    let db: TempDatabase;
    let business: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let viewer: Client;
    let recorder: Awaited<ReturnType<typeof listenPasswordRecorder>>;

    before(async () => {
      db = await dialect.create();
      business = await createTempPostgres('jtbiz');
      store = await openTestStore(db);
      recorder = await listenPasswordRecorder();
      ({ app, admin, viewer } = await createTestServer(store));
    });
    after(async () => {
      await app?.close();
      await new Promise((r) => recorder?.server.close(r));
      await store?.close();
      await db?.drop();
      await business?.drop();
    });

    const leaks = async (id: string, password: string) => {
      const texts = [
        (await admin.get(`/api/connections/${id}`)).body,
        (await viewer.get(`/api/connections/${id}`)).body,
        (await admin.get('/api/connections')).body,
        (await viewer.get('/api/connections')).body,
      ];
      const row = await store.db
        .selectFrom('connections')
        .select(['config', 'secret_sealed'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      texts.push(row.config, row.secret_sealed ?? '');
      return texts.filter((t) => t.includes(password) || t.includes(encodeURIComponent(password)));
    };

    for (const [spelling, url, password] of [
      [
        'user:password@host',
        (port: number) => `postgres://app:Pl41n-pw@127.0.0.1:${port}/business`,
        'Pl41n-pw',
      ],
      [
        'an unencoded @ and /',
        (port: number) => `postgres://app:p@ss/w0rd@127.0.0.1:${port}/business`,
        'p@ss/w0rd',
      ],
      [
        '?password=',
        (port: number) => `postgres://app@127.0.0.1:${port}/business?password=qu3ry%26pw`,
        'qu3ry&pw',
      ],
    ] as const) {
      test(`${spelling}: moved into the sealed secret, masked for viewers and admins, still sent when connecting`, async () => {
        const id = `erp-${spelling.replace(/\W+/g, '-')}`;
        const put = await admin.send('PUT', `/api/connections/${id}`, {
          name: 'ERP',
          system: 'sql',
          config: { url: url(recorder.port) },
        });
        assert.equal(put.statusCode, 200, put.body);
        assert.equal(put.json().config.url, `postgres://app@127.0.0.1:${recorder.port}/business`);
        assert.deepEqual(put.json().secret, { password: 'set' });
        assert.deepEqual(await leaks(id, password), []);
        assert.equal((await store.connections.get(id)).secret.password, password);

        const before = recorder.passwords.length;
        const tested = await admin.send('POST', `/api/connections/${id}/test`);
        assert.equal(tested.json().ok, false);
        assert.equal(tested.body.includes(password), false);
        assert.deepEqual(recorder.passwords.slice(before), [password]);
      });
    }

    test('a real database is reached with the password from the sealed secret', async () => {
      const u = new URL(business.url);
      u.password = 'any-Pw';
      const put = await admin.send('PUT', '/api/connections/erp-real', {
        name: 'ERP',
        system: 'sql',
        config: { url: u.toString() },
      });
      assert.equal(put.statusCode, 200, put.body);
      const tested = await admin.send('POST', '/api/connections/erp-real/test');
      assert.equal(tested.json().ok, true, tested.body);
    });

    test('a configuration file with a URL password is stored sealed too', async () => {
      await applyConfig(
        store,
        parseConfigText(
          `connections:\n  - { id: erp-file, system: sql, config: { url: "postgres://app:F1le-pw@127.0.0.1:${recorder.port}/business" } }\n`,
        ),
      );
      assert.deepEqual(await leaks('erp-file', 'F1le-pw'), []);
      assert.equal((await store.connections.get('erp-file')).secret.password, 'F1le-pw');
    });

    test('a URL whose password holds ? or # is refused at its URL field, without echoing it, and nothing is stored', async () => {
      const url = `postgres://app:Xy?9#k@127.0.0.1:${recorder.port}/business`;
      const put = await admin.send('PUT', '/api/connections/erp-unreadable', {
        name: 'ERP',
        system: 'sql',
        config: { url },
      });
      assert.equal(put.statusCode, 400, put.body);
      const issue = put.json().error.details.issues[0];
      assert.equal(issue.field, 'config.url');
      assert.match(issue.message, /%3F.*%23.*password field/);
      assert.equal(put.body.includes('Xy'), false, put.body);
      assert.equal((await admin.get('/api/connections/erp-unreadable')).statusCode, 404);

      await assert.rejects(
        applyConfig(
          store,
          parseConfigText(
            `connections:\n  - { id: erp-unreadable, system: sql, config: { url: "${url}" } }\n`,
          ),
        ),
        (err: Error) =>
          /connection 'erp-unreadable': config\.url: .*%3F.*%23/.test(err.message) &&
          !err.message.includes('Xy'),
      );
      assert.equal((await admin.get('/api/connections/erp-unreadable')).statusCode, 404);
    });

    test('a URL whose password holds ? or # stored before it was refused is shown masked up to its last @', async () => {
      await store.db
        .insertInto('connections')
        .values({
          id: 'erp-unreadable-old',
          name: 'ERP',
          system: 'sql',
          config: JSON.stringify({ url: 'postgres://app:Qz?7#m@db/prod' }),
          secret_sealed: null,
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
        })
        .execute();
      const shown = (await viewer.get('/api/connections/erp-unreadable-old')).json();
      assert.equal(shown.config.url, 'postgres://***@db/prod');
      assert.equal((await viewer.get('/api/connections')).body.includes('Qz'), false);
    });

    test('a URL password stored before this change is masked, still connects, and moves into the secret on the next save', async () => {
      await store.db
        .insertInto('connections')
        .values({
          id: 'erp-legacy',
          name: 'ERP',
          system: 'sql',
          config: JSON.stringify({ url: `postgres://app:Old-pw@127.0.0.1:${recorder.port}/business` }),
          secret_sealed: null,
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
        })
        .execute();
      const shown = (await viewer.get('/api/connections/erp-legacy')).json();
      assert.equal(shown.config.url, `postgres://app:***@127.0.0.1:${recorder.port}/business`);
      assert.equal((await viewer.get('/api/connections')).body.includes('Old-pw'), false);

      const before = recorder.passwords.length;
      await admin.send('POST', '/api/connections/erp-legacy/test');
      assert.deepEqual(recorder.passwords.slice(before), ['Old-pw']);

      // The dashboard sends the masked URL back with a renamed connection: the password is kept, sealed.
      const saved = await admin.send('PUT', '/api/connections/erp-legacy', {
        name: 'ERP (renamed)',
        system: 'sql',
        config: { url: shown.config.url },
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.deepEqual(await leaks('erp-legacy', 'Old-pw'), []);
      assert.equal((await store.connections.get('erp-legacy')).secret.password, 'Old-pw');
      const again = recorder.passwords.length;
      await admin.send('POST', '/api/connections/erp-legacy/test');
      assert.deepEqual(recorder.passwords.slice(again), ['Old-pw']);
    });

    test('on start, stored URL passwords move into the sealed secret and old secrets get their destination', async () => {
      const now = new Date().toISOString();
      // A store of its own: its rows are sealed with its own key.
      const ownDb = await dialect.create();
      const box = createSecretBox(randomBytes(32));
      const own = await openStore({ databaseUrl: ownDb.url, secretBox: box });
      const rowOf = (id: string) =>
        own.db
          .selectFrom('connections')
          .select(['config', 'secret_sealed'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      try {
        await own.db
          .insertInto('connections')
          .values([
            {
              id: 'erp-before-upgrade',
              name: 'ERP',
              system: 'sql',
              config: JSON.stringify({ url: `postgres://app:Up-pw@127.0.0.1:${recorder.port}/business` }),
              secret_sealed: null,
              created_at: now,
              updated_at: now,
            },
            {
              id: 'brevo-before-upgrade',
              name: 'Brevo',
              system: 'brevo',
              config: JSON.stringify({ baseUrl: 'https://api.brevo.com/v3' }),
              // Sealed the old way: the bare secret, no destination.
              secret_sealed: box.seal({ apiKey: 'xkeysib-old' }),
              created_at: now,
              updated_at: now,
            },
          ])
          .execute();
        const sealed = await sealStoredSecrets(own);
        assert.deepEqual(sealed.connections.sort(), ['brevo-before-upgrade', 'erp-before-upgrade']);
        assert.equal(JSON.stringify(await rowOf('erp-before-upgrade')).includes('Up-pw'), false);
        const erp = await own.connections.get('erp-before-upgrade');
        assert.equal(erp.secret.password, 'Up-pw');
        assert.equal(erp.secretDestination, `postgres://app@127.0.0.1:${recorder.port}/business`);
        const brevo = await own.connections.get('brevo-before-upgrade');
        assert.deepEqual(brevo.secret, { apiKey: 'xkeysib-old' });
        assert.equal(brevo.secretDestination, 'https://api.brevo.com/v3');
        assert.deepEqual(
          (await sealStoredSecrets(own)).connections,
          [],
          'nothing left to do the second time',
        );
      } finally {
        await own.close();
        await ownDb.drop();
      }
    });
  });
}
