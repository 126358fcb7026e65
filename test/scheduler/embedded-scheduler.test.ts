import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Execution, Task } from '../../src/core/types.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import { startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG, type FakeBehaviour, fakeConnectors } from './fake-connectors.ts';

const log = pino({ level: 'silent' });

function task(id: string, schedule: Task['schedule']): Task {
  return {
    id,
    name: id,
    mappingId: 'm',
    schedule,
    enabled: true,
    mode: 'full',
    notify: { on: [], to: [] },
    params: {},
  };
}

describe('embedded scheduler', () => {
  let db: TempDatabase;
  let store: Store;
  const schedulers: { stop(): Promise<void> }[] = [];
  // The hub's pairing: the run service runs, the scheduler decides when.
  const start = async (behaviour: FakeBehaviour, tickMs = 50) => {
    const service = await createRunService({
      store,
      log,
      runOptions: { connectorFactory: fakeConnectors(behaviour) },
    });
    const scheduler = startEmbeddedScheduler({ service, log, tickMs });
    const s = {
      runNow: service.runNow,
      async stop() {
        await scheduler.stop();
        await service.stop();
      },
    };
    schedulers.push(s);
    return s;
  };
  const runsOf = async (taskId: string) => (await store.executions.list({ taskId, limit: 100 })).reverse();

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
  });
  after(async () => {
    for (const s of schedulers) await s.stop();
    await store?.close();
    await db?.drop();
  });

  test('runs a task on its interval, a new task at once, then every interval', async () => {
    await store.tasks.save(task('every', { everyMinutes: 0.01 })); // 600 ms
    const s = await start({ records: 5 });
    const runs = await eventually('three runs', async () => {
      const r = (await runsOf('every')).filter((e) => e.finishedAt);
      return r.length >= 3 && r;
    });
    await s.stop();
    assert.ok(runs.every((e) => e.trigger === 'schedule' && e.status === 'succeeded'));
    for (let i = 1; i < runs.length; i++) {
      const gap = Number((runs[i] as Execution).startedAt) - Number((runs[i - 1] as Execution).startedAt);
      assert.ok(gap >= 600, `run ${i} started ${gap} ms after the previous one, not before the interval`);
      assert.ok(
        gap < 1500,
        `run ${i} started ${gap} ms after the previous one, within a few ticks of being due`,
      );
    }
    await store.tasks.save({ ...task('every', { everyMinutes: 0.01 }), enabled: false });
  });

  test('"run now" starts a task at once even when it is not due, and refuses a second run while it runs', async () => {
    await store.tasks.save(task('nightly', { cron: '0 3 * * *' }));
    const s = await start({ records: 30, pageDelayMs: 150 });
    await sleep(200);
    assert.equal((await runsOf('nightly')).length, 0, 'not due: a new cron task waits for its slot');
    const t0 = Date.now();
    const { executionId } = await s.runNow('nightly');
    assert.ok(executionId);
    assert.ok(Date.now() - t0 < 500, 'the run began at once');
    await assert.rejects(s.runNow('nightly'), { code: 'task_busy' });
    const e = await eventually('the run to end', async () => {
      const x = await store.executions.get(executionId);
      return x.finishedAt ? x : undefined;
    });
    assert.equal(e.trigger, 'manual');
    assert.equal(e.status, 'succeeded');
    assert.equal(e.counts.read, 30);
    await s.stop();
  });

  test('a run longer than the interval delays the next one instead of overlapping it', async () => {
    // Each run takes ~1 s (5 pages × 200 ms); the interval is 300 ms.
    await store.tasks.save(task('slow', { everyMinutes: 0.005 }));
    const s = await start({ records: 50, pageDelayMs: 200 }, 20);
    const runs = await eventually(
      'three finished runs',
      async () => {
        const r = (await runsOf('slow')).filter((e) => e.finishedAt);
        return r.length >= 3 && r;
      },
      { timeoutMs: 15_000 },
    );
    await s.stop();
    const all = await runsOf('slow');
    assert.ok(runs.every((e) => e.status === 'succeeded'));
    for (let i = 1; i < all.length; i++) {
      const prev = all[i - 1] as Execution;
      const cur = all[i] as Execution;
      assert.ok(
        prev.finishedAt && cur.startedAt && cur.startedAt >= prev.finishedAt,
        `run ${i} began after run ${i - 1} ended`,
      );
    }
    await store.tasks.save({ ...task('slow', null), enabled: false });
  });
});
