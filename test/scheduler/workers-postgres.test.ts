import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Execution } from '../../src/core/types.ts';
import { enqueueRun, openBoss } from '../../src/runs/queue.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { FLEET_TASKS, fleetConfig } from './fleet-config.ts';

const TOKEN = 'pat-na1-fleet-test';
const KEY = randomBytes(32).toString('hex');
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const LIMIT = 16; // calls per 10 s, for the emulator and the connection alike

let business: TempDatabase;
let storeDb: TempDatabase;
let store: Store;
let hs: HubSpotEmulator;
const workers: ChildProcess[] = [];
const people = generatePeople(1600);
const expected = people.filter((p) => p.status === 'active');

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: storeDb.url,
      JUNCTION_SECRET_KEY: KEY,
      LOG_LEVEL: 'warn',
      JUNCTION_SCHEDULER_TICK_MS: '300',
      JUNCTION_WORKER_POLL_MS: '200',
      JUNCTION_RETRY_DELAY_SECONDS: '1',
      JUNCTION_RUN_LEASE_MS: '30000',
      JUNCTION_WORKER_CONCURRENCY: '2',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  workers.push(child);
  return child;
}

async function jobRows(): Promise<
  { id: string; name: string; state: string; output: { executionId?: string; status?: string } | null }[]
> {
  const c = new pg.Client({ connectionString: storeDb.url });
  await c.connect();
  try {
    const { rows } = await c.query(
      "SELECT id, name, state::text AS state, output FROM pgboss.job WHERE name LIKE 'junction-run-%'",
    );
    return rows;
  } finally {
    await c.end();
  }
}

before(async () => {
  [business, storeDb] = await Promise.all([createTempPostgres('jbiz'), createTempPostgres('jstore')]);
  await createPeopleTable(business, people);
  hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: LIMIT, intervalMs: 10_000 },
    faults: { latencyMs: 30 },
  });
  const hubspotUrl = await hs.listen();
  store = await openStore({ databaseUrl: storeDb.url, secretBox: createSecretBox(Buffer.from(KEY, 'hex')) });
  const config = fleetConfig({ businessUrl: business.url, hubspotUrl, requestsPer10s: LIMIT, pageSize: 40 });
  await applyConfig(store, parseConfigText(config, { TEST_HUBSPOT_TOKEN: TOKEN }));
  // The mapping check asked HubSpot for its properties (outside the runs' shared budget): let the
  // emulator's 10 s window forget those calls, so the test counts the runs' calls alone.
  await new Promise((r) => setTimeout(r, 10_500));
});

after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await store?.close();
  await hs?.close();
  await business?.drop();
  await storeDb?.drop();
});

test('3 workers run 12 queued runs of 4 tasks exactly once each, surviving a SIGKILLed worker', async () => {
  const boss = await openBoss(storeDb.url, { supervise: false });
  try {
    for (let round = 0; round < 3; round++) {
      for (const t of FLEET_TASKS) await enqueueRun(boss, t.id, { trigger: 'manual', coalesce: false });
    }
  } finally {
    await boss.stop({ graceful: false, close: true, wait: true });
  }
  const pool = [startWorker(), startWorker(), startWorker()];

  // Kill a worker while it holds a run that has already written part of its contacts.
  const victim = await eventually(
    'a worker caught mid-run',
    async (): Promise<ChildProcess | undefined> => {
      if (hs.stats.writes < 4) return undefined;
      const running = await store.executions.list({ status: 'running' });
      // Past its first committed page, so the run has a checkpoint to resume from.
      for (const e of running.filter((r) => r.counts.read > 0)) {
        const owner =
          (await store.db.selectFrom('executions').select('owner').where('id', '=', e.id).executeTakeFirst())
            ?.owner ?? '';
        const pid = Number(owner.slice(owner.lastIndexOf(':') + 1));
        const worker = pool.find((w) => w.pid === pid);
        if (worker) return worker;
      }
      return undefined;
    },
    { timeoutMs: 45_000, intervalMs: 100 },
  );
  victim.kill('SIGKILL');
  await once(victim, 'exit');

  let jobs = await jobRows();
  // A timeout here is not the failure to report: the assertions below name the jobs that did not complete.
  await eventually(
    'every job completed',
    async () => {
      jobs = await jobRows();
      return jobs.every((j) => j.state === 'completed');
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  ).catch(() => undefined);
  assert.equal(jobs.length, 12);
  assert.deepEqual(
    jobs.filter((j) => j.state !== 'completed').map((j) => `${j.name}:${j.state}`),
    [],
    'every queued run finished',
  );

  const executions: Execution[] = [];
  for (const t of FLEET_TASKS)
    executions.push(...(await store.executions.list({ taskId: t.id, limit: 100 })));
  const byId = new Map(executions.map((e) => [e.id, e]));
  const outputs = jobs.map((j) => j.output?.executionId ?? '');
  assert.equal(new Set(outputs).size, 12, 'each job reports its own execution');
  for (const id of outputs) assert.equal(byId.get(id)?.status, 'succeeded', `execution ${id} succeeded`);
  assert.equal(
    executions.filter((e) => e.status === 'succeeded').length,
    12,
    'exactly one successful execution per run',
  );
  const crashed = executions.filter((e) => e.error?.code === 'crashed');
  assert.ok(crashed.length >= 1, 'the killed run was closed as crashed');
  assert.equal(crashed.length + 12, executions.length, 'no other executions');
  const checkpointed = crashed.filter((c) => c.counts.read > 0);
  assert.ok(checkpointed.length >= 1, 'a run was killed after a committed page');
  for (const c of checkpointed)
    assert.ok(
      executions.some((e) => e.resumedFrom === c.id),
      `crashed run ${c.id} was resumed from its checkpoint`,
    );

  for (const t of FLEET_TASKS) {
    const runs = executions
      .filter((e) => e.taskId === t.id)
      .sort((a, b) => Number(a.startedAt) - Number(b.startedAt));
    for (let i = 1; i < runs.length; i++) {
      const prev = runs[i - 1] as Execution;
      const cur = runs[i] as Execution;
      assert.ok(
        prev.finishedAt && cur.startedAt && cur.startedAt >= prev.finishedAt,
        `${t.id}: run ${i} started after run ${i - 1} ended`,
      );
    }
  }

  const emails = hs.state.all('contacts').map((c) => c.properties.email);
  assert.equal(new Set(emails).size, emails.length, 'no duplicate contacts');
  assert.equal(emails.length, expected.length, 'every active person became a contact');
  assert.equal(
    hs.stats.rateLimited,
    0,
    'the shared rate limit held across the workers: HubSpot never answered 429',
  );
  assert.ok(
    hs.stats.writes > LIMIT,
    'the runs needed more calls than one window allows, so the limit was tested',
  );

  for (const w of pool) if (w !== victim) w.kill('SIGTERM');
  await Promise.all(
    pool.filter((w) => w !== victim).map((w) => (w.exitCode === null ? once(w, 'exit') : null)),
  );
});
