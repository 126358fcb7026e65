import type { Kysely } from 'kysely';

/** The number a target assigned to a record (read back after the write), e.g. an ERP customer number. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_links').addColumn('external_number', 'text').execute();
}
