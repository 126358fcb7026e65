import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import { WorkspaceBusyError } from '../../src/core/workspaces.ts';
import { startQueueWorker } from '../../src/runs/queue-worker.ts';
import { createRunService, type RunService } from '../../src/runs/run-service.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG, fakeConnectors } from '../scheduler/fake-connectors.ts';

const task = (id: string): Task => ({
  id,
  name: id,
  mappingId: 'm',
  schedule: null,
  enabled: true,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: {},
});

/** The run jobs of the store's queues as pg-boss keeps them. */
async function jobs(url: string): Promise<{ name: string; state: string; retry_count: number }[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      "SELECT name, state::text AS state, retry_count FROM pgboss.job WHERE name LIKE 'junction-run-%' ORDER BY created_on",
    );
    return rows;
  } finally {
    await c.end();
  }
}

describe("queued runs and a workspace's concurrent-run limit (PostgreSQL, pg-boss)", () => {
  let db: TempDatabase;
  let store: Store;
  let runs: RunService;
  const logged: { level: number; msg: string }[] = [];
  const log = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        logged.push(JSON.parse(line));
      },
    },
  );

  before(async () => {
    db = await createTempPostgres('jwsq');
    store = await openTestStore(db);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    for (const id of ['q-long', 'q-short', 'q-third']) await store.tasks.save(task(id));
    runs = await createRunService({
      store,
      log,
      queueUrl: db.url,
      superviseQueue: false,
      // A refused job comes back after 1 s; pg-boss's own retries (3) would be spent within ~3 s.
      config: { retryDelaySeconds: 1, pollMs: 100 },
      // A run reads 5 pages, one a second: longer than a failed job's 3 retries take.
      runOptions: { connectorFactory: fakeConnectors({ records: 50, pageDelayMs: 1000 }) },
    });
  });
  after(async () => {
    await runs?.stop();
    await store?.close();
    await db?.drop();
  });

  test('a queued "run now" counts from when it is admitted: a second task is refused 409 workspace_busy before any worker took the first; the same task joins its waiting run', async () => {
    const first = await runs.runNow('q-long');
    assert.equal(first.queued, true);
    await assert.rejects(runs.runNow('q-short'), (err: unknown) => {
      assert.ok(err instanceof WorkspaceBusyError, String(err));
      assert.deepEqual(err.details, { workspaceId: 'default', active: 1, max: 1 });
      return true;
    });
    // Asking again for the waiting task is no second run: it joins the one queued.
    assert.deepEqual(await runs.runNow('q-long'), { executionId: null, queued: true });
    assert.deepEqual(
      (await jobs(db.url)).map((j) => [j.name, j.state]),
      [['junction-run-q-long', 'created']],
      'one job, of the admitted task',
    );
  });

  test('a job refused workspace_busy at the worker waits and runs after the other, however long that takes: no job failed, none lost, each task ran once', async () => {
    // The scheduler and changes queue without admission: both tasks' jobs wait, the worker takes both at once.
    await runs.enqueue('q-short', 'schedule');
    const worker = startQueueWorker({ service: runs, log, concurrency: 2, pollMs: 100 });
    try {
      await eventually(
        'both runs finished',
        async () => {
          const all = await Promise.all(
            ['q-long', 'q-short'].map((id) => store.executions.list({ taskId: id, limit: 10 })),
          );
          return all.every((l) => l.length === 1 && l[0]?.finishedAt) && all;
        },
        { timeoutMs: 40_000 },
      );
    } finally {
      await worker.stop();
    }
    const [one, two] = (
      await Promise.all(['q-long', 'q-short'].map((id) => store.executions.list({ taskId: id, limit: 10 })))
    )
      .flat()
      .sort((a, b) => Number(a.startedAt) - Number(b.startedAt));
    assert.deepEqual([one?.status, two?.status], ['succeeded', 'succeeded']);
    assert.ok(
      Number(two?.startedAt) >= Number(one?.finishedAt),
      'the refused run started only after the other had finished',
    );
    const states = (await jobs(db.url)).map((j) => [j.name, j.state]);
    assert.deepEqual(
      states.sort(),
      [
        ['junction-run-q-long', 'completed'],
        ['junction-run-q-short', 'completed'],
      ],
      'each job completed once, none failed',
    );
    assert.ok(
      logged.some((l) => /workspace runs as many tasks/.test(l.msg)),
      'the worker took both jobs and one was refused',
    );
    assert.deepEqual(
      logged.filter((l) => l.level >= 50).map((l) => l.msg),
      [],
      'a full workspace is no error',
    );
  });
  test("a change-driven run within its task's change gap is queued for the gap's end; run now takes that same job at once", async () => {
    await store.tasks.save({ ...task('q-gap'), schedule: { onChange: true, changeGapMinutes: 60 } });
    const begun = await store.executions.begin({
      taskId: 'q-gap',
      trigger: 'manual',
      owner: 'test:1',
      staleAfterMs: 60_000,
    });
    await store.executions.finish({
      executionId: begun.execution.id,
      taskId: 'q-gap',
      status: 'succeeded',
      counts: begun.execution.counts,
    });
    const startAfter = async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query(
          "SELECT id, start_after FROM pgboss.job WHERE name = 'junction-run-q-gap' AND state < 'active'",
        );
        return rows.map((r) => ({ id: String(r.id), at: new Date(r.start_after).getTime() }));
      } finally {
        await c.end();
      }
    };
    await runs.runSoon('q-gap', 'change');
    await runs.runSoon('q-gap', 'change');
    const [held, ...more] = await startAfter();
    assert.equal(more.length, 0, 'the changes share one job');
    assert.ok(
      Number(held?.at) >= Number(begun.execution.startedAt) + 60 * 60_000 - 1_000,
      'the job waits for the gap after the last run began',
    );
    await runs.runNow('q-gap');
    const [now] = await startAfter();
    assert.equal(now?.id, held?.id, 'run now joined the waiting job');
    assert.ok(Number(now?.at) <= Date.now() + 1_000, 'and it starts now');
  });
});
