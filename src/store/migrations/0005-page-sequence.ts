import type { Kysely } from 'kysely';

/** Pages committed by a run: makes a retried page commit (after a lost COMMIT answer) a no-op. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('executions')
    .addColumn('pages_committed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
