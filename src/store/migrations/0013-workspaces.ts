import { type Kysely, sql } from 'kysely';

/**
 * Workspaces (issue 21): a customer or a department, owning its connections, mappings and tasks (and
 * through them executions, links, errors and audit entries). Everything that exists moves into `default`.
 * - `workspaces`: name and the limits the instance administrator sets (interval range, concurrent runs).
 * - `workspace_members`: a user's role in a workspace (`admin`, `operator`, `viewer`). `users.role` stays the
 *   instance role: `admin` is the instance administrator (everything, everywhere); anyone else works only
 *   where a membership says. Every existing viewer becomes a viewer of `default`.
 * - `api_tokens.workspace_id`: a token acts in one workspace; tokens from before act in `default`.
 * - `audit_log.workspace_id`: the workspace an entry was made in (null: the instance's, or from before; those
 *   of a connection are the connection's workspace's).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite runs DDL outside a transaction: each step may find itself done by a start that died half-way.
  await db.schema
    .createTable('workspaces')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('min_interval_minutes', 'real', (c) => c.notNull().defaultTo(10))
    .addColumn('max_interval_minutes', 'real', (c) => c.notNull().defaultTo(45))
    .addColumn('max_concurrent_runs', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('workspace_members')
    .ifNotExists()
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_members_pk', ['workspace_id', 'user_id'])
    .execute();
  const now = new Date().toISOString();
  await sql`insert into workspaces (id, name, min_interval_minutes, max_interval_minutes, created_at, updated_at)
    select 'default', 'Default', 10, 45, ${now}, ${now}
    where not exists (select 1 from workspaces where id = 'default')`.execute(db);
  const tables = await db.introspection.getTables();
  const has = (table: string, column: string) =>
    tables.some((t) => t.name === table && t.columns.some((c) => c.name === column));
  for (const table of ['connections', 'mapping_definitions', 'tasks'] as const) {
    if (!has(table, 'workspace_id'))
      await db.schema
        .alterTable(table)
        .addColumn('workspace_id', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
    await db.schema
      .createIndex(`${table}_workspace`)
      .ifNotExists()
      .on(table)
      .column('workspace_id')
      .execute();
  }
  // Configuration changes inside a workspace are its own to read; entries of the instance (logins) have none.
  if (!has('audit_log', 'workspace_id'))
    await db.schema.alterTable('audit_log').addColumn('workspace_id', 'text').execute();
  if (!has('api_tokens', 'workspace_id'))
    await db.schema.alterTable('api_tokens').addColumn('workspace_id', 'text').execute();
  await sql`insert into workspace_members (workspace_id, user_id, role)
    select 'default', id, 'viewer' from users
    where role <> 'admin' and not exists (
      select 1 from workspace_members m where m.workspace_id = 'default' and m.user_id = users.id)`.execute(
    db,
  );
}
