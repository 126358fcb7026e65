import { Kysely, SqliteDialect, sql } from 'kysely';
import { ValidationError } from '../../../core/errors.ts';
import type { BusinessDb } from '../database.ts';
import { type BusinessDialect, bindWith, type ForeignKey } from './business-dialect.ts';

async function primaryKeyColumns(db: BusinessDb, table: string): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
  // A table without a declared key is addressed by its rowid.
  return rows.length ? rows.map((r) => r.name) : ['rowid'];
}

/** SQLite files (`sqlite:<file>`), opened only inside the operator's folders. */
export const sqliteDialect: BusinessDialect = {
  name: 'sqlite',
  urlForm: 'sqlite:<file>',
  accepts: (url) => url.startsWith('sqlite:'),
  async open({ url, log, files }) {
    const { default: Database } = await import('better-sqlite3');
    const name = url.slice('sqlite:'.length);
    // Only files inside the operator's folders, opened by their real path (never a `file:` URI).
    const file = name === ':memory:' ? name : files.resolve(name);
    let db: import('better-sqlite3').Database;
    try {
      db = new Database(file, { fileMustExist: true });
    } catch (err) {
      throw new ValidationError(`the SQLite database '${name}' cannot be opened`, {
        cause: err,
        details: { field: 'config.url' },
      });
    }
    db.pragma('busy_timeout = 10000');
    // SQLite's own default page cache (2 MB), not better-sqlite3's 16 MB: a read walks the table once by its key
    // or modified column, so a bigger cache only grows the run's memory (see the store's STORE_CACHE_KIB).
    db.pragma('cache_size = -2000');
    return new Kysely({ dialect: new SqliteDialect({ database: db }), log });
  },
  primaryKeyColumns,
  async foreignKeys(db, tables) {
    const out: ForeignKey[] = [];
    for (const table of tables) {
      const { rows } = await sql<{ id: number; table: string; from: string; to: string | null }>`
        select id, "table", "from", "to" from pragma_foreign_key_list(${table})`.execute(db);
      const columnsPerKey = new Map<number, number>();
      for (const r of rows) columnsPerKey.set(r.id, (columnsPerKey.get(r.id) ?? 0) + 1);
      for (const r of rows) {
        if (columnsPerKey.get(r.id) !== 1) continue;
        // A reference without a column names the referenced table's primary key.
        const key = r.to ? [r.to] : await primaryKeyColumns(db, r.table).catch(() => []);
        if (key.length === 1)
          out.push({ table, column: r.from, refTable: r.table, refColumn: key[0] as string });
      }
    }
    return out;
  },
  // SQLite binds neither Date nor boolean: ISO text is what its date columns hold, 1/0 its booleans.
  bind: (value) =>
    bindWith(
      value,
      (d) => d.toISOString(),
      (b) => (b ? 1 : 0),
    ),
  cursorParam: (value) => value,
  // Its timestamps are the text written, read back unchanged with every digit.
  cursorText: () => null,
  async insertRow(db, { table, values, primaryKey }) {
    const row = await db
      .insertInto(table)
      .values(values)
      .returning(sql.ref(primaryKey).as('pk'))
      .executeTakeFirstOrThrow();
    return (row as { pk: unknown }).pk;
  },
  isDataError(err) {
    const code = String((err as { code?: unknown }).code ?? '');
    return code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH';
  },
};
