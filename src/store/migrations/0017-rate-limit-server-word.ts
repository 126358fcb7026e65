import type { Kysely } from 'kysely';

/**
 * What an outside system said about its budget, shared by every process on the database (issue 22,
 * connectors/shared-rate-limiter.ts): `rate_limits.server_max`, a lower limit than configured (null: none
 * heard), and `stop_until`/`stop_message`, the daily stop (database clock's ms), so a second worker on the
 * same account slows down and stops too instead of learning each on its own from 429s.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite runs DDL outside a transaction: each step may find itself done by a start that died half-way.
  const tables = await db.introspection.getTables();
  const has = (column: string) =>
    tables.some((t) => t.name === 'rate_limits' && t.columns.some((c) => c.name === column));
  if (!has('server_max'))
    await db.schema.alterTable('rate_limits').addColumn('server_max', 'integer').execute();
  if (!has('stop_until'))
    await db.schema
      .alterTable('rate_limits')
      .addColumn('stop_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  if (!has('stop_message'))
    await db.schema.alterTable('rate_limits').addColumn('stop_message', 'text').execute();
}
