import { type Logger, pino } from 'pino';
import { type Environment, loadSecretKey, readEnvironment } from '../config/environment.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openStore, type Store } from '../store/store.ts';

/** Paths pino blanks out wherever they appear in a log line: secrets never reach a log. */
export const REDACT_PATHS = [
  'secret',
  '*.secret',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
];

/** A JSON logger on stderr (stdout belongs to the command's own output). */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}

export interface Runtime {
  env: Environment;
  /** The key that seals secrets (also the root of other server keys). */
  secretKey: Buffer;
  store: Store;
  log: Logger;
}

/** Opens what every command needs: environment, logger, migrated store. */
export async function openRuntime(env: Environment = readEnvironment()): Promise<Runtime> {
  const log = createLogger(env.logLevel);
  const secretKey = loadSecretKey(env.dataDir);
  const store = await openStore({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    secretBox: createSecretBox(secretKey),
  });
  return { env, secretKey, store, log };
}
