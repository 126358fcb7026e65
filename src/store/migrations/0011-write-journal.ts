import type { Kysely } from 'kysely';

/**
 * A run's notes about writes it started and has not finished (a Brevo import process id), per task: a
 * run killed mid-page leaves them for the next run of the task, which picks the work up instead of
 * starting it twice. Cleared when a page is committed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('write_journal')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('write_journal_pk', ['task_id', 'key'])
    .execute();
}
