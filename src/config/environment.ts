import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JunctionError } from '../core/errors.ts';

/** Settings that come from the process environment (12-factor), resolved once at start-up. */
export interface Environment {
  /** Folder for the embedded SQLite store and the generated secret key. */
  dataDir: string;
  /** `postgres://…` to use PostgreSQL instead of the embedded SQLite. */
  databaseUrl: string | undefined;
  port: number;
  logLevel: string;
}

/** Reads JUNCTION_DATA_DIR, DATABASE_URL, PORT and LOG_LEVEL. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    dataDir: resolve(env.JUNCTION_DATA_DIR ?? 'junction-data'),
    databaseUrl: env.DATABASE_URL || undefined,
    port: Number(env.PORT ?? 3000),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
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
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
