import type { Kysely } from 'kysely';

/**
 * Per-instance settings, and the state of the rate limiters that several worker processes share
 * (PostgreSQL scale-out; the tables exist on SQLite too so both dialects keep one schema).
 */
export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // One row per limited connection: the row lock serialises acquirers, `paused_until` holds a 429 pause.
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('paused_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // One row per request slot; `release_at` (epoch ms) is far ahead while the request is in flight.
  await db.schema
    .createTable('rate_limit_slots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('release_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_slots_key')
    .on('rate_limit_slots')
    .columns(['key', 'release_at'])
    .execute();
}
