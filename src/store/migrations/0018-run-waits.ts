import type { Kysely } from 'kysely';

/**
 * A task's place in line for its workspace's run limit (store/repositories/executions.ts, `waitInLine`): a run
 * refused `workspace_busy` that comes back later (a handed-back queue job, a waiting change or scheduled run)
 * keeps `since`, the time of its first refusal, until `until` (it must come back before then, or loses the
 * place). The transaction that begins a run counts the older places as taken, so a slot that frees goes to the
 * longest waiting task, not to whichever task asks first. Gone with its task.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('run_waits')
    .ifNotExists()
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('run_waits_workspace')
    .ifNotExists()
    .on('run_waits')
    .columns(['workspace_id', 'since'])
    .execute();
}
