import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { benchConfig, createPeopleDb } from '../../bench/fixtures.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { FAILPOINTS } from '../../src/engine/failpoints.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTempPostgres } from '../helpers/databases.ts';

const TOKEN = 'pat-bench';
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

/** One line of the chaos summary: everything but `records` must be 0. */
export interface ChaosResult {
  scenario: string;
  records: number;
  lost: number;
  duplicated: number;
  stuck: number;
  /** Records that ended neither synced nor failed with a reason. */
  unaccounted: number;
  notes: string;
}

interface Hub {
  dir: string;
  businessFile: string;
  hubDir: string;
  key: Buffer;
  hs: HubSpotEmulator;
  hubspotUrl: string;
  openStore(): Promise<Store>;
  close(): Promise<void>;
}

async function createHub(
  records: number,
  o: { storeUrl?: string; latencyMs?: number; timeoutMs?: number } = {},
): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-chaos-'));
  const businessFile = join(dir, 'business.db');
  createPeopleDb(businessFile, records);
  const hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
    faults: { latencyMs: o.latencyMs ?? 0, timeoutMs: 3000, seed: 7 },
  });
  const hubspotUrl = await hs.listen();
  const key = randomBytes(32);
  const hubDir = join(dir, 'hub');
  const open = () => openStore({ dataDir: hubDir, databaseUrl: o.storeUrl, secretBox: createSecretBox(key) });
  const store = await open();
  let config = benchConfig(`sqlite:${businessFile}`, hubspotUrl, 1_000_000);
  if (o.timeoutMs) config = config.replace('concurrency: 8 }', `concurrency: 8, timeoutMs: ${o.timeoutMs} }`);
  await applyConfig(store, parseConfigText(config));
  await store.close();
  return {
    dir,
    businessFile,
    hubDir,
    key,
    hs,
    hubspotUrl,
    openStore: open,
    async close() {
      await hs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Compares the emulator with the business system and the store's executions. */
async function account(hub: Hub, records: number, scenario: string, notes: string): Promise<ChaosResult> {
  const contacts = hub.hs.state.all('contacts');
  const emails = new Map<string, number>();
  for (const c of contacts)
    emails.set(String(c.properties.email), (emails.get(String(c.properties.email)) ?? 0) + 1);
  let lost = 0;
  for (let i = 1; i <= records; i++) if (!emails.has(`person.${i}@example.ch`)) lost++;
  const duplicated =
    [...emails.values()].reduce((n, k) => n + (k - 1), 0) +
    [...emails.keys()].filter((e) => !/^person\.\d+@example\.ch$/.test(e)).length;
  const store = await hub.openStore();
  try {
    const stuck = (await store.executions.list({ taskId: 'people', status: 'running', limit: 1000 })).length;
    const scope = {
      sourceConnectionId: 'erp',
      sourceObject: 'people',
      targetConnectionId: 'hubspot',
      targetObject: 'contacts',
    };
    const accounted =
      (await store.syncLinks.count(scope, 'ok')) +
      (await store.syncLinks.count(scope, 'failed')) +
      (await store.syncLinks.count(scope, 'retry'));
    return { scenario, records, lost, duplicated, stuck, unaccounted: records - accounted, notes };
  } finally {
    await store.close();
  }
}

function runCli(hub: Hub, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', 'people'], {
    env: {
      ...process.env,
      JUNCTION_DATA_DIR: hub.hubDir,
      JUNCTION_SECRET_KEY: hub.key.toString('hex'),
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

/**
 * Kills the run process with SIGKILL at `kills` random points (after read, write, marks or commit of a
 * random page), restarting it each time, then lets it finish.
 */
export async function killPointsScenario(o: {
  records: number;
  kills: number;
  seed?: number;
}): Promise<ChaosResult> {
  const hub = await createHub(o.records, { latencyMs: 5 });
  const random = rng(o.seed ?? 42);
  const pages = Math.ceil(o.records / 1000);
  try {
    let killed = 0;
    for (let k = 0; k < o.kills; k++) {
      const point = FAILPOINTS[Math.floor(random() * FAILPOINTS.length)];
      // Early pages, so the kill lands before a resumed run has read to the end.
      const nth = 1 + Math.floor(random() * Math.max(1, Math.ceil(pages / 4)));
      const r = await runCli(hub, { JUNCTION_FAILPOINT: `${point}:${nth}` });
      if (r.signal === 'SIGKILL') killed++;
      else if (r.code !== 0) throw new Error(`run ended with ${r.code}: ${r.stderr.slice(-500)}`);
    }
    const last = await runCli(hub);
    if (last.code !== 0) throw new Error(`final run ended with ${last.code}: ${last.stderr.slice(-500)}`);
    return await account(
      hub,
      o.records,
      `kill -9 at ${o.kills} random points`,
      `${killed} runs killed mid-way`,
    );
  } finally {
    await hub.close();
  }
}

/** 10 % 5xx, 5 % timeouts, 429 storms and 207 partial failures; then a clean second run. */
export async function faultsScenario(o: { records: number }): Promise<ChaosResult[]> {
  const hub = await createHub(o.records, { timeoutMs: 1000 });
  const log = pino({ level: 'silent' });
  try {
    hub.hs.setFaults({
      errorRate: 0.1,
      timeoutRate: 0.05,
      rejectEmails: (email) => /^person\.\d*7@/.test(email),
    });
    // 429 storms: on for 300 ms every 2 s.
    const storm = setInterval(() => {
      hub.hs.setFaults({ rateLimitStorm: true });
      setTimeout(() => hub.hs.setFaults({ rateLimitStorm: false }), 300).unref();
    }, 2000);
    const store = await hub.openStore();
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
      const scope0 = {
        sourceConnectionId: 'erp',
        sourceObject: 'people',
        targetConnectionId: 'hubspot',
        targetObject: 'contacts',
      };
      const retryable = await store.syncLinks.count(scope0, 'retry');
      const afterFirst = await account(
        hub,
        o.records,
        'faults: first run',
        `${first.counts.created} created, ${first.counts.failed} failed with a reason (${retryable} retryable)`,
      );
      let rejected = 0;
      for (let i = 1; i <= o.records; i++) if (/7$/.test(String(i))) rejected++;
      hub.hs.setFaults({ errorRate: 0, timeoutRate: 0, rateLimitStorm: false });
      const second = await runTask('people', { store, log });
      const scope = {
        sourceConnectionId: 'erp',
        sourceObject: 'people',
        targetConnectionId: 'hubspot',
        targetObject: 'contacts',
      };
      const stillRetry = await store.syncLinks.count(scope, 'retry');
      const after = await account(
        hub,
        o.records,
        'faults: second run',
        `${second.counts.created + second.counts.updated} fixed, ${stillRetry} retryable left, ${rejected} rejected by validation`,
      );
      // Records the emulator rejects on purpose are not "lost": they failed with a reason.
      if (retryable === 0)
        throw new Error('the storm left nothing to retry: the scenario did not test the second run');
      return [
        { ...afterFirst, lost: 0 },
        { ...after, lost: Math.max(0, after.lost - rejected) + stillRetry },
      ];
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
  const hub = await createHub(o.records, { storeUrl: pgDb.url, latencyMs: 20 });
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
      const result = await account(
        hub,
        o.records,
        'store connections cut mid-run',
        `${cuts} cuts; run ${run.status}`,
      );
      return result;
    } finally {
      await store.close();
    }
  } finally {
    await admin.end();
    await hub.close();
    await pgDb.drop();
  }
}

/** The summary table of the chaos suite. */
export function formatSummary(results: ChaosResult[]): string {
  const head = ['scenario', 'records', 'lost', 'duplicated', 'stuck', 'unaccounted', 'notes'];
  const rows = results.map((r) =>
    [r.scenario, r.records, r.lost, r.duplicated, r.stuck, r.unaccounted, r.notes].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
