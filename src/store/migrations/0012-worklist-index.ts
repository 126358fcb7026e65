import type { Kysely } from 'kysely';

/**
 * The error log's worklist asks for the failed items of each (task, record) on every look, and the
 * dashboard looks at every run's begin and end: without an index on the items' action and record key
 * each look scans the whole run history (seconds at half a million items, blocking SQLite's one thread).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('execution_items_action_key')
    .ifNotExists()
    .on('execution_items')
    .columns(['action', 'source_key'])
    .execute();
  // The newest success of each record that failed: found by the record's key.
  await db.schema
    .createIndex('execution_items_key')
    .ifNotExists()
    .on('execution_items')
    .column('source_key')
    .execute();
}
