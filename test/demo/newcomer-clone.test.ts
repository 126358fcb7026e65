/**
 * The newcomer's path, for real: clone the repository, `npm ci`, `npm start -- --demo`, and see the
 * first run's counts through the API. Needs git and the npm registry; JUNCTION_SKIP_CLONE_TEST=1 skips it.
 *
 * The clone is of the committed HEAD; files changed or added but not committed yet are copied over it
 * (and deleted ones removed), so the test checks the working tree a commit would publish.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ExecutionCounts } from '../../src/core/types.ts';
import { DIRTY, generateTrainingProvider } from '../../src/demo/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { localPrebuild, sqliteWasCompiled } from '../helpers/local-prebuild.ts';
import { waitForOutput } from '../helpers/process-output.ts';

const REPO = process.cwd();
const ADMIN_PASSWORD = 'newcomer-password-42';
const skip =
  process.env.JUNCTION_SKIP_CLONE_TEST === '1'
    ? 'JUNCTION_SKIP_CLONE_TEST=1'
    : !existsSync(join(REPO, '.git'))
      ? 'not a git checkout'
      : false;

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' });
const lines = (text: string) => text.split('\n').filter(Boolean);

/** Clones HEAD into `dir` and lays the uncommitted changes of the working tree over it. */
function cloneWorkingTree(dir: string): void {
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', REPO, dir]);
  for (const file of lines(git('ls-files', '--modified', '--others', '--exclude-standard'))) {
    if (!existsSync(join(REPO, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(dir, file));
  }
  for (const file of lines(git('ls-files', '--deleted'))) rmSync(join(dir, file), { force: true });
}

describe('a newcomer clones Junction and runs the demo', { skip, timeout: 6 * 60_000 }, () => {
  let dir: string;
  let hub: ChildProcess | undefined;
  const output = { text: '' };
  let base = '';
  let cookie = '';
  let compiledSqlite = true;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-clone-'));
    const checkout = join(dir, 'junction');
    cloneWorkingTree(checkout);
    // The checkout's own SQLite binary, so that `npm ci` compiles nothing when GitHub is out of reach (CI).
    const prebuild = localPrebuild(join(dir, 'prebuilds'));
    const locked = (
      JSON.parse(readFileSync(join(checkout, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { version?: string }>;
      }
    ).packages['node_modules/better-sqlite3']?.version;
    assert.equal(
      locked,
      prebuild.version,
      "the checkout's node_modules holds the locked better-sqlite3 (npm ci)",
    );
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: checkout,
      env: { ...process.env, ...prebuild.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    compiledSqlite = sqliteWasCompiled(join(checkout, 'node_modules'));
    hub = spawn('npm', ['start', '--', '--demo'], {
      cwd: checkout,
      // Its own process group, so that the test can press "Ctrl-C" on npm and everything below it.
      detached: true,
      env: {
        ...process.env,
        PORT: '0',
        JUNCTION_DATA_DIR: join(dir, 'data'),
        JUNCTION_ADMIN_PASSWORD: ADMIN_PASSWORD,
        JUNCTION_DEMO: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hub.stdout?.on('data', (d: Buffer) => {
      output.text += d.toString();
    });
    hub.stderr?.resume();
    const [, url] = await waitForOutput(
      hub,
      /Junction is running on (http:\/\/\S+)/,
      output,
      120_000,
      'npm start',
    );
    base = url as string;
    await waitForOutput(hub, /Press Ctrl-C to stop/, output, 30_000, 'npm start');
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    assert.equal(login.status, 200, await login.text());
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  });
  after(async () => {
    // Whatever of the process group is left after a failed test; ESRCH means it is all gone.
    if (hub?.pid) {
      try {
        process.kill(-hub.pid, 'SIGKILL');
      } catch {}
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const api = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    assert.equal(res.status, 200, `${path}: ${body}`);
    return JSON.parse(body);
  };

  test('npm ci takes the SQLite driver from the local prebuild and compiles nothing', () => {
    assert.equal(
      compiledSqlite,
      false,
      'better-sqlite3 was compiled (node-gyp left build/Release/obj.target)',
    );
  });

  test('the terminal shows the URL, the admin login and the running emulators and tasks', () => {
    // The environment's password is the operator's: the banner names where it is, never the password.
    assert.match(output.text, /login: +admin \/ the password in JUNCTION_ADMIN_PASSWORD/);
    assert.ok(!output.text.includes(ADMIN_PASSWORD), 'the admin password is not printed');
    for (const system of ['HubSpot', 'Brevo', 'Abacus'])
      assert.match(output.text, new RegExp(`${system} +http://127\\.0\\.0\\.1:\\d+`));
    assert.match(output.text, /task demo-people +Participants to HubSpot, every 1 min/);
  });

  test('the built dashboard is served', async () => {
    const page = await (await fetch(`${base}/`)).text();
    assert.match(page, /<script type="module"/);
    assert.doesNotMatch(page, /not built yet/);
  });

  test('the first run of the people task finishes with the expected counts and the bad e-mails failed', async () => {
    type Run = { id: string; status: string; finishedAt: string | null; counts: ExecutionCounts };
    const first = await eventually(
      'the first run of demo-people to finish',
      async () => {
        const { executions } = await api('/api/executions?taskId=demo-people');
        const run = executions.at(-1) as Run | undefined; // newest first: the last one is the first run
        return run?.finishedAt ? run : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const people = generateTrainingProvider().people.filter((p) => p.status === 'active' && p.email !== null);
    const bad = people.filter((p) => DIRTY.badEmails.has(p.id));
    assert.equal(first.status, 'warning');
    assert.equal(first.counts.read, people.length);
    assert.equal(first.counts.failed, bad.length);
    assert.equal(first.counts.created + first.counts.updated, people.length - bad.length);
    const { items } = await api(`/api/executions/${first.id}/items?action=fail`);
    assert.deepEqual(
      items.map((i: { code: string | null }) => i.code),
      bad.map(() => 'invalid_email'),
    );
  });

  test('Ctrl-C stops the hub and the emulators', async () => {
    const hubspot = output.text.match(/HubSpot +(http:\/\/\S+)/)?.[1] as string;
    assert.equal(
      (await fetch(`${hubspot}/crm/v3/objects/contacts`)).status,
      401,
      'the emulator answers while the hub runs',
    );
    const exited = new Promise<number | null>((resolve) => hub?.once('exit', resolve));
    process.kill(-(hub?.pid as number), 'SIGINT');
    await Promise.race([
      exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('still running 15 s after Ctrl-C')), 15_000),
      ),
    ]);
    assert.match(output.text, /stopping…/);
    await assert.rejects(fetch(`${hubspot}/crm/v3/objects/contacts`), 'the emulator is gone');
    await assert.rejects(fetch(`${base}/healthz`), 'the hub is gone');
  });
});
