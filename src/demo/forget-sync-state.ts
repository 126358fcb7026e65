import type { Store } from '../store/store.ts';

/**
 * Forgets what Junction knows about the demo's previous session: sync links of the demo connections,
 * association links and checkpoints of the demo mappings and tasks. The emulators start empty and the
 * demo database is re-created on every start, so these would point at records that no longer exist
 * (updates of unknown ids, incremental reads that skip the fresh rows). Run history stays.
 *
 * The store has no repository call for dropping a connection's links (real connections never need
 * it), so this one demo-only clean-up speaks Kysely to the store directly.
 */
export async function forgetDemoSyncState(
  store: Store,
  demo: { connectionIds: string[]; mappingIds: string[]; taskIds: string[] },
): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    if (demo.connectionIds.length) {
      await trx
        .deleteFrom('sync_links')
        .where((eb) =>
          eb.or([
            eb('source_connection_id', 'in', demo.connectionIds),
            eb('target_connection_id', 'in', demo.connectionIds),
          ]),
        )
        .execute();
    }
    if (demo.mappingIds.length)
      await trx.deleteFrom('association_links').where('mapping_id', 'in', demo.mappingIds).execute();
    if (demo.taskIds.length)
      await trx.deleteFrom('checkpoints').where('task_id', 'in', demo.taskIds).execute();
  });
}
