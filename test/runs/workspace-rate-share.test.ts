// Two workspaces' tasks writing to one HubSpot portal, each through its own connection with the same token:
// one budget for the portal, handed out by the workspaces' shares of it (70 % and 30 %).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-shared-portal';
const LIMIT = 100; // per 10 s: paced at 10 grants a second while both workspaces draw
const log = pino({ level: 'silent' });

/** A workspace's own business database and HubSpot connection (the same portal and token), mapping and task. */
const workspaceConfig = (w: string, businessUrl: string, hubspotUrl: string) => `
connections:
  - { id: erp-${w}, name: erp-${w}, system: sql, config: { url: "${businessUrl}", pageSize: 5 } }
  - id: hubspot-${w}
    name: hubspot-${w}
    system: hubspot
    config: { baseUrl: "${hubspotUrl}", requestsPer10s: ${LIMIT} }
    secret: { accessToken: "\${TEST_HUBSPOT_TOKEN}" }
mappings:
  - id: people-${w}
    name: people-${w}
    source: { connectionId: erp-${w}, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot-${w}, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name }
tasks:
  - { id: sync-${w}, name: Sync ${w}, mapping: people-${w}, schedule: { everyMinutes: 60 }, mode: incremental }
`;

let erpA: TempDatabase;
let erpB: TempDatabase;
let storeDb: TempDatabase;
let store: Store;
let hs: HubSpotEmulator;

before(async () => {
  [erpA, erpB, storeDb] = await Promise.all([createTempSqlite(), createTempSqlite(), createTempSqlite()]);
  // Page by page (5 people a page), each initial sync needs hundreds of calls: both draw all the time.
  await createPeopleTable(erpA, generatePeople(1500));
  await createPeopleTable(
    erpB,
    generatePeople(1500).map((p) => ({ ...p, id: p.id + 100_000, email: `b.${p.id}@example.ch` })),
  );
  hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: LIMIT, intervalMs: 10_000 },
    faults: { latencyMs: 20 },
  });
  const url = await hs.listen();
  store = await openTestStore(storeDb);
  await store.workspaces.save({ id: 'alpha', name: 'Alpha', limits: { rateShare: 70 } });
  await store.workspaces.save({ id: 'beta', name: 'Beta', limits: { rateShare: 30 } });
  for (const [w, erp] of [
    ['alpha', erpA],
    ['beta', erpB],
  ] as const)
    await applyConfig(
      store.inWorkspace(w),
      parseConfigText(workspaceConfig(w, erp.url, url), { TEST_HUBSPOT_TOKEN: TOKEN }),
    );
});

after(async () => {
  await store?.close();
  await hs?.close();
  await Promise.all([erpA?.drop(), erpB?.drop(), storeDb?.drop()]);
});

test("two workspaces' runs on one HubSpot portal get its budget by their shares (70 % and 30 %), never beyond the portal's limit", async (t) => {
  await sleep(10_500); // the emulator's window forgets the mapping checks' calls
  const calls: { at: number; connectionId: string }[] = [];
  const onCall = ({ connectionId }: { connectionId: string }) => {
    calls.push({ at: Date.now(), connectionId });
  };
  const stop = new AbortController();
  const runs = ['sync-alpha', 'sync-beta'].map((id) =>
    runTask(id, { store, log, onCall, signal: stop.signal }),
  );
  await sleep(3000); // past the first window, which the first run may take in a burst
  const from = Date.now();
  await sleep(8000);
  const to = Date.now();
  stop.abort();
  const ended = await Promise.all(runs.map((r) => r.catch((e: unknown) => e)));
  const count = (connectionId: string) =>
    calls.filter((c) => c.connectionId === connectionId && c.at >= from && c.at < to).length;
  const [alpha, beta] = [count('hubspot-alpha'), count('hubspot-beta')];
  const shareOfAlpha = alpha / (alpha + beta);
  t.diagnostic(`alpha ${alpha}, beta ${beta} calls (${(shareOfAlpha * 100).toFixed(0)} %)`);
  for (const e of ended)
    assert.ok(
      !(e instanceof Error) && (e as { status: string }).status !== 'succeeded',
      `both runs were still drawing when stopped (${JSON.stringify(e)})`,
    );
  assert.ok(alpha + beta >= 40, `the portal's budget was used (${alpha + beta} calls in 8 s at 10 a second)`);
  // Served in turn (weights ignored), each would get half.
  assert.ok(shareOfAlpha > 0.6 && shareOfAlpha < 0.8, `alpha made ${alpha} calls and beta ${beta}`);
  assert.equal(hs.stats.rateLimited, 0, 'the emulator never answered 429: one budget for the portal');
});
