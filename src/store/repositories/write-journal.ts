import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** One note of a run about a write it started (see migration 0011). */
export interface WriteJournalTable {
  task_id: string;
  key: string;
  /** JSON. */
  value: string;
  created_at: string;
}

/**
 * The write journal: what a task's run started in another system and has not finished (a Brevo import
 * process), so that the next run, replaying the page a killed run left, picks it up instead of starting
 * it again. Connectors see it only through the `WriteJournal` the engine hands their `write`.
 */
export function createWriteJournalRepository(base: Kysely<Database>) {
  const db = base.withTables<{ write_journal: WriteJournalTable }>();
  return {
    /** The value noted under `key` for the task, or null. */
    async get(taskId: string, key: string): Promise<unknown> {
      const row = await db
        .selectFrom('write_journal')
        .select('value')
        .where('task_id', '=', taskId)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? JSON.parse(row.value) : null;
    },

    /** Notes `value` under `key` for the task, replacing an earlier note. */
    async put(taskId: string, key: string, value: unknown): Promise<void> {
      const row = {
        task_id: taskId,
        key,
        value: JSON.stringify(value),
        created_at: new Date().toISOString(),
      };
      await db
        .insertInto('write_journal')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['task_id', 'key']).doUpdateSet({ value: row.value, created_at: row.created_at }),
        )
        .execute();
    },

    /** The keys noted for the task (diagnostics and tests). */
    async keys(taskId: string): Promise<string[]> {
      const rows = await db.selectFrom('write_journal').select('key').where('task_id', '=', taskId).execute();
      return rows.map((r) => r.key);
    },

    /** Forgets the task's notes: the page they belonged to is committed. */
    async clear(taskId: string): Promise<void> {
      await db.deleteFrom('write_journal').where('task_id', '=', taskId).execute();
    },
  };
}
