// The right to be forgotten and the right of access, started in Junction: one person erased in HubSpot,
// Brevo, Abacus and the business system, and nothing personal of theirs left in Junction's own store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { type AbacusEmulator, createAbacusEmulator } from '../../emulators/abacus/index.ts';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const TOKEN = 'pat-eu1-erasure';

function config(o: { business: string; hubspot: string; brevo: string; abacus: string }) {
  const source = 'source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }';
  return `
connections:
  - { id: erp, system: sql, config: { url: "${o.business}" } }
  - { id: hubspot, system: hubspot, config: { baseUrl: "${o.hubspot}", requestsPer10s: 100000 }, secret: { accessToken: ${TOKEN} } }
  - { id: brevo, system: brevo, config: { baseUrl: "${o.brevo}/v3", requestsPerSecond: 10000 }, secret: { apiKey: xkeysib-test } }
  - { id: abacus, system: abacus, config: { baseUrl: "${o.abacus}", mandant: 7777, requestsPer10s: 100000 }, secret: { clientId: junction, clientSecret: junction-secret } }
mappings:
  - { id: to-hubspot, name: People → HubSpot, ${source}, target: { connectionId: hubspot, object: contacts }, matchKey: { target: email }, privacy: delete,
      fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: lastname, from: last_name } ] }
  - { id: to-brevo, name: People → Brevo, ${source}, target: { connectionId: brevo, object: contacts }, matchKey: { target: email }, privacy: delete,
      fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: attributes.LASTNAME, from: last_name } ] }
  - { id: to-abacus, name: People → Abacus, ${source}, target: { connectionId: abacus, object: subjects }, matchKey: { target: Reference }, privacy: delete,
      fields: [ { target: Reference, from: id }, { target: Name, from: last_name }, { target: EMail, from: email, transform: [{ type: email }] } ] }
tasks:
  - { id: hubspot, mapping: to-hubspot }
  - { id: brevo, mapping: to-brevo }
  - { id: abacus, mapping: to-abacus }
`;
}

for (const dialect of DIALECTS) {
  describe(`erasure and export started in Junction (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    let brevo: BrevoEmulator;
    let abacus: AbacusEmulator;
    let admin: Client;
    const people = generatePeople(20);
    const victim = people[4] as (typeof people)[number];
    const email = `person.${victim.id}@example.ch`;

    before(async () => {
      business = await dialect.create();
      await createPeopleTable(business, people);
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({ tokens: [TOKEN] });
      brevo = createBrevoEmulator({ apiKeys: ['xkeysib-test'] });
      abacus = createAbacusEmulator({ mandants: { '7777': { firstSubjectId: 10_001 } } });
      const [h, b, a] = await Promise.all([hs.listen(), brevo.listen(), abacus.listen()]);
      await applyConfig(
        store,
        parseConfigText(config({ business: business.url, hubspot: h, brevo: b, abacus: a })),
      );
      for (const task of ['hubspot', 'brevo', 'abacus'])
        assert.equal((await runTask(task, { store, log })).counts.created, people.length);
      ({ admin } = await createTestServer(store));
    });
    after(async () => {
      await store?.close();
      await Promise.all([hs?.close(), brevo?.close(), abacus?.close()]);
      await business?.drop();
      await storeDb?.drop();
    });

    test('an export lists what Junction and each linked system hold about the person', async () => {
      const res = await admin.send('POST', '/api/privacy/exports', {
        connectionId: 'erp',
        object: 'people',
        key: String(victim.id),
      });
      assert.equal(res.statusCode, 200, res.body);
      const doc = res.json() as { links: unknown[]; systems: { connectionId: string; record: unknown }[] };
      assert.equal(doc.links.length, 3);
      assert.deepEqual(doc.systems.map((s) => s.connectionId).sort(), ['abacus', 'brevo', 'erp', 'hubspot']);
      assert.ok(res.body.includes(email), 'the linked systems answered with the person');
      const viewer = await admin.get('/api/audit?kind=export');
      assert.equal((viewer.json() as { entries: unknown[] }).entries.length, 1);
    });

    test('an erasure reaches HubSpot, Brevo, Abacus and the business system and leaves nothing personal in the store', async () => {
      const res = await admin.send('POST', '/api/privacy/erasures', {
        connectionId: 'erp',
        object: 'people',
        key: String(victim.id),
      });
      assert.equal(res.statusCode, 200, res.body);
      const outcome = res.json() as {
        complete: boolean;
        actions: { connectionId: string; action: string }[];
      };
      assert.equal(outcome.complete, true, res.body);
      assert.deepEqual(outcome.actions.map((a) => `${a.connectionId}:${a.action}`).sort(), [
        'abacus:deleted',
        'brevo:deleted',
        'erp:deleted',
        'hubspot:deleted',
      ]);
      assert.equal(
        hs.state.all('contacts').some((c) => c.properties.email === email),
        false,
      );
      assert.equal(
        brevo.state.all().some((c) => c.email === email),
        false,
      );
      assert.equal(abacus.state.mandant(7777)?.all('Subjects').length, people.length - 1);
      const rows = await withBusinessDb(business, (db) => db.selectFrom('people').select('id').execute());
      assert.equal(
        rows.some((r) => Number(r.id) === victim.id),
        false,
      );

      // Every table of Junction's store, every row: neither the e-mail nor the name.
      const tables =
        dialect.name === 'SQLite'
          ? (
              await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
                store.db,
              )
            ).rows
          : (
              await sql<{
                name: string;
              }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(
                store.db,
              )
            ).rows;
      for (const { name } of tables) {
        const all = await sql`select * from ${sql.table(name)}`.execute(store.db);
        const text = JSON.stringify(all.rows).toLowerCase();
        assert.equal(text.includes(email), false, `table ${name} holds the e-mail`);
        assert.equal(
          text.includes(`"${victim.last_name.toLowerCase()}"`),
          false,
          `table ${name} holds the name`,
        );
      }
      // Idempotent: a second request finds everything done and still succeeds.
      const again = await admin.send('POST', '/api/privacy/erasures', {
        connectionId: 'erp',
        object: 'people',
        key: String(victim.id),
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((again.json() as { complete: boolean }).complete, true);
      // The person never comes back through a sync.
      const run = await runTask('hubspot', { store, log });
      assert.equal(run.counts.created, 0);
    });
  });
}
