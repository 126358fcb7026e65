import type { Kysely, LogConfig } from 'kysely';
import type { Logger } from 'pino';
import { ValidationError } from '../../core/errors.ts';
import { type FileAccess, UNCONFINED_FILES } from '../file-access.ts';
import type { BusinessDialect } from './dialect/business-dialect.ts';
import { mysqlDialect } from './dialect/mysql.ts';
import { postgresDialect } from './dialect/postgres.ts';
import { sqliteDialect } from './dialect/sqlite.ts';

/** The business system's database as Kysely sees it; its tables are whatever the customer has. */
// biome-ignore lint/suspicious/noExplicitAny: the customer's schema is unknown at compile time (Kysely's idiom for schema-less databases)
export type BusinessDb = Kysely<any>;

/** The databases a business system may run on; the URL's scheme picks one. */
export const BUSINESS_DB_DIALECTS: readonly BusinessDialect[] = [
  sqliteDialect,
  postgresDialect,
  mysqlDialect,
];

/**
 * Opens the business system's database: `sqlite:<file>`, `postgres://…`, `mysql://…` or `mariadb://…`.
 * Unlike Junction's own store it never creates a file or changes the database's settings: the database
 * belongs to the customer.
 */
export async function openBusinessDb(
  url: string,
  password?: string,
  log?: Logger,
  files: FileAccess = UNCONFINED_FILES,
): Promise<{ db: BusinessDb; dialect: BusinessDialect }> {
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
  const dialect = BUSINESS_DB_DIALECTS.find((d) => d.accepts(url));
  if (!dialect)
    throw new ValidationError(
      `unsupported database URL '${url.replace(/\/\/[^@]*@/, '//***@')}' (expected ${BUSINESS_DB_DIALECTS.map((d) => d.urlForm).join(', ')})`,
    );
  return { db: await dialect.open({ url, password, log: logConfig, files }), dialect };
}
