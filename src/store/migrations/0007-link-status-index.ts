import type { Kysely } from 'kysely';

/** The dashboard's "open errors" and the retry pass select links by status. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('sync_links_status').on('sync_links').column('status').execute();
}
