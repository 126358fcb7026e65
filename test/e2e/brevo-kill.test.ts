import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';

const API_KEY = 'xkeysib-kill-test';
const KEY = randomBytes(32).toString('hex');
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const N = 1500;

let business: Awaited<ReturnType<typeof createTempSqlite>>;
let hubDir: Awaited<ReturnType<typeof createTempSqlite>>;
let brevo: BrevoEmulator;

const openHubStore = () =>
  openStore({ dataDir: hubDir.dir, secretBox: createSecretBox(Buffer.from(KEY, 'hex')) });

function junction(...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: {
      ...process.env,
      JUNCTION_DATA_DIR: hubDir.dir,
      JUNCTION_SECRET_KEY: KEY,
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
  await createPeopleTable(business, generatePeople(N));
  brevo = createBrevoEmulator({
    apiKeys: [API_KEY],
    rateLimit: { max: Number.POSITIVE_INFINITY },
    importTiming: { queuedMs: 20, processMs: 50, perRowMs: 0 },
  });
  brevo.state.createList('Newsletter');
  const store = await openHubStore();
  await applyConfig(
    store,
    parseConfigText(`
connections:
  - { id: erp, system: sql, config: { url: "${business.url}", pageSize: 500 } }
  - { id: brevo, system: brevo, config: { baseUrl: "${await brevo.listen()}/v3", requestsPerSecond: 1000 }, secret: { apiKey: ${API_KEY} } }
mappings:
  - id: newsletter
    name: People → Brevo newsletter
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: brevo, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: attributes.FIRSTNAME, from: first_name }
      - { target: listIds, value: 1 }
    writeBack: { externalId: hubspot_id, lastSync: sync_last, status: sync_status }
tasks:
  - { id: newsletter, mapping: newsletter }
`),
  );
  await store.close();
});
after(async () => {
  await brevo?.close();
  await business?.drop();
  await hubDir?.drop();
});

test('kill -9 while Brevo runs an import: the next run picks the process up — no second import, no duplicate, nobody lost', async () => {
  // The first page's import is held in process; the run is killed while it waits on it.
  brevo.imports.hold();
  const first = junction('run', 'newsletter');
  first.stdout?.resume();
  first.stderr?.resume();
  await eventually('the import in process', () => brevo.imports.list()[0]?.status === 'in_process', {
    timeoutMs: 60_000,
  });
  const store = await openHubStore();
  try {
    await eventually(
      'its process id journalled',
      async () => (await store.writeJournal.keys('newsletter')).length === 1,
    );
  } finally {
    await store.close();
  }
  first.kill('SIGKILL');
  await once(first, 'exit');
  assert.equal(brevo.state.all().length, 0, 'Brevo has not finished the import');

  brevo.imports.release();
  const second = junction('run', 'newsletter');
  let out = '';
  second.stdout?.on('data', (d) => (out += d));
  second.stderr?.on('data', (d) => (out += d));
  const [code] = await once(second, 'exit');
  assert.equal(code, 0, out);

  assert.equal(brevo.imports.list().length, 3, 'three pages, three imports: the killed one was picked up');
  const emails = brevo.state.all().map((c) => c.email);
  assert.equal(emails.length, N, 'nobody lost');
  assert.equal(new Set(emails).size, N, 'nobody twice');
  const unmarked = await withBusinessDb(business, (db) =>
    db.selectFrom('people').select('id').where('hubspot_id', 'is', null).execute(),
  );
  assert.deepEqual(unmarked, [], 'every row carries its Brevo id');
});
