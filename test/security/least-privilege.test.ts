import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * Finding 9: viewers could call `describe`, which makes live calls with the stored credentials and
 * returns the whole business database's schema. Live previews (mapping preview, dry run) are admin-only too.
 */
for (const dialect of DIALECTS) {
  describe(`describe and live previews are for admins (${dialect.name})`, () => {
    let db: TempDatabase;
    let business: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let viewer: Client;
    const mapping = {
      name: 'People',
      source: { connectionId: 'erp', object: 'people', key: 'id' },
      target: { connectionId: 'erp2', object: 'people' },
      matchKey: { target: 'email' },
      fields: [{ target: 'email', from: 'email' }],
    };

    before(async () => {
      db = await dialect.create();
      business = await createTempSqlite();
      await createPeopleTable(business, generatePeople(3));
      store = await openTestStore(db);
      ({ app, admin, viewer } = await createTestServer(store));
      for (const id of ['erp', 'erp2']) {
        const res = await admin.send('PUT', `/api/connections/${id}`, {
          name: id,
          system: 'sql',
          config: { url: business.url },
        });
        assert.equal(res.statusCode, 200, res.body);
      }
      assert.equal((await admin.send('PUT', '/api/mappings/people', mapping)).statusCode, 200);
      const task = await admin.send('PUT', '/api/tasks/people', { name: 'People', mappingId: 'people' });
      assert.equal(task.statusCode, 200, task.body);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
      await business?.drop();
    });

    test('a viewer gets 403 for describe, the mapping preview and the dry run; the schema stays hidden', async () => {
      const described = await viewer.get('/api/connections/erp/describe');
      assert.equal(described.statusCode, 403, described.body);
      assert.equal(described.json().error.code, 'forbidden');
      assert.ok(!described.body.includes('first_name'));
      const preview = await viewer.send('POST', '/api/mappings/preview', {
        mapping: { id: 'people', ...mapping },
      });
      assert.equal(preview.statusCode, 403, preview.body);
      const dry = await viewer.send('POST', '/api/tasks/people/dry-run', {});
      assert.equal(dry.statusCode, 403, dry.body);
    });

    test('an admin still describes and previews', async () => {
      const described = await admin.get('/api/connections/erp/describe');
      assert.equal(described.statusCode, 200, described.body);
      assert.ok(described.json().objects.some((o: { name: string }) => o.name === 'people'));
      const preview = await admin.send('POST', '/api/mappings/preview', {
        mapping: { id: 'people', ...mapping },
      });
      assert.equal(preview.statusCode, 200, preview.body);
    });
  });
}
