/**
 * The release as a user gets it: `npm pack` (which builds first), `npm install <tgz>` into an empty folder
 * (production dependencies only, from the npm registry), then `npx junction start --demo` there: the
 * dashboard answers, the first demo runs finish, Ctrl-C stops everything. Needs git and the npm registry;
 * JUNCTION_SKIP_PACK_TEST=1 skips it.
 *
 * It packs a copy of the working tree (tracked and new files, as a commit would publish them) that borrows the
 * checkout's node_modules, so the build writes no dist/ or web/dist/ under the feet of the tests running
 * beside it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ExecutionCounts } from '../../src/core/types.ts';
import { eventually } from '../helpers/eventually.ts';
import { localPrebuild } from '../helpers/local-prebuild.ts';
import { waitForOutput } from '../helpers/process-output.ts';

const REPO = join(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'packed-release-42';
const skip =
  process.env.JUNCTION_SKIP_PACK_TEST === '1'
    ? 'JUNCTION_SKIP_PACK_TEST=1'
    : !existsSync(join(REPO, '.git'))
      ? 'not a git checkout'
      : false;

/** npm's own quiet options for every call here. */
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** Copies the working tree's files (tracked and untracked, not ignored) into `dir`. */
function copyWorkingTree(dir: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(REPO, file))) continue; // deleted but not committed yet
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(dir, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

describe('the packed release installs with npm and runs the demo', { skip, timeout: 5 * 60_000 }, () => {
  let dir: string;
  let packed: string[] = [];
  let app = '';
  let hub: ChildProcess | undefined;
  const output = { text: '' };
  let base = '';
  let cookie = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-pack-'));
    const source = join(dir, 'source');
    copyWorkingTree(source);
    // `npm pack` runs `prepack`, the full build (bundle and dashboard), then packs `files`; the build's own
    // output shares stdout, so the tarball is found by its name, not read from `--json`.
    execFileSync('npm', ['pack', '--pack-destination', dir, ...QUIET], {
      cwd: source,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')) as string);
    packed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));

    app = join(dir, 'app');
    mkdirSync(app);
    const prebuild = localPrebuild(join(dir, 'prebuilds'));
    execFileSync('npm', ['init', '-y', ...QUIET], { cwd: app, stdio: 'ignore' });
    execFileSync('npm', ['pkg', 'set', `overrides.better-sqlite3=${prebuild.version}`], { cwd: app });
    execFileSync('npm', ['install', '--omit=dev', ...QUIET, tarball], {
      cwd: app,
      env: { ...process.env, ...prebuild.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    hub = spawn('npx', ['--no', 'junction', 'start', '--demo'], {
      cwd: app,
      // Its own process group, so that the test can press "Ctrl-C" on npx and everything below it.
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
    hub.stderr?.on('data', (d: Buffer) => {
      output.text += d.toString();
    });
    const [, url] = await waitForOutput(hub, /Junction is running on (http:\/\/\S+)/, output, 60_000);
    base = url as string;
    await waitForOutput(hub, /Press Ctrl-C to stop/, output, 30_000);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    assert.equal(login.status, 200, await login.text());
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  });
  after(() => {
    // Whatever of the process group is left after a failed test; ESRCH means it is all gone.
    if (hub?.pid) {
      try {
        process.kill(-hub.pid, 'SIGKILL');
      } catch {}
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the tarball holds the compiled code, the demo and the built dashboard, and no sources, tests or bench', () => {
    for (const file of [
      'bin/junction.js',
      'dist/junction.js',
      'dist/chunks/workspace.yaml',
      'web/dist/index.html',
      'package.json',
      'README.md',
    ])
      assert.ok(packed.includes(file), `${file} is in the tarball`);
    // The migrations and the demo's emulators are bundled: their code is in some chunk.
    const chunks = packed.filter((f) => f.startsWith('dist/chunks/') && f.endsWith('.js'));
    assert.ok(
      chunks.some((f) => f.startsWith('dist/chunks/demo-')),
      `a demo chunk among ${chunks.join(', ')}`,
    );
    const stray = packed.filter((f) => /\.ts$|^(src|test|bench|scripts|web\/src|\.ci)\//.test(f));
    assert.deepEqual(stray, [], 'no TypeScript sources, tests, bench or build scripts');
  });

  test('the install holds production dependencies only', () => {
    const modules = join(app, 'node_modules');
    assert.ok(existsSync(join(modules, 'junction', 'dist', 'junction.js')));
    assert.ok(existsSync(join(modules, 'fastify')), 'a production dependency is installed');
    for (const dev of ['tsx', 'typescript', 'vite', '@biomejs/biome'])
      assert.ok(!existsSync(join(modules, dev)), `the dev dependency ${dev} is not installed`);
  });

  test('the hub answers /healthz, serves the built dashboard and its OpenAPI document', async () => {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200, await health.text());
    const openapi = (await (await fetch(`${base}/docs/json`)).json()) as { openapi: string; paths: object };
    assert.match(openapi.openapi, /^3\./);
    assert.ok(Object.keys(openapi.paths).includes('/api/tasks'), 'the API routes are documented');
    // The viewer over it serves its own files from its package (it stays outside the bundle for that).
    const viewer = await fetch(`${base}/docs/`);
    assert.equal(viewer.status, 200);
    assert.match(await viewer.text(), /swagger/i);
    const page = await (await fetch(`${base}/`)).text();
    assert.match(page, /<script type="module"/);
    assert.doesNotMatch(page, /not built yet/);
  });

  test('the first demo runs finish', async () => {
    type Run = { taskId: string; status: string; finishedAt: string | null; counts: ExecutionCounts };
    const finished = await eventually(
      'the first run of demo-people to finish',
      async () => {
        const res = await fetch(`${base}/api/executions?taskId=demo-people`, { headers: { cookie } });
        assert.equal(res.status, 200);
        const { executions } = (await res.json()) as { executions: Run[] };
        const run = executions.at(-1);
        return run?.finishedAt ? run : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // The demo's data holds bad e-mail addresses on purpose: its first people run ends with a warning.
    assert.equal(finished.status, 'warning');
    assert.ok(
      finished.counts.created > 0,
      `people were created in HubSpot: ${JSON.stringify(finished.counts)}`,
    );
  });

  test('Ctrl-C stops the hub', async () => {
    const exited = new Promise<number | null>((resolve) => hub?.once('exit', resolve));
    process.kill(-(hub?.pid as number), 'SIGINT');
    await Promise.race([
      exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`still running 15 s after Ctrl-C:\n${output.text}`)), 15_000),
      ),
    ]);
    assert.match(output.text, /stopping…/);
    await assert.rejects(fetch(`${base}/healthz`), 'the hub is gone');
  });
});
