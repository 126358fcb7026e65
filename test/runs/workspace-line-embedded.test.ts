// The embedded mode's half of a workspace's line (run-service.ts): a scheduled run refused for a full workspace
// keeps its place until the scheduler asks again, and a change-driven run waiting for a slot is woken when a
// run of this process ends, not after its retry delay. SQLite, in-process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import { createRunService, type RunService } from '../../src/runs/run-service.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG, fakeConnectors } from '../scheduler/fake-connectors.ts';

const task = (id: string, enabled = true): Task => ({
  id,
  name: id,
  mappingId: 'm',
  schedule: null,
  enabled,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: {},
});

/** The refusal's code and details, or 'began'. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'began',
    (err: { code?: string; details?: unknown }) => ({ code: err.code, details: err.details }),
  );

describe("a workspace's line in embedded mode (SQLite)", () => {
  let db: TempDatabase;
  let store: Store;
  let runs: RunService;

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    for (const id of ['holder', 'sched', 'other', 'slow', 'changed']) await store.tasks.save(task(id));
    runs = await createRunService({
      store,
      log: pino({ level: 'silent' }),
      // A change-driven run woken only by its retry delay would wait ten minutes.
      config: { retryDelaySeconds: 600, changeCoalesceMs: 10 },
      runOptions: { connectorFactory: fakeConnectors({ records: 20, pageDelayMs: 300 }) },
    });
  });
  after(async () => {
    await runs?.stop();
    await store?.close();
    await db?.drop();
  });

  /** Another process's run holds the workspace's only slot until `finish` is called. */
  async function holdSlot() {
    const held = await store.executions.begin({
      taskId: 'holder',
      trigger: 'manual',
      owner: 'elsewhere:1',
      staleAfterMs: 60_000,
    });
    return () =>
      store.executions.finish({
        executionId: held.execution.id,
        taskId: 'holder',
        status: 'succeeded',
        counts: held.execution.counts,
      });
  }

  test("a scheduled run refused for a full workspace keeps its place: once the slot frees, another task's run now is refused until the scheduled run has begun at the scheduler's next ask", async () => {
    const finish = await holdSlot();
    assert.deepEqual(await outcome(runs.runNow('sched', 'schedule')), {
      code: 'workspace_busy',
      details: { workspaceId: 'default', active: 1, max: 1 },
    });
    await finish();
    assert.deepEqual(await outcome(runs.runNow('other')), {
      code: 'workspace_busy',
      details: { workspaceId: 'default', active: 0, max: 1, waiting: 1 },
    });
    assert.equal(await outcome(runs.runNow('sched', 'schedule')), 'began');
    await runs.idle();
  });

  test('a disabled task gives up its place in line: the freed slot is not held for it', async () => {
    const finish = await holdSlot();
    assert.equal(
      ((await outcome(runs.runNow('sched', 'schedule'))) as { code: string }).code,
      'workspace_busy',
    );
    await finish();
    await store.tasks.save(task('sched', false));
    try {
      assert.equal(await outcome(runs.runNow('other')), 'began');
      await runs.idle();
    } finally {
      await store.tasks.save(task('sched'));
    }
  });

  test('a change-driven run waiting for a slot starts as soon as a run of this process ends, not after its retry delay', async () => {
    await runs.runNow('slow'); // begun: 2 pages of 300 ms
    await runs.runSoon('changed', 'change');
    // Asked 10 ms later, while 'slow' runs: refused, it waits (its retry delay is ten minutes).
    const begun = await eventually(
      "the change-driven run began after 'slow' ended",
      async () => (await store.executions.list({ taskId: 'changed', limit: 1 }))[0],
      { timeoutMs: 8_000 },
    );
    assert.equal(begun.trigger, 'change');
    const [slow] = await store.executions.list({ taskId: 'slow', limit: 1 });
    assert.ok(
      slow?.finishedAt && begun.startedAt && begun.startedAt >= slow.finishedAt,
      'it began after the slow run ended (it was refused while that ran)',
    );
    await runs.idle();
  });
});
