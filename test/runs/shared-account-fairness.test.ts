// Two tasks writing to one HubSpot portal, through two connections with the same token: one budget for the
// portal, and the small task's calls get through while an initial sync saturates it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { busiestWindow, logRequests } from '../cli/junction-process.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-one-portal';
const LIMIT = 20; // per 10 s: paced, one grant per 500 ms while both tasks share the portal
const log = pino({ level: 'silent' });

const connection = (id: string, url: string) => `
  - id: ${id}
    name: ${id}
    system: sql
    config: { url: "${url}", pageSize: 250 }`;
const portal = (id: string, url: string) => `
  - id: ${id}
    name: ${id}
    system: hubspot
    config: { baseUrl: "${url}", requestsPer10s: ${LIMIT} }
    secret: { accessToken: "\${TEST_HUBSPOT_TOKEN}" }`;
const mapping = (id: string, source: string, target: string) => `
  - id: ${id}
    name: ${id}
    source: { connectionId: ${source}, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: ${target}, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name }
      - { target: lastname, from: last_name }`;

let big: TempDatabase;
let small: TempDatabase;
let storeDb: TempDatabase;
let store: Store;
let hs: HubSpotEmulator;

before(async () => {
  [big, small, storeDb] = await Promise.all([createTempSqlite(), createTempSqlite(), createTempSqlite()]);
  await createPeopleTable(big, generatePeople(3000));
  await createPeopleTable(
    small,
    generatePeople(3).map((p) => ({ ...p, id: p.id + 100_000, email: `small.${p.id}@example.ch` })),
  );
  hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: LIMIT, intervalMs: 10_000 },
    faults: { latencyMs: 20 },
  });
  const url = await hs.listen();
  store = await openTestStore(storeDb);
  const yaml = `
connections:${connection('erp-big', big.url)}${connection('erp-small', small.url)}${portal('hubspot-import', url)}${portal('hubspot-live', url)}
mappings:${mapping('initial', 'erp-big', 'hubspot-import')}${mapping('changes', 'erp-small', 'hubspot-live')}
tasks:
  - { id: initial-sync, name: Initial sync, mapping: initial, schedule: { everyMinutes: 60 }, mode: incremental }
  - { id: on-change, name: Changes, mapping: changes, schedule: { everyMinutes: 60 }, mode: incremental }
`;
  await applyConfig(store, parseConfigText(yaml, { TEST_HUBSPOT_TOKEN: TOKEN }));
});

after(async () => {
  await store?.close();
  await hs?.close();
  await Promise.all([big?.drop(), small?.drop(), storeDb?.drop()]);
});

test("two connections with one token share the portal's budget, and a small task's run gets through within seconds while an initial sync saturates it", async () => {
  // The change-driven task ran before (its earlier changes): the portal is known to be shared.
  assert.equal((await runTask('on-change', { store, log })).status, 'succeeded');
  await sleep(10_500); // the emulator's window forgets the mapping check's and the first run's calls
  const calls = logRequests(hs);
  let bigDone = false;
  const initial = runTask('initial-sync', { store, log }).finally(() => {
    bigDone = true;
  });
  // The initial sync spends the whole window (20 calls per 10 s) for a while: 3000 people need 30+ calls.
  await sleep(4000);
  await withBusinessDb(small, (db) =>
    db.updateTable('people').set({ first_name: 'Changed', modified_at: new Date().toISOString() }).execute(),
  );
  const t0 = Date.now();
  const change = await runTask('on-change', { store, log });
  const changeSecs = (Date.now() - t0) / 1000;
  assert.equal(bigDone, false, 'the initial sync was still running when the change arrived');
  assert.equal(change.status, 'succeeded');
  assert.equal(change.counts.updated, 3);
  // Behind the initial sync's queue and burst, each of its calls would wait for the window (up to 10 s).
  assert.ok(changeSecs <= 4, `the change-driven run took ${changeSecs} s`);
  const sync = await initial;
  assert.equal(sync.status, 'succeeded');
  assert.equal(
    hs.stats.rateLimited,
    0,
    'the emulator answered 429: the two connections did not share one budget',
  );
  assert.ok(busiestWindow(calls, 10_000) <= LIMIT, `${busiestWindow(calls, 10_000)} calls within 10 s`);
});
