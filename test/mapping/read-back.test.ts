import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-read-back';
const log = pino({ level: 'silent' });

describe('read-back: what the target assigned is kept on the link and in the source', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  const people = generatePeople(20).map((p) => ({ ...p, status: 'active' as const }));

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, people);
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({ tokens: [TOKEN] });
    const url = await hs.listen();
    await store.connections.save({
      id: 'erp',
      name: 'ERP',
      system: 'sql',
      config: { url: business.url },
      secret: {},
    });
    await store.connections.save({
      id: 'hubspot',
      name: 'HubSpot',
      system: 'hubspot',
      config: { baseUrl: url },
      secret: { accessToken: TOKEN },
    });
    await store.mappings.save(
      MappingDefinitionSchema.parse({
        id: 'people',
        name: 'People → contacts',
        source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
        target: { connectionId: 'hubspot', object: 'contacts' },
        matchKey: { target: 'email' },
        // HubSpot assigns the record id; read back, it is the "number" the next run's formula sees.
        readBack: { property: 'hs_object_id', writeTo: 'sync_remark' },
        fields: [
          { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
          { target: 'jobtitle', formula: "concat('HubSpot-Nr. ', link.external_number ?? 'neu')" },
        ],
      }),
    );
    await store.tasks.save({
      id: 'people-sync',
      name: 'People',
      mappingId: 'people',
      schedule: null,
      enabled: true,
      mode: 'incremental',
      notify: { on: [], to: [] },
      params: {},
    });
  });
  after(async () => {
    await store?.close();
    await hs?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('the first run stores the read-back value on every link and in the named source column', async () => {
    const run = await runTask('people-sync', { store, log });
    assert.equal(run.counts.created, 20, JSON.stringify(run.error));
    for (const c of hs.state.all('contacts')) assert.equal(c.properties.jobtitle, 'HubSpot-Nr. neu');
    const rows = await withBusinessDb(business, (db) =>
      db.selectFrom('people').select(['id', 'sync_remark']).execute(),
    );
    for (const row of rows) {
      const [link] = await store.syncLinks.forSourceKey(String(row.id));
      assert.ok(link?.externalNumber, `person ${row.id} has a read-back number`);
      assert.equal(link.externalNumber, link.externalId, 'hs_object_id is the contact id');
      assert.equal(row.sync_remark, link.externalNumber);
    }
  });

  test('a formula reads link.external_number on the next write of the record', async () => {
    await withBusinessDb(business, (db) =>
      db
        .updateTable('people')
        .set({ first_name: 'Neu', modified_at: new Date().toISOString() })
        .where('id', '=', 3)
        .execute(),
    );
    const run = await runTask('people-sync', { store, log });
    assert.ok(run.counts.updated >= 1);
    const [link] = await store.syncLinks.forSourceKey('3');
    const contact = hs.state.all('contacts').find((c) => c.id === link?.externalId);
    assert.equal(contact?.properties.jobtitle, `HubSpot-Nr. ${link?.externalNumber}`);
  });
});
