import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Execution } from '../../src/core/types.ts';
import { enqueueRun, openBoss } from '../../src/runs/queue.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import {
  busiestWindow,
  type LoggedRequest,
  logRequests,
  runJunction,
  startJunction,
} from '../cli/junction-process.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { fleetConfig } from '../scheduler/fleet-config.ts';

const TOKEN = 'pat-na1-shared-budget';
const KEY = randomBytes(32).toString('hex');
/** The connection's budget: calls per 10 s (HubSpot's rolling window), for the emulator and the connection alike. */
const LIMIT = 6;
const WINDOW_MS = 10_000;
/** Run by `junction run` in its own process. */
const CLI_TASK = 'sync-zh-be';
/** Run by a `junction worker` process, queued. */
const WORKER_TASK = 'sync-lu-bs';

let business: TempDatabase;
let storeDb: TempDatabase;
let store: Store;
let hs: HubSpotEmulator;
let requests: LoggedRequest[];
let data: string;
let worker: ChildProcess | undefined;
let workerLog = '';
// 120 people: 24 active ones per task, synced 3 a page (one HubSpot call each), so each run needs several windows of the budget.
const people = generatePeople(120);

const env = (): NodeJS.ProcessEnv => ({
  DATABASE_URL: storeDb.url,
  JUNCTION_SECRET_KEY: KEY,
  JUNCTION_DATA_DIR: data,
  LOG_LEVEL: 'info',
  JUNCTION_SCHEDULER_TICK_MS: '300',
  JUNCTION_WORKER_POLL_MS: '100',
});

before(async () => {
  [business, storeDb] = await Promise.all([createTempPostgres('jbiz'), createTempPostgres('jstore')]);
  await createPeopleTable(business, people);
  hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: LIMIT, intervalMs: WINDOW_MS },
    faults: { latencyMs: 20 },
  });
  requests = logRequests(hs);
  const hubspotUrl = await hs.listen();
  data = mkdtempSync(join(tmpdir(), 'junction-shared-budget-'));
  store = await openStore({ databaseUrl: storeDb.url, secretBox: createSecretBox(Buffer.from(KEY, 'hex')) });
  const config = fleetConfig({ businessUrl: business.url, hubspotUrl, requestsPer10s: LIMIT, pageSize: 3 });
  await applyConfig(store, parseConfigText(config, { TEST_HUBSPOT_TOKEN: TOKEN }));
  // The mapping check asked HubSpot for its properties (outside the runs' shared budget): let the
  // emulator's 10 s window forget those calls, so the test counts the runs' calls alone.
  await new Promise((r) => setTimeout(r, 10_500));
  requests.length = 0;
});

after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await store?.close();
  await hs?.close();
  await business?.drop();
  await storeDb?.drop();
  if (data) rmSync(data, { recursive: true, force: true });
});

test('on PostgreSQL, `junction run` and a worker run on one HubSpot connection share its budget: no window of the emulator sees more than the limit, and both runs succeed', async () => {
  worker = startJunction(['worker'], env());
  worker.stderr?.setEncoding('utf8').on('data', (d: string) => {
    workerLog += d;
  });
  worker.stdout?.resume();
  await eventually('the worker started', () => workerLog.includes('worker started'), { timeoutMs: 30_000 });

  let cliEnded = false;
  const running = runJunction(['run', CLI_TASK, '--json'], env()).finally(() => {
    cliEnded = true;
  });
  // The terminal's run is spending the budget when the worker takes the queued run beside it.
  await eventually(
    'the run of `junction run` is under way',
    async () => cliEnded || (await store.executions.list({ taskId: CLI_TASK, status: 'running' })).length > 0,
    { timeoutMs: 45_000, intervalMs: 50 },
  );
  if (cliEnded) {
    const early = await running;
    assert.fail(`junction run ended before the worker's run began: ${early.status}\n${early.stderr}`);
  }
  const boss = await openBoss(storeDb.url, { supervise: false });
  try {
    await enqueueRun(boss, WORKER_TASK, { trigger: 'manual' });
  } finally {
    await boss.stop({ graceful: false, close: true, wait: true });
  }
  const cli = await running;
  const report = JSON.parse(cli.stdout || '{}') as { executionId: string; status: string };
  const workerRun = await eventually(
    "the worker's run finished",
    async () => {
      const [e] = await store.executions.list({ taskId: WORKER_TASK, limit: 1 });
      return e?.finishedAt ? e : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 100 },
  );

  // The emulator's own log: arrival times of every request, refused ones included.
  assert.ok(
    requests.length > 2 * LIMIT,
    `the runs needed more than two windows of calls (${requests.length})`,
  );
  const busiest = busiestWindow(requests, WINDOW_MS);
  assert.ok(busiest <= LIMIT, `at most ${LIMIT} calls in any ${WINDOW_MS} ms window, saw ${busiest}`);
  assert.equal(hs.stats.rateLimited, 0, 'HubSpot never answered 429');

  assert.equal(cli.status, 0, `junction run succeeded (stderr: ${cli.stderr})`);
  assert.equal(report.status, 'succeeded');
  assert.equal(
    workerRun.status,
    'succeeded',
    `the worker's run succeeded (${JSON.stringify(workerRun.error)})`,
  );
  const cliRun: Execution = await store.executions.get(report.executionId);
  assert.equal(cliRun.trigger, 'cli');

  // The two runs were on the connection at the same time.
  const start = (e: Execution) => e.startedAt?.getTime() ?? 0;
  const end = (e: Execution) => e.finishedAt?.getTime() ?? 0;
  const overlapFrom = Math.max(start(cliRun), start(workerRun));
  const overlapTo = Math.min(end(cliRun), end(workerRun));
  assert.ok(overlapTo > overlapFrom, 'the runs overlapped');
  assert.ok(
    requests.filter((r) => r.at >= overlapFrom && r.at <= overlapTo).length > 0,
    'HubSpot was called while both ran',
  );

  const emails = hs.state.all('contacts').map((c) => c.properties.email);
  const expected = people.filter(
    (p) => p.status === 'active' && ['ZH', 'BE', 'LU', 'BS'].includes(p.canton),
  ).length;
  assert.equal(emails.length, expected, 'both tasks wrote all their contacts');
  assert.equal(new Set(emails).size, emails.length, 'no duplicates');

  worker.kill('SIGTERM');
  await once(worker, 'exit');
});
