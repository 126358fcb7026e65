import { Kysely, PostgresDialect, sql } from 'kysely';
import { withUrlPassword } from '../../../core/url-credentials.ts';
import {
  type BusinessDialect,
  bindWith,
  type ChangedTable,
  type ChangeNotifications,
  type ForeignKey,
} from './business-dialect.ts';

/** The channel Junction's triggers notify on; the payload names the changed table (see `changedTable`). */
const CHANNEL = 'junction_changes';
/** Junction's objects in the customer's database carry this prefix, so they are recognisable as ours. */
const FUNCTION = 'junction_notify_change';
/** A table's trigger; triggers are named per table, so a schema-qualified name needs only its table part. */
const triggerName = (table: string) => `junction_changes_${tablePart(table)}`.slice(0, 63);
/** `sales.people` → `people` (Kysely reads a dotted name as schema and table, as `sql.table` does). */
const tablePart = (table: string) => table.slice(table.lastIndexOf('.') + 1);

/** `to_char`'s picture of ISO-8601 UTC with microseconds, all a timestamp holds. */
const PG_ISO_MICROSECONDS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * The URL pg connects with, holding the secret's password. A URL without a host (a Unix socket:
 * `postgres://app@/db?host=/var/run/postgresql`, `postgres:///db?host=…`) has no userinfo the URL parser keeps —
 * it refuses the first (`Invalid URL`) and drops a password set on the second — though pg reads both: there the
 * password goes in as a `password` parameter, which pg reads too (and prefers to the userinfo's).
 */
export function connectionString(url: string, password: string | undefined): string {
  if (!password) return url;
  if (URL.canParse(url) && new URL(url).host !== '') return withUrlPassword(url, password);
  const hash = url.indexOf('#');
  const [head, fragment] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${head}${head.includes('?') ? '&' : '?'}password=${encodeURIComponent(password)}${fragment}`;
}

/**
 * The table a notification names: `{"schema":…,"table":…}` (a table of another schema, or one that needs
 * quoting, is named without ambiguity), or the bare table name that triggers installed before sent.
 */
export function changedTable(payload: string): ChangedTable | null {
  if (!payload.startsWith('{')) return payload ? { schema: null, table: payload } : null;
  try {
    const { schema, table } = JSON.parse(payload) as { schema?: unknown; table?: unknown };
    return typeof table === 'string' ? { schema: typeof schema === 'string' ? schema : null, table } : null;
  } catch {
    return null;
  }
}

/**
 * LISTEN/NOTIFY: a statement-level trigger (one notification per statement, however many rows: a mass
 * UPDATE of 100 000 rows costs one; the database folds equal notifications within a transaction into one,
 * and sends them only on commit) tells a listener which table changed. The run that follows reads the
 * changes by the modified column, so a notification carries no keys and a lost one loses nothing but time
 * (the poll is the safety net). Names go in as identifiers (`sql.table`, `sql.id`), never as text.
 */
const pgNotifications: ChangeNotifications = {
  async install(db, table) {
    await sql`create or replace function ${sql.raw(FUNCTION)}() returns trigger language plpgsql as $$
      begin perform pg_notify(${sql.lit(CHANNEL)},
        json_build_object('schema', tg_table_schema, 'table', tg_table_name)::text); return null; end $$`.execute(
      db,
    );
    await sql`drop trigger if exists ${sql.id(triggerName(table))} on ${sql.table(table)}`.execute(db);
    await sql`create trigger ${sql.id(triggerName(table))} after insert or update or delete or truncate
      on ${sql.table(table)} for each statement execute function ${sql.raw(FUNCTION)}()`.execute(db);
  },
  async remove(db, table) {
    await sql`drop trigger if exists ${sql.id(triggerName(table))} on ${sql.table(table)}`.execute(db);
  },
  async listen({ url, password }, onTable, onLost) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: connectionString(url, password),
      application_name: 'junction-changes',
    });
    let stopped = false;
    client.on('notification', (n) => {
      const changed = n.channel === CHANNEL && n.payload ? changedTable(n.payload) : null;
      if (changed) onTable(changed);
    });
    client.on('error', (err) => {
      if (!stopped) onLost(err);
    });
    client.on('end', () => {
      if (!stopped) onLost(new Error('the notification connection ended'));
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    return async () => {
      stopped = true;
      await client.end().catch(() => {});
    };
  },
};

/** `sales.people` → `"sales"."people"`: each part an identifier, as Kysely names the table in queries. */
const quotedName = (table: string) =>
  table
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');

/** PostgreSQL (`postgres://…`, `postgresql://…`): the tables of the connection's current schema. */
export const postgresDialect: BusinessDialect = {
  name: 'postgres',
  urlForm: 'postgres://…',
  accepts: (url) => /^postgres(ql)?:\/\//.test(url),
  async open({ url, password, log }) {
    const { default: pg } = await import('pg');
    // pg lets the connection string's (empty) password win over a `password` option: the secret's
    // password goes into the string itself.
    const pool = new pg.Pool({ connectionString: connectionString(url, password), max: 4 });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return new Kysely({ dialect: new PostgresDialect({ pool }), log });
  },
  async primaryKeyColumns(db, table) {
    const { rows } = await sql<{ name: string }>`select a.attname as name from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = to_regclass(${quotedName(table)}) and i.indisprimary`.execute(db);
    return rows.map((r) => r.name);
  },
  async foreignKeys(db) {
    const { rows } = await sql<ForeignKey>`
      select cl.relname as "table", att.attname as "column", fcl.relname as "refTable", fatt.attname as "refColumn"
      from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid
      join pg_namespace ns on ns.oid = cl.relnamespace
      join pg_class fcl on fcl.oid = con.confrelid
      join pg_attribute att on att.attrelid = con.conrelid and att.attnum = con.conkey[1]
      join pg_attribute fatt on fatt.attrelid = con.confrelid and fatt.attnum = con.confkey[1]
      where con.contype = 'f' and array_length(con.conkey, 1) = 1 and ns.nspname = current_schema()
      order by cl.relname, att.attname`.execute(db);
    return rows;
  },
  bind: (value) =>
    bindWith(
      value,
      (d) => d,
      (b) => b,
    ),
  // ISO text compares with timestamptz as the time it names (and with timestamp as its wall time: the zone
  // of a literal for a timestamp without time zone is ignored).
  cursorParam: (value) => value,
  cursorText: (column, dataType) =>
    dataType === 'timestamptz'
      ? sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', ${sql.raw(PG_ISO_MICROSECONDS)})`
      : dataType === 'timestamp'
        ? sql<string>`to_char(${sql.ref(column)}, ${sql.raw(PG_ISO_MICROSECONDS)})`
        : null,
  async insertRow(db, { table, values, primaryKey }) {
    const row = await db
      .insertInto(table)
      .values(values)
      .returning(sql.ref(primaryKey).as('pk'))
      .executeTakeFirstOrThrow();
    return (row as { pk: unknown }).pk;
  },
  // Class 22 (data exception) and 23 (integrity constraint violation).
  isDataError: (err) => /^2[23]/.test(String((err as { code?: unknown }).code ?? '')),
  notifications: pgNotifications,
};
