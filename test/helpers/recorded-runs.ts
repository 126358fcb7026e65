import { type ItemAction, ZERO_COUNTS } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';

/** Connections, a people mapping and these (unscheduled) tasks in the store, for runs recorded by hand. */
export async function seedPeopleTasks(store: Store, taskIds: string[]): Promise<void> {
  await store.connections.save({
    id: 'erp',
    name: 'ERP',
    system: 'sql',
    config: { url: 'sqlite::memory:' },
    secret: {},
  });
  await store.connections.save({
    id: 'hubspot',
    name: 'HubSpot',
    system: 'hubspot',
    config: {},
    secret: {},
  });
  const mapping = {
    id: 'people',
    name: 'People',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'hubspot', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
  };
  await store.mappings.save(mapping as never);
  for (const id of taskIds)
    await store.tasks.save({
      id,
      name: id,
      mappingId: 'people',
      schedule: null,
      enabled: false,
      mode: 'incremental',
      notify: { on: [], to: [] },
      params: {},
    });
}

/** One record's result in a run recorded by hand. */
export type Result = { key: string; action: ItemAction; code?: string; payload?: unknown };

/** Records one finished run of `taskId` with these per-record results, as the engine would. */
export async function recordRun(store: Store, taskId: string, results: Result[]): Promise<string> {
  const { execution } = await store.executions.begin({
    taskId,
    trigger: 'schedule',
    owner: 'test:1',
    staleAfterMs: 60_000,
    // History recorded by hand, also on a store from before workspaces: no run is started here.
    workspaceLimit: false,
  });
  const failed = results.filter((r) => r.action === 'fail').length;
  const counts = { ...ZERO_COUNTS, read: results.length, failed, updated: results.length - failed };
  await store.executions.commitPage({
    executionId: execution.id,
    taskId,
    page: 1,
    counts,
    position: null,
    links: [],
    items: results.map((r) => ({
      sourceKey: r.key,
      targetId: null,
      action: r.action,
      code: r.code ?? null,
      message: r.code ? `refused: ${r.code}` : null,
      payload: r.payload ?? null,
    })),
  });
  await store.executions.finish({
    executionId: execution.id,
    taskId,
    status: failed ? 'warning' : 'succeeded',
    counts,
  });
  return execution.id;
}
