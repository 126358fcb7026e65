import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect } from 'kysely';

/** A Kysely dialect over a SQLite file (WAL, so a CLI run and the server can share it). */
export async function createSqliteDialect(file: string): Promise<SqliteDialect> {
  const { default: Database } = await import('better-sqlite3');
  if (file !== ':memory:') {
    // Only Junction's user may read the store (password hashes, sealed secrets, run payloads): a new
    // folder is 0700, the file 0600 (SQLite gives its -wal and -shm files the same mode).
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    // An older data folder's files were 0644: tightened on open.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  return new SqliteDialect({ database: db });
}
