import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
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

describe("a workspace's concurrent-run limit at the begin of a run (PostgreSQL, several connections)", () => {
  let db: TempDatabase;
  let store: Store;

  before(async () => {
    db = await createTempPostgres('jwsl');
    store = await openTestStore(db);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    for (const id of ['l-1', 'l-2', 'l-3', 'l-4']) await store.tasks.save(task(id));
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  test('begins of four tasks in the same instant, round after round: exactly one passes a limit of one each time', async () => {
    for (let round = 0; round < 15; round++) {
      const asked = await Promise.allSettled(
        ['l-1', 'l-2', 'l-3', 'l-4'].map((taskId) =>
          store.executions.begin({ taskId, trigger: 'manual', owner: `test:${round}`, staleAfterMs: 60_000 }),
        ),
      );
      const begun = asked.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
      const refused = asked.flatMap((a) =>
        a.status === 'rejected' ? [(a.reason as { code?: string }).code] : [],
      );
      assert.equal(begun.length, 1, `round ${round}: one run began`);
      assert.deepEqual(refused, ['workspace_busy', 'workspace_busy', 'workspace_busy']);
      for (const b of begun)
        await store.executions.finish({
          executionId: b.execution.id,
          taskId: b.execution.taskId,
          status: 'succeeded',
          counts: b.execution.counts,
        });
    }
  });

  test("a run whose lease lapsed (its worker died) holds no place: another task begins; a live one's does", async () => {
    const dead = await store.executions.begin({
      taskId: 'l-1',
      trigger: 'manual',
      owner: 'gone:1',
      staleAfterMs: 60_000,
      now: new Date(Date.now() - 10 * 60_000),
    });
    const next = await store.executions.begin({
      taskId: 'l-2',
      trigger: 'manual',
      owner: 'test:2',
      staleAfterMs: 60_000,
    });
    await assert.rejects(
      store.executions.begin({ taskId: 'l-3', trigger: 'manual', owner: 'test:3', staleAfterMs: 60_000 }),
      (err: { code?: string }) => err.code === 'workspace_busy',
    );
    for (const b of [dead, next])
      await store.executions.finish({
        executionId: b.execution.id,
        taskId: b.execution.taskId,
        status: 'succeeded',
        counts: b.execution.counts,
      });
  });
});
