import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createFileAccess, type FileAccess } from '../connectors/file-access.ts';
import { JunctionError } from '../core/errors.ts';

/** Settings that come from the process environment (12-factor), resolved once at start-up. */
export interface Environment {
  /** Folder for the embedded SQLite store and the generated secret key. */
  dataDir: string;
  /** `postgres://…` to use PostgreSQL instead of the embedded SQLite. */
  databaseUrl: string | undefined;
  port: number;
  logLevel: string;
  /**
   * Folders whose files connections may read (spreadsheets, `sqlite:` business databases) and where
   * uploads land (the first): JUNCTION_FILES_DIR, several separated by the path delimiter (`:`).
   */
  filesDirs: string[];
  /**
   * Junction's own folder for files uploaded from the dashboard (connection files, samples being read):
   * JUNCTION_UPLOADS_DIR, default `<dataDir>/uploads`. Junction cleans it up, so it is never the customer's
   * files folder; with workers on other machines it must be shared like JUNCTION_FILES_DIR.
   */
  uploadsDir: string;
}

/** Reads JUNCTION_DATA_DIR, DATABASE_URL, PORT, LOG_LEVEL, JUNCTION_FILES_DIR and JUNCTION_UPLOADS_DIR. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const dataDir = resolve(env.JUNCTION_DATA_DIR ?? 'junction-data');
  const filesDirs = (env.JUNCTION_FILES_DIR ?? '')
    .split(delimiter)
    .filter((d) => d.trim() !== '')
    .map((d) => resolve(d));
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    port: Number(env.PORT ?? 3000),
    logLevel: env.LOG_LEVEL ?? 'info',
    filesDirs: filesDirs.length ? filesDirs : [join(dataDir, 'files')],
    uploadsDir: env.JUNCTION_UPLOADS_DIR?.trim()
      ? resolve(env.JUNCTION_UPLOADS_DIR)
      : join(dataDir, 'uploads'),
  };
}

/** Junction's uploads folder (`uploadsDir`, default `<dataDir>/uploads`). */
export function uploadsDirOf(
  env: Pick<Environment, 'dataDir'> & Partial<Pick<Environment, 'uploadsDir'>>,
): string {
  return env.uploadsDir ?? join(env.dataDir, 'uploads');
}

/**
 * Where uploaded imports are kept: `imports` in the first files folder (the hub and `junction erase` agree),
 * each workspace's in its part of it (`core/workspace-folders.ts`).
 */
export function importsDirOf(env: Pick<Environment, 'filesDirs'>): string {
  return join(env.filesDirs[0] as string, 'imports');
}

/**
 * The hub's file policy: connections read only inside `filesDirs` and Junction's uploads folder (each
 * created 0700 when missing), never the data folder's own files (secret key, store, …) nor a
 * SQLite store kept elsewhere. Each workspace reads only its own part (`forWorkspace`): `default` the
 * folders themselves without their `workspaces/`, every other workspace `workspaces/<id>/` of the first
 * files folder and of the uploads folder. Relative paths start at the workspace's files folder.
 */
export function fileAccessOf(
  env: Pick<Environment, 'dataDir' | 'databaseUrl' | 'filesDirs'> & Partial<Pick<Environment, 'uploadsDir'>>,
): FileAccess {
  // Made now, not at the first upload: the policy holds each folder's real path (symlinks resolved).
  const folders = [...env.filesDirs, uploadsDirOf(env)];
  for (const dir of folders) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const storeFile = env.databaseUrl?.startsWith('sqlite:') ? [env.databaseUrl.slice('sqlite:'.length)] : [];
  return createFileAccess({
    folders,
    // Imports are kept in the first files folder (uploads and error files of every workspace): no connection
    // may name them, so one workspace cannot read another's upload by its path.
    protect: [env.dataDir, importsDirOf(env), ...storeFile],
    // One customer's admin must not name another customer's file: each workspace has its own part.
    shared: [env.filesDirs[0] as string, uploadsDirOf(env)],
  });
}

/**
 * The 32-byte key that seals connection secrets: JUNCTION_SECRET_KEY (64 hex chars or base64), or one
 * generated on first start into `<dataDir>/secret.key` with mode 0600.
 */
export function loadSecretKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const given = env.JUNCTION_SECRET_KEY?.trim();
  if (given) {
    const key = /^[0-9a-f]{64}$/i.test(given) ? Buffer.from(given, 'hex') : Buffer.from(given, 'base64');
    if (key.length !== 32)
      throw new JunctionError('JUNCTION_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
    return key;
  }
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
