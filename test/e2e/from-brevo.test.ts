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
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

describe('direction "from Brevo": unsubscribes flow back into the business system', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let brevo: BrevoEmulator;
  const people = generatePeople(30).map((p) => ({ ...p, status: 'active' as const }));

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, people);
    await withBusinessDb(business, (db) =>
      db.schema
        .alterTable('people')
        .addColumn('newsletter_blocked', 'integer', (c) => c.defaultTo(0))
        .execute(),
    );
    store = await openTestStore(storeDb);
    brevo = createBrevoEmulator({
      apiKeys: ['xkeysib-test'],
      rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 1000 },
    });
    const url = await brevo.listen();
    await applyConfig(
      store,
      parseConfigText(`
connections:
  - { id: erp, system: sql, config: { url: "${business.url}" } }
  - { id: brevo, system: brevo, config: { baseUrl: "${url}/v3", requestsPerSecond: 1000 }, secret: { apiKey: xkeysib-test } }
mappings:
  - id: people-to-brevo
    name: People → Brevo
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: brevo, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: attributes.LASTNAME, from: last_name }
  - id: unsubscribes-from-brevo
    name: Brevo unsubscribes → people
    source: { connectionId: brevo, object: contacts, key: id, modifiedField: modifiedAt }
    target: { connectionId: erp, object: people }
    matchKey: { target: email }
    sync: update
    # People are found by their e-mail (trimmed, any case); a Brevo-only contact has no person to update.
    initialMatching: { property: email }
    fields:
      - { target: email, from: email }
      - { target: newsletter_blocked, formula: "if(emailBlacklisted, 1, 0)" }
tasks:
  - { id: to-brevo, mapping: people-to-brevo }
  - { id: from-brevo, mapping: unsubscribes-from-brevo }
`),
    );
  });
  after(async () => {
    await store?.close();
    await brevo?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('a contact who unsubscribes in Brevo is marked blocked on the person; nobody else changes, nobody is inserted', async () => {
    assert.equal((await runTask('to-brevo', { store, log })).counts.created, 30);
    const first = await runTask('from-brevo', { store, log });
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));

    brevo.state.unsubscribe('person.7@example.ch');
    brevo.state.unsubscribe('person.19@example.ch');
    // A contact that exists only in Brevo: `sync: update` must not invent a person for it.
    brevo.state.insert({ email: 'stranger@example.ch', emailBlacklisted: true });
    const run = await runTask('from-brevo', { store, log });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));

    const rows = await withBusinessDb(business, (db) =>
      db.selectFrom('people').select(['id', 'email', 'newsletter_blocked']).orderBy('id').execute(),
    );
    assert.equal(rows.length, 30, 'no person inserted');
    assert.deepEqual(
      rows.filter((r) => r.newsletter_blocked === 1).map((r) => r.id),
      [7, 19],
    );
  });
});
