/**
 * The chaos scenarios (the short suite in chaos.test.ts, full size in `npm run chaos`). Each ends in one
 * `ChaosResult` counted from HubSpot's side by chaos-hub.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { FAILPOINTS } from '../../src/engine/failpoints.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createTempPostgres } from '../helpers/databases.ts';
import { account, type ChaosResult, createHub, type Hub } from './chaos-hub.ts';

export { type ChaosResult, formatSummary } from './chaos-hub.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const KILL_TASKS = ['people', 'companies'] as const;
type KillTask = (typeof KILL_TASKS)[number];
type Failpoint = (typeof FAILPOINTS)[number];
// `junction run` exit codes of a run that finished: 0 ok, 2 some records failed. Failed records are the
// accounting's business (they show as duplicated, lost or unaccounted), not a reason to stop counting.
const FINISHED: (number | null)[] = [0, 2];

function runCli(hub: Hub, task: KillTask, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', task], {
    env: {
      ...process.env,
      JUNCTION_DATA_DIR: hub.hubDir,
      JUNCTION_SECRET_KEY: hub.key.toString('hex'),
      // The business database lies in the hub's temp folder: the run may read files only from there.
      JUNCTION_FILES_DIR: hub.dir,
      LOG_LEVEL: 'error',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as string | null,
    stderr,
  }));
}

/** Deterministic pseudo-random numbers, so a failing chaos run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One planned kill: the run of `task` dies with SIGKILL when its `page`th page reaches `point`. */
export interface PlannedKill {
  task: KillTask;
  point: Failpoint;
  page: number;
}

/**
 * Kills that all land: tasks alternate, the four failpoints take turns (from a seeded start), and each
 * kill picks a page among the first few that its task still has to do. A kill after the commit of page n
 * leaves n pages done, any other n − 1; the next run of that task resumes there and counts pages from 1.
 * Pages are chosen within a share of what is left, so every later kill still finds its page.
 */
export function planKills(o: {
  kills: number;
  pages: Record<KillTask, number>;
  seed: number;
}): PlannedKill[] {
  const random = rng(o.seed);
  const offset = Math.floor(random() * FAILPOINTS.length);
  const remaining = { ...o.pages };
  const left = { people: 0, companies: 0 };
  const tasks = Array.from({ length: o.kills }, (_, k) => KILL_TASKS[k % KILL_TASKS.length] as KillTask);
  for (const t of tasks) left[t]++;
  return tasks.map((task, k) => {
    const point = FAILPOINTS[(offset + k) % FAILPOINTS.length] as Failpoint;
    const share = Math.floor(remaining[task] / (left[task] + 1));
    if (share < 1) throw new Error(`${o.pages[task]} pages of ${task} are too few for its kills`);
    const page = 1 + Math.floor(random() * Math.min(share, 4));
    remaining[task] -= point === 'after-commit' ? page : page - 1;
    left[task]--;
    return { task, point, page };
  });
}

/** What the kill scenario did, for its assertions. */
export interface KillReport {
  planned: PlannedKill[];
  /** The planned kills whose run really died by SIGKILL. */
  killed: PlannedKill[];
}

/**
 * Kills the run process with SIGKILL at planned points (after read, write, marks or commit of a page) of
 * people → contacts and organisations → companies runs, restarting each time, then lets both finish.
 */
export async function killPointsScenario(o: {
  people: number;
  organisations: number;
  kills: number;
  pageSize?: number;
  seed?: number;
}): Promise<ChaosResult & { kills: KillReport }> {
  const pageSize = o.pageSize ?? 100;
  const hub = await createHub({ people: o.people, organisations: o.organisations, pageSize, latencyMs: 5 });
  const planned = planKills({
    kills: o.kills,
    pages: { people: Math.ceil(o.people / pageSize), companies: Math.ceil(o.organisations / pageSize) },
    seed: o.seed ?? 42,
  });
  try {
    const killed: PlannedKill[] = [];
    for (const kill of planned) {
      const r = await runCli(hub, kill.task, { JUNCTION_FAILPOINT: `${kill.point}:${kill.page}` });
      if (r.signal === 'SIGKILL') killed.push(kill);
      else if (!FINISHED.includes(r.code))
        throw new Error(`${kill.task} run ended with ${r.code}: ${r.stderr.slice(-500)}`);
    }
    const warnings: string[] = [];
    for (const task of KILL_TASKS) {
      const last = await runCli(hub, task);
      if (!FINISHED.includes(last.code))
        throw new Error(`final ${task} run ended with ${last.code}: ${last.stderr.slice(-500)}`);
      if (last.code === 2) warnings.push(`final ${task} run had failed records`);
    }
    const points = [...new Set(killed.map((k) => k.point))].join(', ');
    const pages = [...new Set(killed.map((k) => k.page))].sort((a, b) => a - b).join(', ');
    const result = await account(
      hub,
      `kill -9 at ${planned.length} planned points`,
      [
        `${killed.length} of ${planned.length} runs killed (${points || 'none'}; pages ${pages || '-'})`,
        ...warnings,
      ].join('; '),
    );
    return { ...result, kills: { planned, killed } };
  } finally {
    await hub.close();
  }
}

/** 10 % 5xx, 5 % timeouts, 429 storms and 207 partial failures; then a clean second run. */
export async function faultsScenario(o: { records: number }): Promise<ChaosResult[]> {
  const hub = await createHub({ people: o.records, timeoutMs: 1000 });
  const log = pino({ level: 'silent' });
  // HubSpot refuses these e-mails for good (validation): they must end failed with a reason, not synced.
  const rejects = (email: string) => /^person\.\d*7@/.test(email);
  try {
    hub.hs.setFaults({ errorRate: 0.1, timeoutRate: 0.05, rejectEmails: rejects });
    // 429 storms: on for 300 ms every 2 s.
    const storm = setInterval(() => {
      hub.hs.setFaults({ rateLimitStorm: true });
      setTimeout(() => hub.hs.setFaults({ rateLimitStorm: false }), 300).unref();
    }, 2000);
    const store = await hub.openStore();
    const scope = {
      sourceConnectionId: 'erp',
      sourceObject: 'people',
      targetConnectionId: 'hubspot',
      targetObject: 'contacts',
    };
    try {
      // From the second page on, a storm outlasts every retry: those records must end as "retry".
      let pages = 0;
      const first = await runTask('people', {
        store,
        log,
        hooks: {
          afterCommit: () => {
            if (++pages !== 1) return;
            clearInterval(storm);
            hub.hs.setFaults({ rateLimitStorm: true });
          },
        },
      });
      clearInterval(storm);
      const retryable = await store.syncLinks.count(scope, 'retry');
      if (retryable === 0)
        throw new Error('the storm left nothing to retry: the scenario did not test the second run');
      // After the first run a record not in HubSpot is accounted for only if its link failed with a reason.
      const afterFirst = await account(
        hub,
        'faults: first run',
        `${first.counts.created} created, ${first.counts.failed} failed with a reason (${retryable} retryable)`,
        { failedIsAccounted: true },
      );
      hub.hs.setFaults({ errorRate: 0, timeoutRate: 0, rateLimitStorm: false });
      const second = await runTask('people', { store, log });
      const stillRetry = await store.syncLinks.count(scope, 'retry');
      // After the second run only the e-mails HubSpot refuses on purpose may be missing (failed with a reason).
      const refused = (task: string, _key: string, email: string) => task === 'people' && rejects(email);
      const after = await account(
        hub,
        'faults: second run',
        `${second.counts.created + second.counts.updated} fixed, ${stillRetry} retryable left`,
        { refusedOnPurpose: refused },
      );
      return [afterFirst, { ...after, notes: `${after.notes}, ${after.refused} refused on purpose` }];
    } finally {
      clearInterval(storm);
      await store.close();
    }
  } finally {
    await hub.close();
  }
}

/** The store's PostgreSQL connections are cut twice during a run (as a server restart does). */
export async function storeFaultScenario(o: { records: number }): Promise<ChaosResult> {
  const pgDb = await createTempPostgres('jchaos');
  const hub = await createHub({ people: o.records, storeUrl: pgDb.url, latencyMs: 20 });
  const log = pino({ level: 'silent' });
  const dbName = new URL(pgDb.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: pgDb.url.replace(`/${dbName}`, '/postgres') });
  await admin.connect();
  try {
    const store = await hub.openStore();
    let cuts = 0;
    let pages = 0;
    const cut = async () => {
      const r = await admin.query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [dbName],
      );
      if (r.rows[0].n > 0) cuts++;
    };
    try {
      // Cut every store connection after the 1st and 2nd committed page: the next store call meets a dead socket.
      const run = await runTask('people', {
        store,
        log,
        hooks: { afterCommit: async () => void (++pages <= 2 && (await cut())) },
      });
      if (cuts < 2) throw new Error(`only ${cuts} cuts happened`);
      return await account(hub, 'store connections cut mid-run', `${cuts} cuts; run ${run.status}`);
    } finally {
      await store.close();
    }
  } finally {
    await admin.end();
    await hub.close();
    await pgDb.drop();
  }
}
