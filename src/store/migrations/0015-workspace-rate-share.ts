import type { Kysely } from 'kysely';

/**
 * A workspace's share of a shared outside account's rate limit (issue 21, "Limits per workspace"):
 * - `workspaces.rate_share`: percent (1–100) the instance administrator gives it; null: no share of its own.
 * - `rate_limit_parties.workspace` / `.rate_share`: whose party waits, with the share it came with, and
 *   `rate_limit_slots.workspace`: whose request holds a slot, so the PostgreSQL budget (connectors/
 *   shared-rate-limiter.ts) hands the window's slots out by share across processes, as the in-process one does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite runs DDL outside a transaction: each step may find itself done by a start that died half-way.
  const tables = await db.introspection.getTables();
  const has = (table: string, column: string) =>
    tables.some((t) => t.name === table && t.columns.some((c) => c.name === column));
  if (!has('workspaces', 'rate_share'))
    await db.schema.alterTable('workspaces').addColumn('rate_share', 'integer').execute();
  if (!has('rate_limit_parties', 'workspace'))
    await db.schema
      .alterTable('rate_limit_parties')
      .addColumn('workspace', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  if (!has('rate_limit_parties', 'rate_share'))
    await db.schema.alterTable('rate_limit_parties').addColumn('rate_share', 'integer').execute();
  if (!has('rate_limit_slots', 'workspace'))
    await db.schema.alterTable('rate_limit_slots').addColumn('workspace', 'text').execute();
}
