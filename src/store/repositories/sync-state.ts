import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** What Junction remembers about synced records, dropped wholesale (a re-seeded workspace, a reset connection). */
export function createSyncStateRepository(db: Kysely<Database>) {
  return {
    /**
     * Forgets the sync links of these connections, the association links of these mappings and the
     * checkpoints of these tasks, in one transaction. Run history stays.
     */
    async forget(o: { connectionIds: string[]; mappingIds: string[]; taskIds: string[] }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (o.connectionIds.length) {
          await trx
            .deleteFrom('sync_links')
            .where((eb) =>
              eb.or([
                eb('source_connection_id', 'in', o.connectionIds),
                eb('target_connection_id', 'in', o.connectionIds),
              ]),
            )
            .execute();
        }
        if (o.mappingIds.length)
          await trx.deleteFrom('association_links').where('mapping_id', 'in', o.mappingIds).execute();
        if (o.taskIds.length) await trx.deleteFrom('checkpoints').where('task_id', 'in', o.taskIds).execute();
      });
    },
  };
}
