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
});
