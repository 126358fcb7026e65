// The line of a workspace's run limit at the begin of a run (executions.begin `waitInLine`, migration 0018):
// the store's half of serving a handed-back job first, on both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG } from '../scheduler/fake-connectors.ts';

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

for (const dialect of DIALECTS) {
  describe(`a workspace's line for its run limit (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000);
    const hold = { holdMs: 10_000 };

    /** Begins the task's run at second `s`: its execution id, or the refusal's details. */
    async function ask(taskId: string, s: number, waits: boolean) {
      try {
        const begun = await store.executions.begin({
          taskId,
          trigger: 'schedule',
          owner: 'test:1',
          staleAfterMs: 60_000,
          now: at(s),
          ...(waits ? { waitInLine: hold } : {}),
        });
        return begun.execution.id;
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'workspace_busy', String(err));
        return (err as { details: unknown }).details;
      }
    }
    const finish = (executionId: string, taskId: string) =>
      store.executions.finish({
        executionId,
        taskId,
        status: 'succeeded',
        counts: { read: 0, filtered: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
      });

    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      await applyConfig(store, parseConfigText(FAKE_CONFIG));
      await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
      for (const id of ['w-a', 'w-b', 'w-c']) await store.tasks.save(task(id));
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    test('a slot that frees goes to the task refused longest ago: newer asks, waiting or not, are refused until it began; a place not asked for again within its hold lapses', async () => {
      const a1 = (await ask('w-a', 0, false)) as string;
      assert.deepEqual(await ask('w-b', 1, true), { workspaceId: 'default', active: 1, max: 1 });
      assert.deepEqual(await ask('w-c', 2, true), { workspaceId: 'default', active: 1, max: 1, waiting: 1 });
      await finish(a1, 'w-a');

      // The slot is free, but B and C wait: A, run back to back, does not take it (nor does a "run now").
      assert.deepEqual(await ask('w-a', 3, false), { workspaceId: 'default', active: 0, max: 1, waiting: 2 });
      // C asks first, but B waits longer; C keeps its place behind B.
      assert.deepEqual(await ask('w-c', 4, true), { workspaceId: 'default', active: 0, max: 1, waiting: 1 });
      const b = await ask('w-b', 5, true);
      assert.equal(typeof b, 'string', 'B began');
      await finish(b as string, 'w-b');
      assert.deepEqual(await ask('w-a', 6, true), { workspaceId: 'default', active: 0, max: 1, waiting: 1 });
      const c = await ask('w-c', 7, true);
      assert.equal(typeof c, 'string', 'C began: A, refused after C, is behind it');
      await finish(c as string, 'w-c');

      // A's place (asked at 6 s, held 10 s) lapses at 16 s: B, with no place, passes only after that.
      assert.deepEqual(await ask('w-b', 15, false), {
        workspaceId: 'default',
        active: 0,
        max: 1,
        waiting: 1,
      });
      const late = await ask('w-b', 17, false);
      assert.equal(typeof late, 'string', 'a lapsed place holds nothing');
    });
  });
}

// The begin turns a database's unique-index error (two processes inserting the same task's run) into
// task_busy by its message; a workspace's own refusal must not be taken for one because its id says "unique".
for (const dialect of DIALECTS) {
  describe(`a refusal in a workspace whose id holds 'unique' or 'duplicate' (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;

    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      await store.workspaces.save({ id: 'unique-duplicates', name: 'U', limits: { maxConcurrentRuns: 1 } });
      const ws = store.inWorkspace('unique-duplicates');
      await applyConfig(ws, parseConfigText(FAKE_CONFIG));
      for (const id of ['u-a', 'u-b']) await ws.tasks.save(task(id));
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    test('stays workspace_busy with its details, waiting in line or not (not task_busy)', async () => {
      const begin = (taskId: string, waitInLine?: { holdMs: number }) =>
        store.executions.begin({
          taskId,
          trigger: 'schedule',
          owner: 'test:1',
          staleAfterMs: 60_000,
          ...(waitInLine ? { waitInLine } : {}),
        });
      await begin('u-a');
      for (const waits of [undefined, { holdMs: 10_000 }])
        await assert.rejects(begin('u-b', waits), (err: { code?: string; details?: unknown }) => {
          assert.equal(err.code, 'workspace_busy');
          assert.deepEqual(err.details, { workspaceId: 'unique-duplicates', active: 1, max: 1 });
          return true;
        });
    });
  });
}
