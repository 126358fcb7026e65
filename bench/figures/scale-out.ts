import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { enqueueRun, openBoss } from '../../src/runs/queue.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { createTempPostgres } from '../../test/helpers/databases.ts';
import { eventually } from '../../test/helpers/eventually.ts';
import { createPeopleDb, TOKEN } from '../fixtures.ts';
import type { Figure } from '../report.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const TASKS = 4;

/** 4 independent tasks (each its own business table and HubSpot portal), run by `workers` worker processes. */
async function timeFleet(workers: number, people: number, max: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-fleet-'));
  const storeDb = await createTempPostgres('jbench');
  const key = randomBytes(32);
  const portals: HubSpotEmulator[] = [];
  const procs: ChildProcess[] = [];
  try {
    const connections: string[] = [];
    const rest: string[] = [];
    for (let t = 1; t <= TASKS; t++) {
      const file = join(dir, `business-${t}.db`);
      createPeopleDb(file, people);
      const hs = createHubSpotEmulator({ tokens: [TOKEN], rateLimit: { max, intervalMs: 10_000 } });
      portals.push(hs);
      const url = await hs.listen();
      connections.push(
        `  - { id: erp${t}, system: sql, config: { url: "sqlite:${file}", pageSize: 500 } }`,
        `  - { id: hs${t}, system: hubspot, config: { baseUrl: "${url}", requestsPer10s: ${max} }, secret: { accessToken: "${TOKEN}" } }`,
      );
      rest.push(
        `  - { id: m${t}, name: m${t}, source: { connectionId: erp${t}, object: people, key: id }, target: { connectionId: hs${t}, object: contacts }, matchKey: { target: email }, fields: [{ target: email, from: email }, { target: firstname, from: first_name }] }`,
      );
    }
    const tasks = Array.from({ length: TASKS }, (_, i) => `  - { id: t${i + 1}, mapping: m${i + 1} }`);
    const store = await openStore({ databaseUrl: storeDb.url, secretBox: createSecretBox(key) });
    await applyConfig(
      store,
      parseConfigText(
        `connections:\n${connections.join('\n')}\nmappings:\n${rest.join('\n')}\ntasks:\n${tasks.join('\n')}\n`,
      ),
    );
    const boss = await openBoss(storeDb.url, { supervise: false });
    for (let w = 0; w < workers; w++) {
      const p = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker'], {
        env: {
          ...process.env,
          DATABASE_URL: storeDb.url,
          JUNCTION_SECRET_KEY: key.toString('hex'),
          // The business databases lie in the fleet's temp folder: workers may read files only from there.
          JUNCTION_FILES_DIR: dir,
          LOG_LEVEL: 'warn',
          JUNCTION_WORKER_CONCURRENCY: '1',
          JUNCTION_WORKER_POLL_MS: '100',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      procs.push(p);
    }
    await sleep(3000); // workers up and polling
    const t0 = performance.now();
    for (let t = 1; t <= TASKS; t++) await enqueueRun(boss, `t${t}`, { trigger: 'manual' });
    await boss.stop({ graceful: false, close: true, wait: true });
    await eventually(
      `${TASKS} runs succeeded`,
      async () =>
        (await store.executions.list({ limit: 100 })).filter((e) => e.status === 'succeeded').length >= TASKS,
      { timeoutMs: 15 * 60_000, intervalMs: 100 },
    );
    const secs = (performance.now() - t0) / 1000;
    await store.close();
    return secs;
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(
      procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))),
    );
    await Promise.all(portals.map((p) => p.close()));
    await storeDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Figure 7: the same 4 rate-limited tasks with 1 worker and with 4 workers (PostgreSQL + pg-boss). */
export async function scaleOutFigure(o: { people: number; max: number }): Promise<Figure[]> {
  const one = await timeFleet(1, o.people, o.max);
  const four = await timeFleet(4, o.people, o.max);
  return [
    {
      name: 'scale_out_speedup_4_workers',
      value: +(one / four).toFixed(2),
      goal: '>= 3',
      ok: one / four >= 3,
      detail: `4 tasks × ${o.people} people, each portal ${o.max} req/10 s: 1 worker ${one.toFixed(1)} s, 4 workers ${four.toFixed(1)} s`,
    },
  ];
}
