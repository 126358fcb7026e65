import type { Kysely } from 'kysely';

/**
 * Deletion-request audit, the webhook replay guard and the association state of mappings that link
 * records to each other in the target (HubSpot contact ↔ company).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // What was done for a deletion request; never personal data (subjects are hashed ids).
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

  // Signatures and event ids already accepted per connection: a replay is refused, a redelivery skipped.
  await db.schema
    .createTable('webhook_receipts')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('receipt_key', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_receipts_pk', ['connection_id', 'receipt_key'])
    .execute();
  await db.schema
    .createIndex('webhook_receipts_received')
    .on('webhook_receipts')
    .column('received_at')
    .execute();

  // One row per record and associated object: which related record it should point at, and whether it does.
  await db.schema
    .createTable('association_links')
    .addColumn('mapping_id', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('to_object', 'text', (c) => c.notNull())
    .addColumn('related_key', 'text', (c) => c.notNull())
    .addColumn('from_id', 'text', (c) => c.notNull())
    .addColumn('to_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('remark', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('association_links_pk', ['mapping_id', 'source_key', 'to_object'])
    .execute();
  await db.schema
    .createIndex('association_links_status')
    .on('association_links')
    .columns(['mapping_id', 'status'])
    .execute();
}
