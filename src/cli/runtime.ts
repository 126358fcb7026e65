import { type Logger, pino } from 'pino';
import { type Environment, fileAccessOf, loadSecretKey, readEnvironment } from '../config/environment.ts';
import { sealStoredSecrets } from '../connectors/connection-secret.ts';
import type { FileAccess } from '../connectors/file-access.ts';
import { maskUrlPasswords } from '../core/url-credentials.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openStore, type Store } from '../store/store.ts';
import { createScreen, type Screen } from './terminal.ts';

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
  // One level deeper: a connection's config or secret logged inside another object.
  '*.*.secret',
  '*.*.password',
  '*.*.accessToken',
  '*.*.refreshToken',
  '*.*.apiKey',
  '*.apiKey',
  'apiKey',
];

/**
 * The logger of a command, on standard error (stdout belongs to the command's own output): readable
 * lines on a terminal, JSON otherwise or with LOG_FORMAT=json (see terminal.ts).
 */
export function createLogger(level: string, screen: Screen = createScreen()): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // A password inside a URL (`postgres://u:pw@…`, `?password=`) never reaches a log message either.
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? maskUrlPasswords(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    screen.logDestination,
  );
}

export interface Runtime {
  env: Environment;
  /** The key that seals secrets (also the root of other server keys). */
  secretKey: Buffer;
  store: Store;
  log: Logger;
  /** Standard error as the command shares it between log lines and progress bars. */
  screen: Screen;
  /** Which files connections may read (JUNCTION_FILES_DIR); hand it to every connector the hub makes. */
  files: FileAccess;
}

/** Opens what every command needs: environment, logger, migrated store. */
export async function openRuntime(
  env: Environment = readEnvironment(),
  o: { quietOnTerminal?: boolean } = {},
): Promise<Runtime> {
  const screen = createScreen();
  // A hub on a terminal shows warnings only unless LOG_LEVEL says otherwise: run lines every minute would
  // push its banner (address, login) out of sight; the dashboard shows the runs.
  const level = o.quietOnTerminal && screen.pretty && !process.env.LOG_LEVEL ? 'warn' : env.logLevel;
  const log = createLogger(level, screen);
  const secretKey = loadSecretKey(env.dataDir);
  const store = await openStore({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    secretBox: createSecretBox(secretKey),
    onUnknownKeys: ({ kind, id, keys }) =>
      log.warn(
        { [kind]: id, keys },
        `stored ${kind} '${id}' has keys Junction does not know (${keys.join(', ')}): left out; its next save drops them`,
      ),
  });
  // Secrets stored before they were bound to their destination (and URL passwords) are sealed now.
  const sealed = await sealStoredSecrets(store);
  if (sealed.connections.length)
    log.info({ connections: sealed.connections }, 'connection secrets sealed with their destination');
  return { env, secretKey, store, log, screen, files: fileAccessOf(env) };
}
