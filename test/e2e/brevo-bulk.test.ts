import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const KEY = 'xkeysib-test';
const N = 2000;
// Every 100th person has an address Junction passes on and Brevo refuses.
const invalid = (id: number) => id % 100 === 50;
const people = generatePeople(N).map((p) => (invalid(p.id) ? { ...p, email: `person${p.id}@nowhere` } : p));

function config(businessUrl: string, brevoUrl: string, task: string) {
  return `
connections:
  - { id: erp, system: sql, config: { url: "${businessUrl}", pageSize: 500 } }
  - { id: brevo, system: brevo, config: { baseUrl: "${brevoUrl}/v3", requestsPerSecond: 10000 }, secret: { apiKey: ${KEY} } }
mappings:
  - id: newsletter
    name: People → Brevo newsletter
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: brevo, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: trim }, { type: lower }], required: true }
      - { target: attributes.FIRSTNAME, from: first_name }
      - { target: attributes.LASTNAME, from: last_name }
      - { target: listIds, value: 1 }
    writeBack: { externalId: hubspot_id, lastSync: sync_last, status: sync_status, remark: sync_remark }
tasks:
  - { id: ${task}, mapping: newsletter }
`;
}

describe('Brevo at batch speed: a newsletter list through imports and batch updates', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let brevo: BrevoEmulator;
  const calls = (route: string) => brevo.stats.byRoute[route] ?? 0;
  const rows = () =>
    withBusinessDb(business, (db) =>
      db
        .selectFrom('people' as never)
        .selectAll()
        .orderBy('id' as never)
        .execute(),
    ) as Promise<Record<string, unknown>[]>;

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, people);
    store = await openTestStore(storeDb);
    brevo = createBrevoEmulator({
      apiKeys: [KEY],
      rateLimit: { max: Number.POSITIVE_INFINITY },
      importTiming: { queuedMs: 20, processMs: 50, perRowMs: 0.01 },
    });
    brevo.state.createList('Newsletter');
    await applyConfig(store, parseConfigText(config(business.url, await brevo.listen(), 'newsletter')));
  });
  after(async () => {
    await store?.close();
    await brevo?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('2 000 people with 20 addresses Brevo refuses: 1 980 contacts on the list, 20 failed with Brevo’s reason, marks on every row', async () => {
    const run = await runTask('newsletter', { store, log });
    assert.equal(run.status, 'warning', run.error?.message);
    assert.equal(run.counts.created, N - 20);
    assert.equal(run.counts.failed, 20);
    assert.equal(calls('POST /v3/contacts/import'), 4, 'one import a page of 500');
    assert.equal(calls('POST /v3/contacts'), 0);
    assert.ok(brevo.stats.total < 60, `${brevo.stats.total} calls for ${N} people`);
    const contacts = brevo.state.all();
    assert.equal(contacts.length, N - 20);
    assert.ok(contacts.every((c) => c.listIds.length === 1 && c.listIds[0] === 1));
    const failed = await store.executions.items(run.id, { action: 'fail', limit: 100 });
    assert.equal(failed.length, 20);
    for (const item of failed) {
      assert.ok(invalid(Number(item.sourceKey)), `person ${item.sourceKey} failed`);
      assert.equal(item.code, 'brevo_import_invalid_emails');
      assert.match(item.message ?? '', /Invalid email address/);
    }
    for (const row of await rows()) {
      const id = Number(row.id);
      assert.ok(row.sync_last, `person ${id} has no last-sync mark`);
      if (invalid(id)) {
        assert.equal(row.sync_status, 'failed');
        assert.match(String(row.sync_remark), /refused person\d+@nowhere: Invalid email address/);
      } else {
        assert.equal(row.sync_status, 'ok');
        const contact = brevo.state.findByEmail(`person.${id}@example.ch`);
        assert.equal(row.hubspot_id, String(contact?.id), `person ${id}`);
        assert.equal(contact?.attributes.FIRSTNAME, row.first_name);
      }
    }
  });

  test('a no-op re-sync makes no call; 150 changes go in two batch updates, and the one Brevo refuses fails alone', async () => {
    const bulk = () => calls('POST /v3/contacts/import') + calls('POST /v3/contacts/batch');
    const before = bulk();
    const idle = await runTask('newsletter', { store, log });
    assert.equal(idle.counts.created + idle.counts.updated, 0);
    assert.equal(bulk(), before, 'no import and no batch for unchanged people');

    const changed = Array.from({ length: 150 }, (_, i) => i * 13 + 1).filter((id) => !invalid(id));
    await withBusinessDb(business, async (db) => {
      for (const id of changed)
        await db
          .updateTable('people' as never)
          .set({ first_name: `Changed ${id}`, modified_at: new Date().toISOString() } as never)
          .where('id' as never, '=', id as never)
          .execute();
      await db
        .updateTable('people' as never)
        .set({ email: 'refused@nowhere', modified_at: new Date().toISOString() } as never)
        .where('id' as never, '=', changed[7] as never)
        .execute();
    });
    const batchesBefore = calls('POST /v3/contacts/batch');
    const run = await runTask('newsletter', { store, log });
    assert.equal(run.counts.updated, changed.length - 1);
    // Besides the refused change, only people that failed before and were read again (the incremental
    // read's overlap) fail again.
    const failures = await store.executions.items(run.id, { action: 'fail' });
    assert.ok(failures.every((f) => f.sourceKey === String(changed[7]) || invalid(Number(f.sourceKey))));
    const item = failures.find((f) => f.sourceKey === String(changed[7]));
    assert.equal(item?.sourceKey, String(changed[7]));
    assert.equal(item?.code, 'brevo_invalid_parameter');
    assert.match(item?.message ?? '', /Invalid email address: refused@nowhere/);
    assert.equal(
      brevo.state.findByEmail(`person.${changed[8]}@example.ch`)?.attributes.FIRSTNAME,
      `Changed ${changed[8]}`,
    );
    // 2 batches of ≤ 100, and the refused one split down to its bad contact (at most 2 calls a level).
    assert.ok(calls('POST /v3/contacts/batch') - batchesBefore <= 2 + 2 * 7);
    assert.equal(calls('PUT /v3/contacts/{identifier}'), 0);
  });

  test('a run stopped while Brevo imports picks the import process up again: no second import, nobody twice, nobody lost', async () => {
    brevo.reset();
    brevo.state.createList('Newsletter');
    await store.syncState.forget({ connectionIds: ['brevo'], mappingIds: [], taskIds: ['newsletter'] });
    brevo.imports.hold();
    const stop = new AbortController();
    const first = runTask('newsletter', { store, log, signal: stop.signal });
    await eventually(
      'the first import is in process',
      () => brevo.imports.list()[0]?.status === 'in_process',
    );
    await eventually(
      'the process id is journalled',
      async () => (await store.writeJournal.keys('newsletter')).length === 1,
    );
    stop.abort();
    const stopped = await first;
    assert.equal(stopped.status, 'cancelled');
    assert.equal(brevo.state.all().length, 0, 'Brevo has not finished importing');

    brevo.imports.release();
    const resumed = await runTask('newsletter', { store, log });
    assert.equal(resumed.status, 'warning', resumed.error?.message);
    const refused = 21; // the 20 invalid addresses and the one changed to an address Brevo refuses
    assert.equal(
      calls('POST /v3/contacts/import'),
      4,
      'the first page’s process was picked up, not started again',
    );
    assert.deepEqual(await store.writeJournal.keys('newsletter'), [], 'committed pages leave no notes');
    assert.equal(brevo.state.all().length, N - refused);
    assert.equal(new Set(brevo.state.all().map((c) => c.email)).size, N - refused);
    const links = await Promise.all(people.map((p) => store.syncLinks.forSourceKey(String(p.id))));
    assert.equal(links.filter((l) => l[0]?.status === 'ok').length, N - refused);
  });
});
