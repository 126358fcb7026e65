import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** Finding 10: /metrics needed no login (task ids, connection ids, counts, upstream status codes). */
const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

for (const dialect of DIALECTS) {
  describe(`/metrics needs a login or the metrics token (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let viewer: Client;

    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      ({ app, viewer } = await createTestServer(store, { metricsToken: METRICS_TOKEN }));
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
    });

    const scrape = (authorization?: string) =>
      app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });

    test('anonymous and wrong-token scrapes get 401 and no metrics', async () => {
      for (const auth of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`]) {
        const res = await scrape(auth);
        assert.equal(res.statusCode, 401, `${auth}: ${res.body}`);
        assert.equal(res.json().error.code, 'unauthenticated');
        assert.doesNotMatch(res.body, /junction_/);
      }
    });

    test('the metrics token, a logged-in user and an API token may scrape', async () => {
      assert.equal((await scrape(`Bearer ${METRICS_TOKEN}`)).statusCode, 200);
      const session = await viewer.get('/metrics');
      assert.equal(session.statusCode, 200);
      assert.match(session.body, /# TYPE/);
      const token = (await viewer.send('POST', '/api/auth/tokens', { name: 'prometheus' })).json().token;
      assert.equal((await scrape(`Bearer ${token}`)).statusCode, 200);
    });
  });
}
