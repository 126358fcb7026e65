import type { Kysely } from 'kysely';

/**
 * Fairness of one account's budget across processes (issue 22, connectors/shared-rate-limiter.ts): who waits
 * for the budget and who was served when, so a free slot goes to the task served longest ago. Times are
 * the database clock's milliseconds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_parties')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('served_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('waiting_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rate_limit_parties_pk', ['key', 'party'])
    .execute();
}
