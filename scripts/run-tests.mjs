// Finds every *.test.ts under test/ and runs them with node's test runner (tsx as loader).
// The launcher finds the files itself, so a path substring picks some (`node scripts/run-tests.mjs test/engine`). It prints the spec report,
// then every skipped suite and test with its reason, and closes with one plain
// `N passed, N failed, N skipped` line (from a TAP copy of the report and the skip reporter) for CI to read.
// With `CI` set, a skip that is not on SKIPS_ALLOWED_IN_CI fails the run: a suite that silently skips
// (no Chromium, no ../shared/specs) would otherwise pass as "0 failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * Skips CI accepts. Each entry names the test file and the exact reason the suite gives, and says why
 * skipping there is deliberate; anything else skipped under CI fails the run.
 */
const SKIPS_ALLOWED_IN_CI = [
  // The newcomer test clones the repository and runs `npm ci` from the registry; a CI job without network
  // sets JUNCTION_SKIP_CLONE_TEST=1 on purpose. "not a git checkout" is not allowed: CI always has one.
  { file: 'test/demo/newcomer-clone.test.ts', reason: 'JUNCTION_SKIP_CLONE_TEST=1' },
  // The release test installs the packed tarball's dependencies from the registry: the same job without network
  // sets JUNCTION_SKIP_PACK_TEST=1.
  { file: 'test/release/npm-pack.test.ts', reason: 'JUNCTION_SKIP_PACK_TEST=1' },
];

// Node 20 applies --test-timeout to each test file's process as well as to each test in it, so this is the
// longest a whole file may take. Generous on purpose (the newcomer clone runs `npm ci`): it turns a hang into
// a failure, it does not time anything.
const TEST_FILE_TIMEOUT_MS = 10 * 60_000;

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const filter = process.argv[2];
const files = find('test')
  .filter((f) => !filter || f.includes(filter))
  .sort();
// With no files, node --test would fall back to its own glob and run the whole suite.
if (files.length === 0) {
  console.error(`no test file under test/ has '${filter}' in its path`);
  process.exit(64);
}
const inCi = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
const tapDir = mkdtempSync(join(tmpdir(), 'junction-tap-'));
const tapFile = join(tapDir, 'report.tap');
const skipFile = join(tapDir, 'skips.jsonl');
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${TEST_FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    `--test-reporter=${new URL('./skip-reporter.mjs', import.meta.url).href}`,
    `--test-reporter-destination=${skipFile}`,
    ...files,
  ],
  { stdio: 'inherit' },
);

let summary = '0 passed, 1 failed, 0 skipped';
let failed = r.status !== 0;
try {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  const marked = existsSync(skipFile)
    ? readFileSync(skipFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .map((s) => ({ ...s, file: s.file ? relative(process.cwd(), s.file) : '?' }))
    : [];
  const skips = marked.filter((s) => !s.todo);
  // Todo tests run but cannot fail the run; they are listed so a known bug they pin stays in sight.
  const todos = marked.filter((s) => s.todo);
  if (todos.length > 0) {
    console.log(`\nTodo: ${todos.length} test(s)`);
    for (const t of todos) {
      console.log(`  ${t.failed ? 'still failing' : 'passes now'}: ${t.file} › ${t.name} — ${t.reason}`);
    }
  }
  const allowed = (s) => SKIPS_ALLOWED_IN_CI.some((a) => a.file === s.file && a.reason === s.reason);
  if (skips.length > 0) {
    const suites = skips.filter((s) => s.kind === 'suite').length;
    console.log(`\nSkipped: ${suites} suite(s), ${skips.length - suites} test(s)`);
    for (const s of skips) {
      const mark = inCi ? (allowed(s) ? ' [allowed in CI]' : ' [not allowed in CI]') : '';
      console.log(`  ${s.kind} ${s.file} › ${s.name} — ${s.reason || 'no reason given'}${mark}`);
    }
  }
  const refused = inCi ? skips.filter((s) => !allowed(s)) : [];
  if (refused.length > 0) {
    failed = true;
    console.log(
      `CI is set: ${refused.length} skip(s) not on SKIPS_ALLOWED_IN_CI in scripts/run-tests.mjs fail the run`,
    );
  }
  // A skipped suite hides its tests from the TAP total, so the closing count adds the suites themselves.
  summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${skips.length} skipped`;
} catch {
  failed = true;
}
rmSync(tapDir, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(failed ? (r.status ?? 1) || 1 : 0);
