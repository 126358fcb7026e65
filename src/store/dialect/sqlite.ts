import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect } from 'kysely';

/**
 * The store's page cache, in KiB. better-sqlite3 builds SQLite with a 16 MB cache per connection (SQLite's own
 * default is 2 MB): a long run fills it, which was ~20 MB of a 100 000-row run's peak RSS. The pages a run
 * touches are the b-tree's upper levels and the leaves of the page it works on; the operating system's file
 * cache holds the rest.
 */
const STORE_CACHE_KIB = 4000;

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
  db.pragma(`cache_size = -${STORE_CACHE_KIB}`);
  return new SqliteDialect({ database: db });
}
