import { type Kysely, type Migration, Migrator } from 'kysely';
import { JunctionError } from '../core/errors.ts';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-auth.ts';
import * as m0003 from './migrations/0003-settings.ts';
import * as m0004 from './migrations/0004-hubspot.ts';
import * as m0005 from './migrations/0005-page-sequence.ts';
import * as m0006 from './migrations/0006-external-number.ts';
import * as m0007 from './migrations/0007-link-status-index.ts';
import * as m0008 from './migrations/0008-api-token-expiry.ts';
import * as m0009 from './migrations/0009-run-lease.ts';
import * as m0010 from './migrations/0010-live-account-worklist.ts';
import * as m0011 from './migrations/0011-write-journal.ts';
import * as m0012 from './migrations/0012-worklist-index.ts';
import * as m0013 from './migrations/0013-workspaces.ts';
import * as m0014 from './migrations/0014-rate-limit-parties.ts';
import * as m0015 from './migrations/0015-workspace-rate-share.ts';
import * as m0016 from './migrations/0016-token-workspace.ts';
import * as m0017 from './migrations/0017-rate-limit-server-word.ts';
import * as m0018 from './migrations/0018-run-waits.ts';
import type { Dialect } from './store.ts';

/** Migration failed; the store is left at the last migration that succeeded. */
export class MigrationError extends JunctionError {
  override readonly code = 'migration_failed';
}

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': { up: (db) => m0001.up(db, dialect) },
    '0003-settings': { up: (db) => m0003.up(db, dialect) },
    '0002-auth': { up: (db) => m0002.up(db) },
    '0004-hubspot': { up: (db) => m0004.up(db) },
    '0005-page-sequence': { up: (db) => m0005.up(db) },
    '0006-external-number': { up: (db) => m0006.up(db) },
    '0007-link-status-index': { up: (db) => m0007.up(db) },
    '0008-api-token-expiry': { up: (db) => m0008.up(db) },
    '0009-run-lease': { up: (db) => m0009.up(db) },
    '0010-live-account-worklist': { up: (db) => m0010.up(db) },
    '0011-write-journal': { up: (db) => m0011.up(db) },
    '0012-worklist-index': { up: (db) => m0012.up(db) },
    '0013-workspaces': { up: (db) => m0013.up(db) },
    '0014-rate-limit-parties': { up: (db) => m0014.up(db) },
    '0015-workspace-rate-share': { up: (db) => m0015.up(db) },
    '0016-token-workspace': { up: (db) => m0016.up(db) },
    '0017-rate-limit-server-word': { up: (db) => m0017.up(db) },
    '0018-run-waits': { up: (db) => m0018.up(db) },
  };
}

/**
 * Applies every pending migration; safe to call on every start (and from several processes). `upTo` stops
 * after the named migration (tests build a store as an older version left it, then upgrade it).
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Migrator takes a schema-less Kysely<any>
  db: Kysely<any>,
  dialect: Dialect,
  o: { upTo?: string } = {},
): Promise<string[]> {
  // Unordered: features land in parallel branches, each with its own numbered migration.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    allowUnorderedMigrations: true,
  });
  const { error, results } = o.upTo ? await migrator.migrateTo(o.upTo) : await migrator.migrateToLatest();
  if (error)
    throw new MigrationError(`database migration failed: ${String((error as Error).message ?? error)}`, {
      cause: error,
    });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
