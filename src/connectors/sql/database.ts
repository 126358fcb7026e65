import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';

/** The business system's database as Kysely sees it; its tables are whatever the customer has. */
export type BusinessDb = Kysely<any>;

/**
 * Opens the business system's database: `sqlite:<file>` or `postgres://…`. Unlike Junction's own store
 * it never creates a file or changes the database's journal mode: the database belongs to the customer.
 */
export async function openBusinessDb(url: string, password?: string): Promise<{ db: BusinessDb; dialect: 'sqlite' | 'postgres' }> {
  if (url.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const file = url.slice('sqlite:'.length);
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    return { db: new Kysely({ dialect: new SqliteDialect({ database: db }) }), dialect: 'sqlite' };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 4, ...(password ? { password } : {}) });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return { db: new Kysely({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  throw new Error(`unsupported database URL '${url.replace(/\/\/[^@]*@/, '//***@')}' (expected sqlite:<file> or postgres://…)`);
}
