// An erasure whose process is killed with SIGKILL in the middle (Brevo answering slowly) leaves its
// attempt in the audit log; running it again finishes it everywhere and audits the outcome.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { runJunction, startJunction } from '../cli/junction-process.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';

const log = pino({ level: 'silent' });
const TOKEN = 'pat-eu1-erasure-crash';
const KEY = randomBytes(32).toString('hex');
const VICTIM = 6;
const EMAIL = `person.${VICTIM}@example.ch`;

let business: Awaited<ReturnType<typeof createTempSqlite>>;
let hubDir: Awaited<ReturnType<typeof createTempSqlite>>;
let hs: HubSpotEmulator;
let brevo: BrevoEmulator;

const openHubStore = () =>
  openStore({ dataDir: hubDir.dir, secretBox: createSecretBox(Buffer.from(KEY, 'hex')) });
const env = () => ({
  JUNCTION_DATA_DIR: hubDir.dir,
  JUNCTION_SECRET_KEY: KEY,
  JUNCTION_FILES_DIR: business.dir,
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
});
const ERASE = ['erase', '--connection', 'erp', '--object', 'people', '--key', String(VICTIM)];

before(async () => {
  business = await createTempSqlite();
  hubDir = await createTempSqlite();
  await createPeopleTable(business, generatePeople(10));
  hs = createHubSpotEmulator({ tokens: [TOKEN] });
  brevo = createBrevoEmulator({ apiKeys: ['xkeysib-test'] });
  const [h, b] = await Promise.all([hs.listen(), brevo.listen()]);
  const source = 'source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }';
  const store = await openHubStore();
  await applyConfig(
    store,
    parseConfigText(`
connections:
  - { id: erp, system: sql, config: { url: "${business.url}" } }
  - { id: hubspot, system: hubspot, config: { baseUrl: "${h}", requestsPer10s: 100000 }, secret: { accessToken: ${TOKEN} } }
  - { id: brevo, system: brevo, config: { baseUrl: "${b}/v3", requestsPerSecond: 10000 }, secret: { apiKey: xkeysib-test } }
mappings:
  - { id: to-hubspot, name: People → HubSpot, ${source}, target: { connectionId: hubspot, object: contacts }, matchKey: { target: email }, privacy: delete,
      fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: lastname, from: last_name } ] }
  - { id: to-brevo, name: People → Brevo, ${source}, target: { connectionId: brevo, object: contacts }, matchKey: { target: email }, privacy: delete,
      fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: attributes.LASTNAME, from: last_name } ] }
tasks:
  - { id: hubspot, mapping: to-hubspot }
  - { id: brevo, mapping: to-brevo }
`),
  );
  await runTask('hubspot', { store, log });
  await runTask('brevo', { store, log });
  await store.close();
});
after(async () => {
  await Promise.all([hs?.close(), brevo?.close()]);
  await business?.drop();
  await hubDir?.drop();
});

test('an erasure killed with SIGKILL mid-way keeps its audit trail and finishes when run again', async () => {
  // Brevo answers after a long pause: the erasure is surely in the middle when it is killed.
  brevo.setFaults({ latencyMs: 60_000 });
  const child = startJunction(ERASE, env());
  child.stdout?.resume();
  child.stderr?.resume();
  const store = await openHubStore();
  try {
    const started = await eventually(
      'the erasure to record its start',
      async () => (await store.audit.list({ kind: 'erasure' })).find((e) => e.details.phase === 'started'),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    // Let it reach the slow system, then kill the process without a chance to clean up.
    await sleep(1500);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const cut = await store.audit.list({ kind: 'erasure' });
    assert.deepEqual(
      cut.map((e) => e.details.phase),
      ['started'],
      'the attempt is on record, its end is not',
    );

    brevo.setFaults({ latencyMs: 0 });
    const again = await runJunction(ERASE, env());
    assert.equal(again.status, 0, again.stderr);
    const outcome = JSON.parse(again.stdout) as { complete: boolean; actions: { action: string }[] };
    assert.equal(outcome.complete, true, again.stdout);
    assert.ok(
      outcome.actions.every((a) => a.action === 'deleted'),
      again.stdout,
    );

    // Everywhere gone: the business row, the HubSpot contact, the Brevo contact.
    const row = await withBusinessDb(business, (db) =>
      db.selectFrom('people').select('id').where('id', '=', VICTIM).executeTakeFirst(),
    );
    assert.equal(row, undefined);
    assert.equal(
      hs.state.all('contacts').some((c) => c.properties.email === EMAIL),
      false,
    );
    await eventually('the Brevo contact to be gone', () => !brevo.state.all().some((c) => c.email === EMAIL));

    // The trail: the killed attempt, the second attempt and its outcome, all under the same keyed subject.
    const trail = await store.audit.list({ kind: 'erasure' });
    assert.deepEqual(
      trail.map((e) => e.details.phase),
      ['finished', 'started', 'started'],
    );
    assert.ok(trail.every((e) => e.subject === started.subject));
    assert.equal(JSON.stringify(trail).includes(EMAIL), false);
    const links = await store.syncLinks.forSourceRecord('erp', 'people', String(VICTIM));
    assert.deepEqual(
      links.map((l) => l.status),
      ['deleted', 'deleted'],
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await store.close();
  }
});
