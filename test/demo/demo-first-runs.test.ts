import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Execution } from '../../src/core/types.ts';
import { type DemoSession, startDemo } from '../../src/demo/index.ts';
import { createRunService, type RunService } from '../../src/runs/run-service.ts';
import { type EmbeddedScheduler, startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

/** Each task and the task its first run must wait for (the demo's `after`). */
const ORDER = [
  ['demo-people', 'demo-companies'],
  ['demo-deals', 'demo-people'],
  ['demo-moodle-enrolments', 'demo-moodle-users'],
] as const;

describe("a fresh demo's first scheduled runs", () => {
  let storeDb: TempDatabase;
  let store: Store;
  let dataDir: string;
  let demo: DemoSession;
  let service: RunService;
  let scheduler: EmbeddedScheduler;
  const first = new Map<string, Execution>();

  before(async () => {
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    dataDir = mkdtempSync(join(tmpdir(), 'junction-demo-first-'));
    demo = await startDemo({ store, dataDir, activityEveryMs: 0, learnersEveryMs: 0 });
    service = await createRunService({ store, log });
    scheduler = startEmbeddedScheduler({ service, log, tickMs: 100 });
    const ids = (await store.tasks.list()).map((t) => t.id);
    await eventually(
      'every demo task finished its first run',
      async () => {
        for (const id of ids) {
          const [run] = await store.executions.list({ taskId: id, limit: 1 });
          if (run?.finishedAt) first.set(id, run);
        }
        return first.size === ids.length;
      },
      { timeoutMs: 120_000 },
    );
  });
  after(async () => {
    await scheduler?.stop();
    await service?.stop();
    await demo?.stop();
    await store?.close();
    await storeDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('start each task only after the tasks it needs have finished', () => {
    for (const [task, before] of ORDER) {
      const [run, prerequisite] = [first.get(task), first.get(before)];
      assert.ok(run?.startedAt && prerequisite?.finishedAt);
      assert.ok(
        run.startedAt >= prerequisite.finishedAt,
        `${task} started ${run.startedAt.toISOString()}, ${before} finished ${prerequisite.finishedAt.toISOString()}`,
      );
    }
  });

  test('enrol everyone Moodle has as a user: only bookings of people Moodle refused fail', async () => {
    const run = first.get('demo-moodle-enrolments');
    assert.ok(run);
    assert.notEqual(run.status, 'failed', run.error?.message);
    const users = new Set(demo.systems.moodle.state.users().map((u) => u.idnumber));
    const booked = demo.data.enrolments.filter((e) => e.status !== 'abgemeldet');
    const ofUsers = booked.filter((e) => users.has(String(e.person_id)));
    assert.ok(ofUsers.length > booked.length / 2, 'most bookings are of people in Moodle');
    assert.equal(run.counts.read, booked.length);
    assert.equal(run.counts.failed, booked.length - ofUsers.length, 'no booking of a Moodle user failed');
    const failed = await store.executions.items(run.id, { action: 'fail' });
    const personOf = new Map(booked.map((e) => [String(e.id), String(e.person_id)]));
    for (const item of failed)
      assert.ok(!users.has(personOf.get(item.sourceKey) ?? ''), `booking ${item.sourceKey}: ${item.message}`);
  });
});
