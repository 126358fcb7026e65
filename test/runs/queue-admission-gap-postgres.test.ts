import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import { WorkspaceBusyError } from '../../src/core/workspaces.ts';
import { enqueueRun, releaseJob } from '../../src/runs/queue.ts';
import { createRunService, type RunService } from '../../src/runs/run-service.ts';
import { startLeaderScheduler } from '../../src/scheduler/leader-scheduler.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG, fakeConnectors } from '../scheduler/fake-connectors.ts';

const task = (id: string, schedule: Task['schedule'] = null): Task => ({
  id,
  name: id,
  mappingId: 'm',
  schedule,
  enabled: true,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: {},
});

describe("a queued 'run now' and a change-driven job held back by its change gap (PostgreSQL, pg-boss)", () => {
  let db: TempDatabase;
  let store: Store;
  let runs: RunService;

  before(async () => {
    db = await createTempPostgres('jwsg');
    store = await openTestStore(db);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    await store.tasks.save(task('g-held', { onChange: true, changeGapMinutes: 60 }));
    await store.tasks.save(task('g-other'));
    runs = await createRunService({
      store,
      log: pino({ level: 'silent' }),
      queueUrl: db.url,
      superviseQueue: false,
      runOptions: { connectorFactory: fakeConnectors({ records: 5 }) },
    });
  });
  after(async () => {
    await runs?.stop();
    await store?.close();
    await db?.drop();
  });

  test('a job waiting for its change gap holds no place: another task\'s "run now" is queued while nothing runs; one due now does hold it', async () => {
    const begun = await store.executions.begin({
      taskId: 'g-held',
      trigger: 'manual',
      owner: 'test:1',
      staleAfterMs: 60_000,
    });
    await store.executions.finish({
      executionId: begun.execution.id,
      taskId: 'g-held',
      status: 'succeeded',
      counts: begun.execution.counts,
    });
    // The change's job starts an hour after the last run began: until then nothing runs in the workspace.
    await runs.runSoon('g-held', 'change');
    assert.deepEqual(await runs.runNow('g-other'), { executionId: null, queued: true });
    // A job due now does count: the other task's admitted run holds the workspace's one place.
    await store.tasks.save(task('g-third'));
    await assert.rejects(runs.runNow('g-third'), WorkspaceBusyError);
  });

  test("the clock takes a change-driven task's job held for its gap at once when the task's interval is due", async () => {
    // Interval 10 minutes, gap 60: the last run began 30 minutes ago, so the clock is due and the gap is not over.
    await store.tasks.save(task('g-clock', { everyMinutes: 10, onChange: true, changeGapMinutes: 60 }));
    const begun = await store.executions.begin({
      taskId: 'g-clock',
      trigger: 'schedule',
      owner: 'test:1',
      staleAfterMs: 60_000,
      now: new Date(Date.now() - 30 * 60_000),
    });
    await store.executions.finish({
      executionId: begun.execution.id,
      taskId: 'g-clock',
      status: 'succeeded',
      counts: begun.execution.counts,
    });
    await runs.runSoon('g-clock', 'change');
    const startAfter = async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query(
          "SELECT start_after FROM pgboss.job WHERE name = 'junction-run-g-clock' AND state < 'active'",
        );
        return rows.map((r) => new Date(r.start_after).getTime());
      } finally {
        await c.end();
      }
    };
    const [held] = await startAfter();
    assert.ok(Number(held) > Date.now() + 20 * 60_000, 'the change waits for the gap');
    const leader = startLeaderScheduler({ service: runs, log: pino({ level: 'silent' }), tickMs: 3_600_000 });
    try {
      await leader.tick();
      await eventually('the clock took the held job', async () => {
        const at = await startAfter();
        return at.length === 1 && Number(at[0]) <= Date.now() + 1_000;
      });
    } finally {
      await leader.stop();
    }
  });

  test('a job handed back with a retry delay of 0 waits a second at least (no taking and handing back in a tight loop)', async () => {
    await store.tasks.save(task('g-zero'));
    const boss = runs.boss as NonNullable<RunService['boss']>;
    const id = await enqueueRun(boss, 'g-zero', { trigger: 'schedule' });
    const [job] = await boss.fetch('junction-run-g-zero', { batchSize: 1 });
    assert.equal(job?.id, id);
    assert.equal(
      await releaseJob(boss, 'junction-run-g-zero', id, {
        delaySeconds: 0,
        reason: { code: 'workspace_busy' },
      }),
      true,
    );
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(
        "SELECT state::text AS state, start_after > now() + interval '500 milliseconds' AS later FROM pgboss.job WHERE id = $1",
        [id],
      );
      assert.deepEqual(rows, [{ state: 'retry', later: true }]);
    } finally {
      await c.end();
    }
  });
});
