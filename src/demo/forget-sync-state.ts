import type { Store } from '../store/store.ts';

/**
 * Forgets what Junction knows about the demo's previous session: sync links of the demo connections,
 * association links and checkpoints of the demo mappings and tasks. The emulators start empty and the
 * demo database is re-created on every start, so these would point at records that no longer exist
 * (updates of unknown ids, incremental reads that skip the fresh rows). Run history stays.
 */
export async function forgetDemoSyncState(
  store: Store,
  demo: { connectionIds: string[]; mappingIds: string[]; taskIds: string[] },
): Promise<void> {
  await store.syncState.forget(demo);
}
