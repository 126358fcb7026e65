import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { HubSpotEmulator } from '../../emulators/hubspot/index.ts';

/** The CLI as users start it (`bin/junction.js` runs the same file through tsx). */
export const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

/** What a finished `junction …` process left behind. */
export interface JunctionResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `junction <args>` as a child process. Asynchronous on purpose: the emulators run in the test's own
 * event loop, so a blocking `spawnSync` would leave them unable to answer the CLI.
 */
export function startJunction(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: join(import.meta.dirname, '../..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `junction <args>` to its end and returns its exit code, stdout and stderr. */
export async function runJunction(args: string[], env: NodeJS.ProcessEnv): Promise<JunctionResult> {
  const child = startJunction(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

/** One request as it reached the emulator's HTTP server. */
export interface LoggedRequest {
  at: number;
  method: string;
  url: string;
}

/** HubSpot calls that change data (the emulator's own `writes` route list, by method and path). */
export const isWriteCall = (r: LoggedRequest) =>
  r.method === 'PATCH' ||
  r.method === 'DELETE' ||
  (r.method === 'POST' &&
    /\/crm\/v3\/objects\/[^/?]+(\/batch\/(create|update|upsert|archive)|\/gdpr-delete)?(\?|$)/.test(r.url));

/**
 * The emulator's request log: every request as its HTTP server receives it, with its arrival time, before
 * any hook (authentication, rate limit) answers it — so refused and 429-answered calls count too.
 */
export function logRequests(hs: HubSpotEmulator): LoggedRequest[] {
  const log: LoggedRequest[] = [];
  hs.app.server.on('request', (req) => {
    log.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '' });
  });
  return log;
}

/** The most requests that arrived within any window of `intervalMs` (HubSpot's rolling window). */
export function busiestWindow(log: readonly LoggedRequest[], intervalMs: number): number {
  const times = log.map((r) => r.at).sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= intervalMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/**
 * Runs a shell command on a pseudo-terminal (util-linux `script`), so the command's stdout and stderr are a
 * TTY as on a user's screen; resolves to what the terminal showed.
 */
export async function runJunctionOnTerminal(command: string): Promise<string> {
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.resume();
  await once(child, 'close');
  return out;
}
