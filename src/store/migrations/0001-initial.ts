import { type Kysely, sql } from 'kysely';

/** The first schema: everything the spine needs. */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mapping_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mapping_id', 'text', (c) => c.notNull().references('mapping_definitions.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('resumed_from', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('executions_task_created')
    .on('executions')
    .columns(['task_id', 'created_at'])
    .execute();
  // The lock that keeps a task from running twice at once, in the database itself so it holds across
  // processes and machines: at most one running execution per task.
  await db.schema
    .createIndex('executions_one_running_per_task')
    .on('executions')
    .column('task_id')
    .unique()
    .where(sql.ref('status'), '=', 'running')
    .execute();

  await db.schema
    .createTable('execution_items')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('message', 'text')
    .addColumn('payload', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('execution_items_execution')
    .on('execution_items')
    .columns(['execution_id', 'id'])
    .execute();

  await db.schema
    .createTable('sync_links')
    .addColumn('source_connection_id', 'text', (c) => c.notNull())
    .addColumn('source_object', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('target_connection_id', 'text', (c) => c.notNull())
    .addColumn('target_object', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('last_sync_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('remark', 'text')
    .addColumn('payload_hash', 'text')
    .addPrimaryKeyConstraint('sync_links_pk', [
      'source_connection_id',
      'source_object',
      'source_key',
      'target_connection_id',
      'target_object',
    ])
    .execute();
  await db.schema
    .createIndex('sync_links_external')
    .on('sync_links')
    .columns(['target_connection_id', 'target_object', 'external_id'])
    .execute();

  await db.schema
    .createTable('checkpoints')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id').onDelete('cascade'))
    .addColumn('watermark', 'text')
    .addColumn('in_progress', 'text')
    .addColumn('execution_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
