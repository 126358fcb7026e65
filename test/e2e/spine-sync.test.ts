import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, type Person, withBusinessDb } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { SYNCED_CANTONS, spineConfig } from '../helpers/spine-config.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-spine-test';
const log = pino({ level: 'silent' });
const writeCalls = (hs: HubSpotEmulator) => hs.stats.writes;
const REJECTED = 'person.9@example.ch';

for (const dialect of DIALECTS) {
  describe(`spine: ${dialect.name} business system → HubSpot`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    const people: Person[] = generatePeople(2000);
    const expected = people.filter((p) => p.status === 'active' && SYNCED_CANTONS.has(p.canton));

    before(async () => {
      business = await dialect.create();
      storeDb = await dialect.create();
      await createPeopleTable(business, people);
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({ tokens: [TOKEN], faults: { rejectEmails: [REJECTED] } });
      const hubspotUrl = await hs.listen();
      const config = parseConfigText(spineConfig({ businessUrl: business.url, hubspotUrl }), {
        TEST_HUBSPOT_TOKEN: TOKEN,
      });
      await applyConfig(store, config);
    });
    after(async () => {
      await store?.close();
      await hs?.close();
      await business?.drop();
      await storeDb?.drop();
    });

    test('the first run creates exactly the filtered, mapped contacts and marks the source rows', async () => {
      const execution = await runTask('people-sync', { store, log });
      assert.equal(execution.status, 'warning', 'one record is rejected, so the run ends with a warning');
      assert.equal(
        execution.counts.read,
        expected.length,
        'the filter is pushed down: only matching rows are read',
      );
      assert.equal(execution.counts.created, expected.length - 1);
      assert.equal(execution.counts.failed, 1);

      const contacts = hs.state.all('contacts');
      assert.equal(contacts.length, expected.length - 1);
      const byEmail = new Map(contacts.map((c) => [c.properties.email, c]));
      for (const p of expected) {
        const email = p.email.trim().toLowerCase();
        if (email === REJECTED) {
          assert.equal(byEmail.has(email), false);
          continue;
        }
        const c = byEmail.get(email);
        assert.ok(c, `contact ${email} exists`);
        assert.equal(c.properties.firstname, p.first_name);
        assert.equal(c.properties.lastname, p.last_name.toUpperCase());
        assert.equal(c.properties.lifecyclestage, 'lead');
      }
      assert.equal(byEmail.get('person.1@example.ch')?.properties.state, 'Zürich');

      const rows = await withBusinessDb(business, (db) =>
        db.selectFrom('people').selectAll().orderBy('id').execute(),
      );
      for (const row of rows) {
        const email = String(row.email).trim().toLowerCase();
        const wanted = expected.some((p) => p.id === Number(row.id));
        if (!wanted) {
          assert.equal(row.hubspot_id, null, `row ${row.id} is filtered out and unmarked`);
        } else if (email === REJECTED) {
          assert.equal(row.sync_status, 'failed');
          assert.match(String(row.sync_remark), /email/i);
          assert.ok(row.sync_last);
          assert.equal(row.sync_last_success, null);
        } else {
          assert.equal(row.hubspot_id, byEmail.get(email)?.id, `row ${row.id} carries its HubSpot id`);
          assert.equal(row.sync_status, 'ok');
          assert.ok(row.sync_last && row.sync_last_success);
        }
      }

      const [failed] = await store.executions.items(execution.id, { action: 'fail' });
      assert.ok(failed);
      assert.equal(failed.sourceKey, '9');
      assert.match(failed.code ?? '', /^hubspot_/);
      assert.ok(failed.message);
      assert.deepEqual(
        (failed.payload as Record<string, unknown>).email,
        REJECTED,
        'the payload that should have been sent is kept',
      );
    });

    test('a second run with no change makes zero write calls', async () => {
      const before = writeCalls(hs);
      const execution = await runTask('people-sync', { store, log });
      assert.equal(writeCalls(hs) - before, 0);
      assert.equal(execution.counts.created + execution.counts.updated, 0);
      assert.equal(execution.status, 'succeeded');
    });

    test('a full re-read of unchanged records is all "unchanged" and makes zero write calls', async () => {
      const task = await store.tasks.get('people-sync');
      await store.tasks.save({ ...task, mode: 'full' });
      const before = writeCalls(hs);
      const execution = await runTask('people-sync', { store, log });
      await store.tasks.save({ ...task, mode: 'incremental' });
      assert.equal(execution.counts.unchanged, expected.length - 1);
      assert.equal(
        writeCalls(hs) - before,
        1,
        'only the rejected record is tried again (a full run re-reads it)',
      );
      assert.equal(execution.counts.failed, 1);
    });

    test('changing 10 rows updates exactly those 10 contacts', async () => {
      const changed = expected.filter((p) => p.email.trim().toLowerCase() !== REJECTED).slice(100, 110);
      await withBusinessDb(business, async (db) => {
        for (const p of changed) {
          await db
            .updateTable('people')
            .set({
              first_name: `${p.first_name}-Neu`,
              modified_at: dialect.name === 'PostgreSQL' ? new Date() : new Date().toISOString(),
            })
            .where('id', '=', p.id)
            .execute();
        }
      });
      const before = writeCalls(hs);
      const execution = await runTask('people-sync', { store, log });
      assert.equal(execution.counts.updated, 10);
      assert.equal(execution.counts.created, 0);
      assert.equal(writeCalls(hs) - before, 1, 'ten updates travel in one batch call');
      const byEmail = new Map(hs.state.all('contacts').map((c) => [c.properties.email, c]));
      for (const p of changed)
        assert.equal(byEmail.get(p.email.trim().toLowerCase())?.properties.firstname, `${p.first_name}-Neu`);
      const items = await store.executions.items(execution.id);
      assert.deepEqual(items.map((i) => i.sourceKey).sort(), changed.map((p) => String(p.id)).sort());
    });

    test('a row whose change committed late, stamped before the last run, is still picked up', async () => {
      // As when an application sets modified_at = now() at the start of a slow transaction.
      const late = expected[500] as Person;
      const stamp = new Date(Date.now() - 30_000);
      await withBusinessDb(business, (db) =>
        db
          .updateTable('people')
          .set({
            first_name: 'Spät',
            modified_at: dialect.name === 'PostgreSQL' ? stamp : stamp.toISOString(),
          })
          .where('id', '=', late.id)
          .execute(),
      );
      const execution = await runTask('people-sync', { store, log });
      assert.equal(execution.counts.updated, 1);
      const contact = hs.state
        .all('contacts')
        .find((c) => c.properties.email === late.email.trim().toLowerCase());
      assert.equal(contact?.properties.firstname, 'Spät');
    });
  });
}
