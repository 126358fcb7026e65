import { type Kysely, type Migration, Migrator } from 'kysely';
import { JunctionError } from '../core/errors.ts';
import type { Dialect } from './store.ts';
import * as m0001 from './migrations/0001-initial.ts';

/** Migration failed; the store is left at the last migration that succeeded. */
export class MigrationError extends JunctionError {
  override readonly code = 'migration_failed';
}

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': { up: (db) => m0001.up(db, dialect) },
  };
}

/** Applies every pending migration; safe to call on every start (and from several processes). */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(dialect) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new MigrationError(`database migration failed: ${String((error as Error).message ?? error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
