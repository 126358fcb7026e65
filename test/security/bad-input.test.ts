import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** Finding 14: a mapping value nested 10 000 deep (and an unknown database URL) answered 500. */
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

for (const dialect of DIALECTS) {
  describe(`hostile input is a 4xx, never a 500 (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;

    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      ({ app, admin } = await createTestServer(store));
      for (const id of ['src', 'dst']) {
        const res = await admin.send('PUT', `/api/connections/${id}`, {
          name: id,
          system: 'spreadsheet',
          config: {},
        });
        assert.equal(res.statusCode, 200, res.body);
      }
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
    });

    const mappingText = (value: string) =>
      `{"name":"m","source":{"connectionId":"src","object":"rows","key":"id"},"target":{"connectionId":"dst","object":"rows"},"matchKey":{"target":"email"},"fields":[{"target":"email","value":${value}}]}`;
    const raw = (method: 'PUT' | 'POST', url: string, payload: string) =>
      app.inject({
        method,
        url,
        payload,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      });

    test('a mapping value nested 10 000 levels deep is refused with 400 and nothing is stored', async () => {
      const res = await raw('PUT', '/api/mappings/deep', mappingText(deep(10_000)));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'validation_error');
      assert.equal((await admin.get('/api/mappings/deep')).statusCode, 404);
      const preview = await raw(
        'POST',
        '/api/mappings/preview',
        `{"mapping":${mappingText(deep(10_000)).replace('{"name"', '{"id":"p","name"')}}`,
      );
      assert.equal(preview.statusCode, 400, preview.body);
    });

    test('a mapping constant 100 levels deep or over 64 KB is a validation error at its field', async () => {
      for (const value of [deep(100), JSON.stringify('x'.repeat(70 * 1024))]) {
        const res = await admin.send('PUT', '/api/mappings/big', JSON.parse(mappingText(value)));
        assert.equal(res.statusCode, 400, res.body.slice(0, 300));
        assert.equal(res.json().error.code, 'validation_error');
      }
      const ok = await admin.send('PUT', '/api/mappings/fine', JSON.parse(mappingText('{"a":{"b":[1,2]}}')));
      assert.equal(ok.statusCode, 200, ok.body);
    });

    test('any other route with a body nested 10 000 deep answers 400 too', async () => {
      const res = await raw(
        'PUT',
        '/api/connections/deep',
        `{"name":"d","system":"spreadsheet","config":${deep(10_000)}}`,
      );
      assert.equal(res.statusCode, 400, res.body);
      assert.equal((await admin.get('/api/connections/deep')).statusCode, 404);
    });

    test('an unreachable business database is a 502 naming why, not a 500', async () => {
      const put = await admin.send('PUT', '/api/connections/gone', {
        name: 'gone',
        system: 'sql',
        config: { url: 'postgres://junction@nowhere.invalid:5432/x' },
      });
      assert.equal(put.statusCode, 200, put.body);
      const res = await admin.get('/api/connections/gone/describe');
      assert.equal(res.statusCode, 502, res.body);
      assert.equal(res.json().error.code, 'remote_unreachable');
    });

    test('an unsupported or missing business database is a 400, not a 500', async () => {
      for (const url of ['oracle://db/x', 'sqlite:/nonexistent']) {
        const put = await admin.send('PUT', '/api/connections/biz', {
          name: 'biz',
          system: 'sql',
          config: { url },
        });
        assert.ok(put.statusCode < 500, put.body);
        if (put.statusCode !== 200) continue;
        const res = await admin.get('/api/connections/biz/describe');
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      }
    });
  });
}
