// Two business records synced into one target record (a shared e-mail): deletions and erasures of one
// person must never reach the other, and an empty source must never empty a small target.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { createConnector } from '../../src/connectors/registry.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { eraseRecord } from '../../src/engine/deletions.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { memoryTarget } from '../mapping/harness.ts';

const log = pino({ level: 'silent' });

describe('records that share a target record', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let crm: ReturnType<typeof memoryTarget>;
  const factory = (c: Parameters<typeof createConnector>[0], rt: Parameters<typeof createConnector>[1]) =>
    c.system === 'sql' ? createConnector(c, rt) : crm.target;

  beforeEach(async () => {
    business = await createTempSqlite();
    const people = generatePeople(8);
    // Persons 1 and 2 share an e-mail (a couple's address): one CRM contact for both.
    (people[1] as { email: string }).email = (people[0] as { email: string }).email;
    await createPeopleTable(business, people);
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    crm = memoryTarget();
    await store.connections.save({
      id: 'erp',
      name: 'ERP',
      system: 'sql',
      config: { url: business.url },
      secret: {},
    });
    await store.connections.save({ id: 'crm', name: 'CRM', system: 'abacus', config: {}, secret: {} });
    await store.mappings.save(
      MappingDefinitionSchema.parse({
        id: 'people',
        name: 'People',
        source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
        target: { connectionId: 'crm', object: 'contacts' },
        matchKey: { target: 'email' },
        deletes: 'propagate',
        privacy: 'delete',
        fields: [
          { target: 'email', from: 'email', transform: [{ type: 'email' }] },
          { target: 'name', from: 'last_name' },
        ],
      }),
    );
    await store.tasks.save({
      id: 'people',
      name: 'People',
      mappingId: 'people',
      schedule: null,
      enabled: true,
      mode: 'full',
      notify: { on: [], to: [] },
      params: {},
    });
    const first = await runTask('people', { store, log, connectorFactory: factory });
    assert.equal(first.status, 'succeeded', first.error?.message);
    const [l1] = await store.syncLinks.forSourceRecord('erp', 'people', '1');
    const [l2] = await store.syncLinks.forSourceRecord('erp', 'people', '2');
    assert.equal(l1?.externalId, l2?.externalId, 'one contact for both');
  });
  afterEach(async () => {
    await store?.close();
    await storeDb?.drop();
    await business?.drop();
  });
  test('erasing person 1 leaves person 2 and the contact they share alone', async () => {
    const out = await eraseRecord(
      store,
      { connectionId: 'erp', object: 'people', key: '1' },
      { log, connectorFactory: factory },
    );
    const shared = out.actions.find((a) => a.role === 'target');
    assert.equal(shared?.action, 'skipped');
    assert.equal(shared?.code, 'shared_record');
    const ids = await withBusinessDb(business, (db) => db.selectFrom('people').select('id').execute());
    assert.ok(
      ids.some((r) => Number(r.id) === 2),
      'person 2 is still in the business system',
    );
    assert.equal(
      ids.some((r) => Number(r.id) === 1),
      false,
      'person 1 is erased',
    );
    assert.equal(
      crm.writes.filter((w) => w.kind === 'delete').length,
      0,
      'the shared contact is not deleted',
    );
    const [l2] = await store.syncLinks.forSourceRecord('erp', 'people', '2');
    assert.equal(l2?.status, 'ok', "person 2's link stays");
  });

  test('deleting row 2 in the business system keeps the contact row 1 still uses', async () => {
    await withBusinessDb(business, (db) => db.deleteFrom('people').where('id', '=', 2).execute());
    const run = await runTask('people', { store, log, connectorFactory: factory });
    assert.equal(run.status, 'succeeded', run.error?.message);
    assert.equal(run.counts.deleted, 0);
    assert.equal(crm.writes.filter((w) => w.kind === 'delete').length, 0);
    const [l2] = await store.syncLinks.forSourceRecord('erp', 'people', '2');
    assert.equal(l2?.status, 'removed', "row 2's link is cut");
  });

  test('an emptied source deletes nothing, even below the guard of 20 records', async () => {
    await withBusinessDb(business, (db) => db.deleteFrom('people').execute());
    const run = await runTask('people', { store, log, connectorFactory: factory });
    assert.equal(run.status, 'warning');
    assert.equal(run.error?.code, 'mass_deletion_guard');
    assert.match(run.error?.message ?? '', /the source returned no records/);
    assert.equal(crm.writes.filter((w) => w.kind === 'delete').length, 0);
  });
});
