import { type LimiterProvider, limiterFor, type RateLimiter } from '../connectors/rate-limiter.ts';
import { createSharedLimiters } from '../connectors/shared-rate-limiter.ts';
import type { WorkspaceShare } from '../connectors/workspace-share.ts';
import type { Store } from '../store/store.ts';

const byStore = new WeakMap<Store['db'], LimiterProvider>();

/**
 * The connection budgets of every run on this store: on PostgreSQL shared by all processes that use it
 * (hub, workers, `junction run`), so no caller can forget to switch sharing on; on SQLite, where one hub
 * process runs everything, this process's limiters. One provider per database (a workspace's view of the store shares it), so its runs share it.
 */
export function limitersFor(store: Store): LimiterProvider {
  let limiters = byStore.get(store.db);
  if (!limiters) {
    limiters = withConnectionShares(
      store,
      store.dialect === 'postgres' ? createSharedLimiters(store.db) : limiterFor,
    );
    byStore.set(store.db, limiters);
  }
  return limiters;
}

/**
 * Calls without a task (describe, test, previews, erasures) draw for their connection's workspace with its
 * share, read at their first request (not as the unnamed workspace, which no share bounds).
 */
function withConnectionShares(store: Store, limiters: LimiterProvider): LimiterProvider {
  return (connectionId, max, intervalMs, share = {}) => {
    const id = share.workspaceId;
    if (share.workspace || id === undefined || !max) return limiters(connectionId, max, intervalMs, share);
    let limiter: Promise<RateLimiter> | undefined;
    const ready = () =>
      (limiter ??= store.workspaces
        .get(id)
        .then(
          (w) => w.limits.rateShare,
          // A workspace deleted meanwhile: the call still draws for it, with no share of its own.
          () => null,
        )
        .then((rateShare) =>
          limiters(connectionId, max, intervalMs, { ...share, workspace: { id, rateShare } }),
        ));
    return {
      acquire: async (signal) => (await ready()).acquire(signal),
      pause: (ms) => void ready().then((l) => l.pause(ms)),
      report: (r) => void ready().then((l) => l.report?.(r)),
    };
  };
}

/**
 * The workspace a run draws for (its store's view, or its task's) and the share of shared budgets its
 * administrator gave it, read at the run's start (a changed share holds from the next run on).
 */
export async function workspaceShareOf(store: Store, taskId?: string): Promise<WorkspaceShare | undefined> {
  const id = store.workspaceId ?? (taskId ? await store.tasks.workspaceOf(taskId) : undefined);
  if (id === undefined) return undefined;
  return { id, rateShare: (await store.workspaces.get(id)).limits.rateShare };
}
