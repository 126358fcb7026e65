import { Kysely, PostgresDialect, sql } from 'kysely';
import { withUrlPassword } from '../../../core/url-credentials.ts';
import { type BusinessDialect, bindWith, type ForeignKey } from './business-dialect.ts';

/** PostgreSQL (`postgres://…`, `postgresql://…`): the tables of the connection's current schema. */
export const postgresDialect: BusinessDialect = {
  name: 'postgres',
  urlForm: 'postgres://…',
  accepts: (url) => /^postgres(ql)?:\/\//.test(url),
  async open({ url, password, log }) {
    const { default: pg } = await import('pg');
    // pg lets the connection string's (empty) password win over a `password` option: the secret's
    // password goes into the string itself.
    const pool = new pg.Pool({ connectionString: password ? withUrlPassword(url, password) : url, max: 4 });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return new Kysely({ dialect: new PostgresDialect({ pool }), log });
  },
  async primaryKeyColumns(db, table) {
    const { rows } = await sql<{ name: string }>`select a.attname as name from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = to_regclass(quote_ident(${table})) and i.indisprimary`.execute(db);
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
  // ISO text compares with timestamptz as the time it names.
  cursorParam: (value) => value,
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
};
