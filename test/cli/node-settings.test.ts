import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const BIN = join(import.meta.dirname, '../../bin/junction.js');
const execveAvailable = typeof (process as { execve?: unknown }).execve === 'function';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'junction-node-settings-'));
  // Preloaded into `junction`: at exit, writes what the process ran with.
  writeFileSync(
    join(dir, 'report.mjs'),
    `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.REPORT_FILE, JSON.stringify({
  pid: process.pid, execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX ?? null,
})));
`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** This process's environment without the settings under test (the test may itself run under junction's). */
function outerEnv(): NodeJS.ProcessEnv {
  const { JUNCTION_NODE_TUNING: _, MALLOC_ARENA_MAX: __, ...rest } = process.env;
  return rest;
}

/** Runs `node --import report.mjs bin/junction.js --help` and returns its exit code, pid and report. */
async function junctionHelp(env: Record<string, string>, nodeFlags: string[] = []) {
  const reportFile = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const child = spawn(process.execPath, [...nodeFlags, '--import', join(dir, 'report.mjs'), BIN, '--help'], {
    env: { ...outerEnv(), ...env, REPORT_FILE: reportFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    pid: number;
    execArgv: string[];
    arenas: string | null;
  };
  return { code, pid: child.pid, stdout, stderr, report };
}

test('junction runs in its own process with 4 MB semi-spaces and one malloc arena, its output and exit code unchanged', {
  skip: !execveAvailable && 'process.execve is not available (Windows, Node < 22.15)',
}, async () => {
  const r = await junctionHelp({});
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /junction — connector hub/);
  assert.equal(r.stderr, '', 'no warning about the restart');
  assert.equal(r.report.pid, r.pid, 'the same process (replaced, not a child)');
  assert.ok(r.report.execArgv.includes('--max-semi-space-size=4'), String(r.report.execArgv));
  assert.ok(r.report.execArgv.includes('--import'), 'node flags of the command are kept');
  assert.equal(r.report.arenas, '1');
});

test('the operator’s own settings win: their semi-space flag and MALLOC_ARENA_MAX are kept', {
  skip: !execveAvailable && 'process.execve is not available',
}, async () => {
  const r = await junctionHelp({ MALLOC_ARENA_MAX: '4' }, ['--max-semi-space-size=8']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.report.execArgv.filter((a) => a.startsWith('--max-semi-space-size')),
    ['--max-semi-space-size=8'],
  );
  assert.equal(r.report.arenas, '4');
});

test('JUNCTION_NODE_TUNING=off runs Node with its own defaults', async () => {
  const r = await junctionHelp({ JUNCTION_NODE_TUNING: 'off' });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.report.execArgv.some((a) => a.startsWith('--max-semi-space-size')));
  assert.equal(r.report.arenas, null);
});
