import { Kysely, type LogConfig, PostgresDialect, SqliteDialect } from 'kysely';
import type { Logger } from 'pino';
import { ValidationError } from '../../core/errors.ts';
import { withUrlPassword } from '../../core/url-credentials.ts';
import { type FileAccess, UNCONFINED_FILES } from '../file-access.ts';

/** The business system's database as Kysely sees it; its tables are whatever the customer has. */
// biome-ignore lint/suspicious/noExplicitAny: the customer's schema is unknown at compile time (Kysely's idiom for schema-less databases)
export type BusinessDb = Kysely<any>;

/**
 * Opens the business system's database: `sqlite:<file>` or `postgres://…`. Unlike Junction's own store
 * it never creates a file or changes the database's journal mode: the database belongs to the customer.
 */
export async function openBusinessDb(
  url: string,
  password?: string,
  log?: Logger,
  files: FileAccess = UNCONFINED_FILES,
): Promise<{ db: BusinessDb; dialect: 'sqlite' | 'postgres' }> {
  // Every statement at debug level: what the connector asks of the customer's database is auditable.
  const logConfig: LogConfig | undefined = log?.isLevelEnabled('debug')
    ? (event) => {
        if (event.level === 'query')
          log.debug(
            { sql: event.query.sql, parameters: event.query.parameters.length },
            'business database query',
          );
      }
    : undefined;
  if (url.startsWith('sqlite:')) {
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
    return {
      db: new Kysely({ dialect: new SqliteDialect({ database: db }), log: logConfig }),
      dialect: 'sqlite',
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    // pg lets the connection string's (empty) password win over a `password` option: the secret's
    // password goes into the string itself.
    const pool = new pg.Pool({ connectionString: password ? withUrlPassword(url, password) : url, max: 4 });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return {
      db: new Kysely({ dialect: new PostgresDialect({ pool }), log: logConfig }),
      dialect: 'postgres',
    };
  }
  throw new ValidationError(
    `unsupported database URL '${url.replace(/\/\/[^@]*@/, '//***@')}' (expected sqlite:<file> or postgres://…)`,
  );
}
