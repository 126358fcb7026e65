import { join } from 'node:path';
import { Kysely } from 'kysely';
import { createPostgresDialect } from './dialect/postgres.ts';
import { createSqliteDialect } from './dialect/sqlite.ts';
import { migrateToLatest } from './migrate.ts';
import { createAssociationRepository } from './repositories/associations.ts';
import { createAuditRepository } from './repositories/audit.ts';
import { createConnectionRepository } from './repositories/connections.ts';
import { createErrorWorklist } from './repositories/error-worklist.ts';
import { createExecutionRepository } from './repositories/executions.ts';
import { createMappingRepository } from './repositories/mappings.ts';
import { createSettingsRepository } from './repositories/settings.ts';
import { createSyncLinkRepository } from './repositories/sync-links.ts';
import { createSyncStateRepository } from './repositories/sync-state.ts';
import { createTaskRepository } from './repositories/tasks.ts';
import { createUserRepository } from './repositories/users.ts';
import { createWorkspaceRepository } from './repositories/workspaces.ts';
import { createWriteJournalRepository } from './repositories/write-journal.ts';
import type { Database } from './schema.ts';
import type { SecretBox } from './secret-box.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; absent, SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder for the SQLite file (default `./junction-data`). */
  dataDir?: string | undefined;
  /** Seals connection secrets at rest. */
  secretBox: SecretBox;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /**
   * Told once per stored mapping or task (and set of keys) that carries keys this version does not know: a
   * row saved before unknown keys were refused. They are left out when it is read; its next save drops them.
   */
  onUnknownKeys?: (stored: StoredUnknownKeys) => void;
}

/** A stored mapping's or task's keys this version does not know (`matchKey.tagret`), left out when read. */
export interface StoredUnknownKeys {
  kind: 'mapping' | 'task';
  id: string;
  keys: string[];
}

/** The one door to persisted state: repositories over one Kysely instance. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly connections: ReturnType<typeof createConnectionRepository>;
  readonly mappings: ReturnType<typeof createMappingRepository>;
  readonly tasks: ReturnType<typeof createTaskRepository>;
  readonly executions: ReturnType<typeof createExecutionRepository>;
  readonly syncLinks: ReturnType<typeof createSyncLinkRepository>;
  readonly settings: ReturnType<typeof createSettingsRepository>;
  readonly users: ReturnType<typeof createUserRepository>;
  readonly audit: ReturnType<typeof createAuditRepository>;
  readonly associations: ReturnType<typeof createAssociationRepository>;
  readonly syncState: ReturnType<typeof createSyncStateRepository>;
  /** What runs started in other systems and have not finished (engine/write-journal.ts). */
  readonly writeJournal: ReturnType<typeof createWriteJournalRepository>;
  /** The error log: one row per record and task that fails now, with resolve/ignore marks. */
  readonly errors: ReturnType<typeof createErrorWorklist>;
  /** Workspaces, their limits and members. */
  readonly workspaces: ReturnType<typeof createWorkspaceRepository>;
  /**
   * The same store seen from one workspace: connections, mappings, tasks, runs, errors, links and audit
   * entries of other workspaces do not exist for it, and what it creates belongs to the workspace. The API
   * hands each request this view; the scheduler, the run service and the CLI work on the whole store.
   */
  inWorkspace(workspaceId: string): Store;
  /** The workspace this view is of; undefined: the whole instance. */
  readonly workspaceId: string | undefined;
  close(): Promise<void>;
}

/** Opens the store named by the options and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const url = options.databaseUrl;
  const dialect: Dialect = url && /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  const kyselyDialect =
    dialect === 'postgres'
      ? await createPostgresDialect(url as string)
      : await createSqliteDialect(
          url?.startsWith('sqlite:') ? url.slice(7) : join(options.dataDir ?? 'junction-data', 'junction.db'),
        );
  const db = new Kysely<Database>({ dialect: kyselyDialect });
  if (options.migrate !== false) await migrateToLatest(db, dialect);
  // Every list of a mapping reads it: told once, not at every run and page view.
  const told = new Set<string>();
  const unknownKeys = (stored: StoredUnknownKeys) => {
    const key = JSON.stringify(stored);
    if (told.has(key)) return;
    told.add(key);
    options.onUnknownKeys?.(stored);
  };
  const shared = {
    db,
    dialect,
    settings: createSettingsRepository(db, options.secretBox),
    users: createUserRepository(db),
    associations: createAssociationRepository(db),
    syncState: createSyncStateRepository(db),
    writeJournal: createWriteJournalRepository(db),
    workspaces: createWorkspaceRepository(db, dialect),
    close: () => db.destroy(),
  };
  const view = (workspaceId: string | undefined): Store => ({
    ...shared,
    workspaceId,
    connections: createConnectionRepository(db, options.secretBox, workspaceId),
    mappings: createMappingRepository(db, workspaceId, unknownKeys),
    tasks: createTaskRepository(db, workspaceId, unknownKeys),
    executions: createExecutionRepository(db, workspaceId, dialect),
    syncLinks: createSyncLinkRepository(db, dialect, workspaceId),
    audit: createAuditRepository(db, options.secretBox, workspaceId),
    errors: createErrorWorklist(db, workspaceId),
    inWorkspace: (id: string) => view(id),
  });
  return view(undefined);
}
