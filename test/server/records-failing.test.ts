import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SyncLink, SyncStatus } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** A link of person `key` of the ERP into one target, in the given state. */
function link(key: string, target: string, status: SyncStatus): SyncLink {
  const at = new Date('2025-03-05T14:30:00.000Z');
  return {
    sourceConnectionId: 'erp',
    sourceObject: 'people',
    sourceKey: key,
    targetConnectionId: target,
    targetObject: 'contacts',
    externalId: status === 'ok' ? `${target}-${key}` : null,
    lastSyncAt: at,
    lastSuccessAt: status === 'ok' ? at : null,
    status,
    remark: status === 'ok' ? null : 'HubSpot said no',
    payloadHash: null,
  };
}

for (const dialect of DIALECTS) {
  describe(`GET /api/records/failing/count on ${dialect.name}`, () => {
    let tmp: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let viewer: Client;

    before(async () => {
      tmp = await dialect.create();
      store = await openTestStore(tmp);
      ({ app, viewer } = await createTestServer(store));
      // Links belong to the workspace of their source connection: the ERP is the default workspace's.
      await store.connections.save({ id: 'erp', name: 'ERP', system: 'sql', config: {}, secret: {} });
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await tmp?.drop();
    });

    test('is zero for a hub that has synced nothing yet', async () => {
      const res = await viewer.get('/api/records/failing/count');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { failed: 0, retry: 0 });
    });

    test('counts the links failing now by status, across targets, and ignores ok and deleted ones', async () => {
      await store.syncLinks.upsert([
        link('1', 'hubspot', 'failed'),
        link('1', 'brevo', 'retry'),
        link('2', 'hubspot', 'failed'),
        link('3', 'hubspot', 'ok'),
        link('4', 'hubspot', 'deleted'),
        link('5', 'brevo', 'retry'),
        link('6', 'brevo', 'ok'),
      ]);
      const res = await viewer.get('/api/records/failing/count');
      assert.deepEqual(res.json(), { failed: 2, retry: 2 });
    });

    test('drops a record from the count once its sync goes through again', async () => {
      await store.syncLinks.upsert([link('2', 'hubspot', 'ok'), link('5', 'brevo', 'ok')]);
      const res = await viewer.get('/api/records/failing/count');
      assert.deepEqual(res.json(), { failed: 1, retry: 1 });
    });

    test('is not shadowed by the record view of a source key called "failing"', async () => {
      await store.syncLinks.upsert([link('failing', 'hubspot', 'ok')]);
      const res = await viewer.get('/api/records/failing/links');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().links.length, 1);
      assert.equal(res.json().links[0].externalId, 'hubspot-failing');
    });
  });
}
