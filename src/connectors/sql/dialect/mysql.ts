import { CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely';
import { ValidationError } from '../../../core/errors.ts';
import { type BusinessDialect, bindWith, type ForeignKey } from './business-dialect.ts';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The pool's connection settings from a `mysql://` or `mariadb://` URL. Only `ssl=true` may follow as a
 * parameter: mysql2 would take any option from the query string, local file access included.
 */
function connectionOptions(url: string, password: string | undefined) {
  const u = new URL(url);
  const params = [...u.searchParams.keys()];
  const unknown = params.filter((p) => p !== 'ssl');
  if (unknown.length)
    throw new ValidationError(`unsupported MySQL URL parameter ${unknown.map((p) => `'${p}'`).join(', ')}`, {
      details: { field: 'config.url' },
    });
  const database = decodeURIComponent(u.pathname.slice(1));
  if (!database)
    throw new ValidationError('the MySQL URL names no database (mysql://user@host:3306/<database>)', {
      details: { field: 'config.url' },
    });
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: password ?? decodeURIComponent(u.password),
    database,
    ...(u.searchParams.get('ssl') === 'true' ? { ssl: {} } : {}),
  };
}

/**
 * MySQL and MariaDB (`mysql://user@host:3306/db`, `mariadb://…`) through mysql2. Sessions run in UTC
 * (DATETIME values are read and written as UTC, as the expression compiler assumes), and backslashes in
 * quoted text are escapes, as mysql2 writes them.
 */
export const mysqlDialect: BusinessDialect = {
  name: 'mysql',
  urlForm: 'mysql://… or mariadb://…',
  accepts: (url) => /^(mysql|mariadb):\/\//.test(url),
  async open({ url, password, log }) {
    const { createPool } = await import('mysql2');
    const pool = createPool({
      ...connectionOptions(url, password),
      connectionLimit: 4,
      timezone: 'Z',
      // BIGINT keys beyond 2^53 arrive as text rather than rounded.
      supportBigNumbers: true,
      charset: 'utf8mb4',
    });
    // A connection that loses its server must not crash the process; the query in flight rejects anyway.
    pool.on('connection', (connection) => connection.on('error', () => {}));
    return new Kysely({
      dialect: new MysqlDialect({
        pool,
        async onCreateConnection(connection) {
          await connection.executeQuery(
            CompiledQuery.raw(
              "SET time_zone = '+00:00', sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
            ),
          );
        },
      }),
      log,
    });
  },
  async primaryKeyColumns(db, table) {
    const { rows } = await sql<{ name: string }>`select COLUMN_NAME as name
      from information_schema.KEY_COLUMN_USAGE
      where TABLE_SCHEMA = database() and TABLE_NAME = ${table} and CONSTRAINT_NAME = 'PRIMARY'
      order by ORDINAL_POSITION`.execute(db);
    return rows.map((r) => r.name);
  },
  async foreignKeys(db) {
    const { rows } = await sql<ForeignKey>`
      select k.TABLE_NAME as \`table\`, k.COLUMN_NAME as \`column\`, k.REFERENCED_TABLE_NAME as refTable,
        k.REFERENCED_COLUMN_NAME as refColumn
      from information_schema.KEY_COLUMN_USAGE k
      where k.TABLE_SCHEMA = database() and k.REFERENCED_TABLE_SCHEMA = database()
        and k.REFERENCED_TABLE_NAME is not null
        and (select count(*) from information_schema.KEY_COLUMN_USAGE o
          where o.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA and o.TABLE_NAME = k.TABLE_NAME
            and o.CONSTRAINT_NAME = k.CONSTRAINT_NAME) = 1
      order by k.TABLE_NAME, k.COLUMN_NAME`.execute(db);
    return rows;
  },
  // mysql2 writes a Date as UTC DATETIME text (timezone 'Z') and a boolean as TRUE/FALSE (1/0).
  bind: (value) =>
    bindWith(
      value,
      (d) => d,
      (b) => b,
    ),
  // A DATETIME compared with ISO text that ends in `Z` is compared by luck. UTC text goes as a DATETIME
  // literal with all its digits (a Date would lose the microseconds: mysql2 writes milliseconds); a DATE,
  // or text with another offset, goes as the Date it names.
  cursorParam: (value, type) =>
    (type === 'datetime' || type === 'date') && typeof value === 'string' && ISO_TIME.test(value)
      ? type === 'datetime' && value.endsWith('Z')
        ? value.slice(0, -1).replace('T', ' ')
        : new Date(value)
      : value,
  // The session runs in UTC, so a TIMESTAMP shows as UTC too; %f is six digits.
  cursorText: (column, dataType) =>
    dataType === 'datetime' || dataType === 'timestamp'
      ? sql<string>`DATE_FORMAT(${sql.ref(column)}, '%Y-%m-%dT%H:%i:%s.%fZ')`
      : null,
  async insertRow(db, { table, values, primaryKey }) {
    // MySQL has no RETURNING: the key is the one written, or the AUTO_INCREMENT value the insert drew.
    const result = await db.insertInto(table).values(values).executeTakeFirst();
    const key = values[primaryKey] ?? result.insertId;
    if (key === undefined || key === null)
      throw new ValidationError(
        `'${table}' assigned its key '${primaryKey}' neither from the written values nor by AUTO_INCREMENT`,
      );
    return key;
  },
  // SQLSTATE class 22 (data exception: too long, out of range, bad date) and 23 (constraint violation).
  isDataError: (err) => /^2[23]/.test(String((err as { sqlState?: unknown }).sqlState ?? '')),
};
