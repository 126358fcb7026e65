import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import type { TempDatabase } from '../helpers/databases.ts';
import { openPeopleToHubSpot, type PeopleToHubSpot } from '../helpers/people-to-hubspot.ts';

const TOKEN = 'pat-na1-read-back';
const log = pino({ level: 'silent' });

describe('read-back: what the target assigned is kept on the link and in the source', () => {
  let s: PeopleToHubSpot;
  let business: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  const people = generatePeople(20).map((p) => ({ ...p, status: 'active' as const }));

  before(async () => {
    s = await openPeopleToHubSpot({
      people,
      token: TOKEN,
      mode: 'incremental',
      mapping: {
        source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
        // HubSpot assigns the record id; read back, it is the "number" the next run's formula sees.
        readBack: { property: 'hs_object_id', writeTo: 'sync_remark' },
        fields: [
          { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
          { target: 'jobtitle', formula: "concat('HubSpot-Nr. ', link.external_number ?? 'neu')" },
        ],
      },
    });
    ({ business, store, hs } = s);
  });
  after(() => s?.close());

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
