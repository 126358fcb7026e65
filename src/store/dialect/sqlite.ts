import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect } from 'kysely';

/** A Kysely dialect over a SQLite file (WAL, so a CLI run and the server can share it). */
export async function createSqliteDialect(file: string): Promise<SqliteDialect> {
  const { default: Database } = await import('better-sqlite3');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  return new SqliteDialect({ database: db });
}
