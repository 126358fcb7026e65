import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startJunction } from './junction-process.ts';

/** Generous for a loaded machine; a hub that stays alive after a failed start never ends by itself. */
const EXIT_WITHIN_MS = 60_000;

/** Runs `junction start …` and waits for it to end on its own; a process still alive is killed and reported. */
async function startExpectingExit(args: string[], env: NodeJS.ProcessEnv) {
  const child = startJunction(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, EXIT_WITHIN_MS);
  const [status] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr, stayedAlive: killed };
}

describe('junction start that fails part-way', () => {
  let dir: string;
  let blocker: Server;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-start-failure-'));
    blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    port = (blocker.address() as { port: number }).port;
  });
  after(() => {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (name: string, extra: NodeJS.ProcessEnv = {}) => ({
    JUNCTION_DATA_DIR: join(dir, name),
    DATABASE_URL: '',
    JUNCTION_DEMO: '',
    JUNCTION_ADMIN_PASSWORD: '',
    LOG_LEVEL: 'warn',
    ...extra,
  });

  test('a taken port stops the demo it had started and exits 1 saying which port is taken', async () => {
    const r = await startExpectingExit(['start', '--demo'], env('port', { PORT: String(port) }));
    assert.equal(r.stayedAlive, false, `the process ended by itself:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Junction did not start; what it had started is stopped\./);
    assert.match(
      r.stderr,
      new RegExp(`error \\(port_in_use\\): port ${port} on 127\\.0\\.0\\.1 is already in use`),
    );
    assert.match(r.stderr, /PORT=<another port>/, 'the message says how to get past it');
  });

  test('a server that cannot be built after scheduling started still ends the process with exit code 1', async () => {
    // proxy-addr refuses the address while the server is built, after the scheduler is running.
    const r = await startExpectingExit(
      ['start', '--no-demo'],
      env('proxy', { PORT: '0', JUNCTION_TRUST_PROXY: 'not-an-address' }),
    );
    assert.equal(r.stayedAlive, false, `the process ended by itself:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Junction did not start; what it had started is stopped\./);
    assert.match(r.stderr, /invalid IP address: not-an-address/);
  });
});
