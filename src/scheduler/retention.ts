import type { Logger } from 'pino';
import type { ImportWorkspace } from '../import/workspace.ts';
import { type PurgeResult, purgeExecutionsBefore } from '../store/repositories/retention.ts';
import type { Store } from '../store/store.ts';

/** How often the schedulers purge old executions. */
export const RETENTION_EVERY_MS = 60 * 60_000;

/** Purges executions older than the retention in the settings; logs what it removed. */
export async function applyRetention(store: Store, log: Logger, now = new Date()): Promise<PurgeResult> {
  const { retentionDays } = await store.settings.get();
  const result = await purgeExecutionsBefore(store.db, new Date(now.getTime() - retentionDays * 86_400_000));
  if (result.executions) log.info({ ...result, retentionDays }, 'purged old executions');
  return result;
}

/**
 * Removes uploaded imports (file, record, error file) older than the retention in the settings: uploads
 * hold customer data and were never purged. Running imports stay. Returns how many were removed.
 */
export async function purgeUploads(
  store: Store,
  uploads: Pick<ImportWorkspace, 'purgeBefore'>,
  log: Logger,
  now = new Date(),
): Promise<number> {
  const { retentionDays } = await store.settings.get();
  const removed = await uploads.purgeBefore(new Date(now.getTime() - retentionDays * 86_400_000));
  if (removed) log.info({ uploads: removed, retentionDays }, 'purged old uploads');
  return removed;
}

/** Calls `applyRetention` at most once per `everyMs`; the schedulers call it on every tick. */
export function createRetentionTimer(store: Store, log: Logger, everyMs = RETENTION_EVERY_MS) {
  let last = 0;
  return async (now: Date) => {
    if (now.getTime() - last < everyMs) return;
    last = now.getTime();
    await applyRetention(store, log, now).catch((err) => log.error({ err }, 'purging old executions failed'));
  };
}
