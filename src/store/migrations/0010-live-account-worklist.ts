import type { Kysely } from 'kysely';

/**
 * Three additions of the dashboard people live in (issue 17):
 * - `executions_finished`, `executions_status`: the live run feed asks every second which runs are queued or
 *   running and which finished since its last look; without them each look scans the whole run history.
 * - `api_tokens.role`: a token may act with less than its owner's role (a viewer token of an admin for a
 *   read-only script); null acts with the owner's role, as every token did before.
 * - `error_resolutions`: the error log's worklist — a record's failures in a task marked resolved or ignored,
 *   with a note; a failure after `at` opens it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite runs DDL outside a transaction: a start that died half-way must be able to run this again, so
  // the one step that cannot say "if not exists" goes first and the others may find themselves done.
  const tokens = await db.introspection.getTables();
  const hasRole = tokens.some((t) => t.name === 'api_tokens' && t.columns.some((c) => c.name === 'role'));
  if (!hasRole) await db.schema.alterTable('api_tokens').addColumn('role', 'text').execute();
  await db.schema
    .createIndex('executions_finished')
    .ifNotExists()
    .on('executions')
    .column('finished_at')
    .execute();
  await db.schema.createIndex('executions_status').ifNotExists().on('executions').column('status').execute();
  await db.schema
    .createTable('error_resolutions')
    .ifNotExists()
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('by_user', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('error_resolutions_pk', ['task_id', 'source_key'])
    .execute();
}
