// Source deletions that do what the mapping says, in every target, with the mass-deletion guard.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { type AbacusEmulator, createAbacusEmulator } from '../../emulators/abacus/index.ts';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { dryRunTask, runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const PEOPLE = 100;
const TOKEN = 'pat-eu1-deletions';

/** One mapping per target; `deletes` as the target offers it. */
function config(o: { business: string; hubspot: string; brevo: string; abacus: string }) {
  const source = 'source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }';
  return `
connections:
  - { id: erp, system: sql, config: { url: "${o.business}" } }
  - { id: hubspot, system: hubspot, config: { baseUrl: "${o.hubspot}", requestsPer10s: 100000 }, secret: { accessToken: ${TOKEN} } }
  - { id: brevo, system: brevo, config: { baseUrl: "${o.brevo}/v3", requestsPerSecond: 10000, concurrency: 8 }, secret: { apiKey: xkeysib-test } }
  - { id: abacus, system: abacus, config: { baseUrl: "${o.abacus}", mandant: 7777, requestsPer10s: 100000, concurrency: 4 }, secret: { clientId: junction, clientSecret: junction-secret } }
mappings:
  - id: to-hubspot
    name: People → HubSpot
    ${source}
    target: { connectionId: hubspot, object: contacts }
    matchKey: { target: email }
    deletes: propagate
    fields:
      - { target: email, from: email, transform: [{ type: email }] }
      - { target: lastname, from: last_name }
  - id: to-brevo
    name: People → Brevo
    ${source}
    target: { connectionId: brevo, object: contacts }
    matchKey: { target: email }
    deletes: propagate
    fields:
      - { target: email, from: email, transform: [{ type: email }] }
      - { target: attributes.LASTNAME, from: last_name }
  - id: to-abacus
    name: People → Abacus
    ${source}
    target: { connectionId: abacus, object: subjects }
    matchKey: { target: Reference }
    deletes: archive
    fields:
      - { target: Reference, from: id }
      - { target: Name, from: last_name }
      - { target: EMail, from: email, transform: [{ type: email }] }
tasks:
  - { id: hubspot, mapping: to-hubspot, mode: full }
  - { id: brevo, mapping: to-brevo, mode: full }
  - { id: abacus, mapping: to-abacus, mode: full }
`;
}

for (const dialect of DIALECTS) {
  describe(`records deleted in the business system (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    let brevo: BrevoEmulator;
    let abacus: AbacusEmulator;
    const people = generatePeople(PEOPLE);
    const email = (id: number) => `person.${id}@example.ch`;

    /** What each target holds now, as the emulators see it. */
    const live = {
      hubspot: () => hs.state.all('contacts').map((c) => String(c.properties.email)),
      brevo: () =>
        brevo.state
          .all()
          .filter((c) => !c.emailBlacklisted)
          .map((c) => String(c.email)),
      /** Ids of the subjects set inactive. */
      abacusInactive: () =>
        (abacus.state.mandant(7777)?.all('Subjects') ?? [])
          .filter((s) => s.Status === 'Inactive')
          .map((s) => String(s.Id)),
    };
    const deleteRows = (ids: number[]) =>
      withBusinessDb(business, (db) => db.deleteFrom('people').where('id', 'in', ids).execute());

    before(async () => {
      business = await dialect.create();
      await createPeopleTable(business, people);
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({ tokens: [TOKEN] });
      brevo = createBrevoEmulator({
        apiKeys: ['xkeysib-test'],
        rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 1000 },
      });
      abacus = createAbacusEmulator({
        mandants: { '7777': { firstSubjectId: 10_001 } },
        rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
      });
      const [h, b, a] = await Promise.all([hs.listen(), brevo.listen(), abacus.listen()]);
      await applyConfig(
        store,
        parseConfigText(config({ business: business.url, hubspot: h, brevo: b, abacus: a })),
      );
      for (const task of ['hubspot', 'brevo', 'abacus']) {
        const run = await runTask(task, { store, log });
        assert.equal(run.counts.created, PEOPLE, `${task}: ${run.error?.message}`);
      }
    });
    after(async () => {
      await store?.close();
      await Promise.all([hs?.close(), brevo?.close(), abacus?.close()]);
      await business?.drop();
      await storeDb?.drop();
    });

    test('deleting 3 of 100 rows deletes (HubSpot, Brevo) or archives (Abacus) exactly those 3; a re-run does nothing', async () => {
      await deleteRows([7, 42, 99]);
      for (const task of ['hubspot', 'brevo', 'abacus'] as const) {
        const planned = await dryRunTask(store, task, { log });
        assert.equal(planned.counts.deleted, 3, `${task}: the dry run plans the 3 deletions`);
        const run = await runTask(task, { store, log });
        assert.equal(run.status, 'succeeded', `${task}: ${run.error?.message}`);
        assert.equal(run.counts.deleted, 3, task);
        assert.equal(run.counts.unchanged, PEOPLE - 3, task);
        const items = await store.executions.items(run.id, { action: 'delete', limit: 10 });
        assert.deepEqual(items.map((i) => i.sourceKey).sort(), ['42', '7', '99'], task);
        const again = await runTask(task, { store, log });
        assert.equal(again.counts.deleted, 0, `${task}: the re-run deletes nothing`);
        assert.equal(again.counts.created + again.counts.updated, 0, `${task}: nor writes anything`);
      }
      const gone = [7, 42, 99];
      const expectEmails = people
        .filter((p) => !gone.includes(p.id))
        .map((p) => email(p.id))
        .sort();
      assert.deepEqual(live.hubspot().sort(), expectEmails);
      assert.equal(hs.state.all('contacts', true).length, 3, 'HubSpot holds the 3 as archived');
      assert.deepEqual(live.brevo().sort(), expectEmails);
      assert.equal(brevo.state.all().length, PEOPLE - 3, 'Brevo deleted them');
      const archivedIds = [];
      for (const key of gone)
        archivedIds.push(
          (await store.syncLinks.forSourceKey(String(key))).find((l) => l.targetConnectionId === 'abacus')
            ?.externalId,
        );
      assert.deepEqual(
        live.abacusInactive().sort(),
        archivedIds.map(String).sort(),
        'exactly the 3 inactive',
      );
      assert.equal(abacus.state.mandant(7777)?.all('Subjects').length, PEOPLE, 'Abacus keeps them, inactive');
    });

    test('an emptied source deletes nothing: the run ends as a warning naming the guard; confirming deletes', async () => {
      await withBusinessDb(business, (db) => db.deleteFrom('people').execute());
      const held = await runTask('hubspot', { store, log });
      assert.equal(held.status, 'warning');
      assert.equal(held.error?.code, 'mass_deletion_guard');
      assert.match(held.error?.message ?? '', /97 of 97 linked records.*nothing was deleted/);
      assert.equal(held.counts.deleted, 0);
      assert.equal(live.hubspot().length, PEOPLE - 3, 'nothing deleted');
      const confirmed = await runTask('hubspot', { store, log, confirmDeletes: true });
      assert.equal(confirmed.status, 'succeeded', confirmed.error?.message);
      assert.equal(confirmed.counts.deleted, PEOPLE - 3);
      assert.equal(live.hubspot().length, 0);
    });
  });
}
