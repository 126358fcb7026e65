import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** What a purge removed. */
export interface PurgeResult {
  executions: number;
  items: number;
}

const CHUNK = 500;

/**
 * Deletes finished executions created before `cutoff`, with their items. Payloads (the bulk of the
 * data) are blanked first for all of them, so an interrupted purge has already freed most space;
 * then items and executions go in chunks, each chunk in one transaction. Runs still in progress and
 * executions a pending resume refers to are kept.
 */
export async function purgeExecutionsBefore(db: Kysely<Database>, cutoff: Date): Promise<PurgeResult> {
  const old = () =>
    db
      .selectFrom('executions')
      .select('id')
      .where('created_at', '<', cutoff.toISOString())
      .where('status', 'not in', ['running', 'queued'])
      .where(
        'id',
        'not in',
        db
          .selectFrom('checkpoints')
          .select('execution_id')
          .where('in_progress', 'is not', null)
          .where('execution_id', 'is not', null)
          .$narrowType<{ execution_id: string }>(),
      );

  await db
    .updateTable('execution_items')
    .set({ payload: null })
    .where('payload', 'is not', null)
    .where('execution_id', 'in', old())
    .execute();

  const result: PurgeResult = { executions: 0, items: 0 };
  for (;;) {
    const ids = (await old().orderBy('id').limit(CHUNK).execute()).map((r) => r.id);
    if (!ids.length) break;
    await db.transaction().execute(async (trx) => {
      const items = await trx
        .deleteFrom('execution_items')
        .where('execution_id', 'in', ids)
        .executeTakeFirst();
      const execs = await trx.deleteFrom('executions').where('id', 'in', ids).executeTakeFirst();
      result.items += Number(items.numDeletedRows);
      result.executions += Number(execs.numDeletedRows);
    });
  }
  return result;
}
