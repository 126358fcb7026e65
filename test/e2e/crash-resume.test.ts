import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { SYNCED_CANTONS, spineConfig } from '../helpers/spine-config.ts';

const TOKEN = 'pat-na1-crash-test';
const KEY = randomBytes(32).toString('hex');
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

let business: Awaited<ReturnType<typeof createTempSqlite>>;
let hubDir: Awaited<ReturnType<typeof createTempSqlite>>;
let hs: HubSpotEmulator;
const people = generatePeople(3000);
const expected = people.filter((p) => p.status === 'active' && SYNCED_CANTONS.has(p.canton));

function openHubStore() {
  return openStore({ dataDir: hubDir.dir, secretBox: createSecretBox(Buffer.from(KEY, 'hex')) });
}

function junction(...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: {
      ...process.env,
      JUNCTION_DATA_DIR: hubDir.dir,
      JUNCTION_SECRET_KEY: KEY,
      // The business database lives in its own temp folder: the run may read files only from there.
      JUNCTION_FILES_DIR: business.dir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

before(async () => {
  business = await createTempSqlite();
  hubDir = await createTempSqlite();
  await createPeopleTable(business, people);
  // Slow answers keep the run going long enough to be killed in the middle.
  hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
    faults: { latencyMs: 40 },
  });
  const hubspotUrl = await hs.listen();
  const store = await openHubStore();
  await applyConfig(
    store,
    parseConfigText(spineConfig({ businessUrl: business.url, hubspotUrl }), { TEST_HUBSPOT_TOKEN: TOKEN }),
  );
  await store.close();
});
after(async () => {
  await hs?.close();
  await business?.drop();
  await hubDir?.drop();
});

test('a run killed with SIGKILL mid-way is closed as failed and the next run finishes it without duplicates', async () => {
  const first = junction('run', 'people-sync');
  first.stderr?.resume();
  first.stdout?.resume();
  await eventually('the first run to make 6 write calls', () => hs.stats.writes >= 6, {
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  first.kill('SIGKILL');
  await once(first, 'exit');
  const partial = hs.state.all('contacts').length;
  assert.ok(
    partial > 0 && partial < expected.length,
    `killed in the middle (${partial} of ${expected.length})`,
  );

  const second = junction('run', 'people-sync');
  let out = '';
  second.stdout?.on('data', (d) => (out += d));
  second.stderr?.resume();
  const [code] = await once(second, 'exit');
  assert.equal(code, 0, out);

  // Duplicates counted from HubSpot's side: the emulator, like HubSpot, refuses a second contact with the
  // same e-mail (409), so a replayed create shows up as a conflict answered, not as a second record.
  assert.equal(hs.stats.conflicts, 0, 'no create was answered with a conflict');
  const contacts = hs.state.all('contacts');
  const created = [...contacts, ...hs.state.all('contacts', true)];
  assert.equal(created.length, contacts.length, 'no contact was created and archived again');
  const emails = contacts.map((c) => c.properties.email);
  assert.equal(new Set(emails).size, emails.length, 'no duplicate contacts');
  assert.deepEqual(
    new Set(emails),
    new Set(expected.map((p) => p.email.trim().toLowerCase())),
    'no missing contact',
  );

  const store = await openHubStore();
  try {
    const executions = await store.executions.list({ taskId: 'people-sync' });
    assert.equal(executions.length, 2);
    const [resumed, killed] = executions as [(typeof executions)[0], (typeof executions)[0]];
    assert.equal(killed.status, 'failed');
    assert.equal(killed.error?.code, 'crashed');
    assert.equal(resumed.status, 'succeeded');
    assert.equal(resumed.resumedFrom, killed.id);
    assert.ok(killed.counts.read < expected.length, 'the resumed run did not start over');
    assert.equal(executions.filter((e) => e.status === 'running').length, 0);
  } finally {
    await store.close();
  }
  const unmarked = await withBusinessDb(business, (db) =>
    db
      .selectFrom('people')
      .select('id')
      .where('status', '=', 'active')
      .where('canton', 'in', [...SYNCED_CANTONS])
      .where('hubspot_id', 'is', null)
      .execute(),
  );
  assert.deepEqual(unmarked, [], 'every synced row carries its HubSpot id');
});
