// `npm run mutation`: runs StrykerJS (stryker.config.mjs) and then checks the mutation score of each
// folder the goal is set for. Stryker's own `thresholds.break` only sees the score of the whole run, so a
// strong src/core could hide a weak src/engine; this checks each folder, and prints a score per file.
// Arguments are passed on to `stryker run`, e.g. `npm run mutation -- --mutate src/engine/plan.ts`;
// `npm run mutation -- --report` prints the kept scores without running anything.
//
// Results accumulate in the incremental file (mutation/stryker-incremental.json, committed): Stryker writes
// that file with only the files of the run that just ended, so a run narrowed with --mutate would throw
// away every other file's results. This script keeps the earlier files and replaces only the ones the run
// mutated; a full run here costs hours, so it is earned one file at a time, across sessions.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';
import { calculateMetrics } from 'mutation-testing-metrics';
import config from '../stryker.config.mjs';

/** Folders with a mutation-score goal (killed or timed out ÷ valid mutants, in %). */
const FOLDER_GOALS = [
  { folder: 'src/core', goal: 80 },
  { folder: 'src/engine', goal: 80 },
];
/** Folders that are mutated and reported, without a goal yet. */
const FOLDERS_REPORTED = ['src/connectors/hubspot'];
const REPORT = config.jsonReporter.fileName;
const ACCUMULATED = config.incrementalFile;

const norm = (name) => relative(process.cwd(), resolve(name)).split('\\').join('/');
const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

// `--report`: only prints the scores kept in the incremental file, without running Stryker.
const reportOnly = process.argv.includes('--report');
let strykerStatus = 0;
const merged = reportOnly ? readJson(ACCUMULATED) : mutate(process.argv.slice(2));
if (!merged) {
  console.error(`mutation: nothing measured yet (${ACCUMULATED})`);
  process.exit(1);
}

/** Runs Stryker with `args`, merges its results into the incremental file and returns the merged report. */
function mutate(args) {
  // Each run works on a copy of the accumulated file and a sandbox of its own, so two runs at once in this
  // shared checkout neither undo each other's results nor copy each other's sandboxes.
  const RUN_FILE = `${dirname(REPORT)}/incremental-${process.pid}.json`;
  mkdirSync(dirname(RUN_FILE), { recursive: true });
  if (existsSync(ACCUMULATED)) copyFileSync(ACCUMULATED, RUN_FILE);
  else rmSync(RUN_FILE, { force: true });
  const started = Date.now();
  const stryker = spawnSync(
    process.execPath,
    [
      resolve('node_modules/@stryker-mutator/core/bin/stryker.js'),
      'run',
      '--incrementalFile',
      RUN_FILE,
      '--tempDirName',
      `${config.tempDirName}/run-${process.pid}`,
      ...args,
    ],
    {
      stdio: 'inherit',
      // Property and volume tests try a twentieth of their cases per mutant (test/helpers/test-scale.ts).
      env: { ...process.env, JUNCTION_TEST_SCALE: process.env.JUNCTION_TEST_SCALE ?? '0.05' },
    },
  );
  strykerStatus = stryker.status ?? 1;
  const minutes = (Date.now() - started) / 60_000;
  // Stryker writes the run's whole report there at its end; untouched, it wrote nothing.
  const run = existsSync(RUN_FILE) && statSync(RUN_FILE).mtimeMs > started ? readJson(RUN_FILE) : undefined;
  rmSync(RUN_FILE, { force: true });
  if (!run) {
    console.error(`mutation: Stryker wrote no report; exit ${stryker.status}`);
    process.exit(stryker.status || 1);
  }

  // This run's files replace their earlier results; every other file keeps its own (read now: another run
  // may have added its files meanwhile). A run narrowed with --mutate still reports every file of the
  // incremental file it started from, carried over to their current code untested: only the files it was
  // asked to mutate are taken from it, so another file's change stays 'stale' and a concurrent run's results stay.
  const before = readJson(ACCUMULATED);
  const byName = (files) => Object.fromEntries(Object.entries(files ?? {}).map(([n, f]) => [norm(n), f]));
  const asked = mutatedBy(args);
  const runFiles = Object.fromEntries(
    Object.entries(byName(run.files)).filter(([n]) => !asked || asked.some((pattern) => named(n, pattern))),
  );
  // A file named by --mutate that Stryker left out of its report has nothing to mutate (only types, or
  // only re-exports): it is kept as measured with no mutants, or it would stay "not measured" for good.
  for (const name of asked ?? []) {
    if (!runFiles[name] && existsSync(name) && statSync(name).isFile())
      runFiles[name] = { language: 'typescript', source: readFileSync(name, 'utf8'), mutants: [] };
  }
  const merged = {
    ...run,
    files: { ...byName(before?.files), ...runFiles },
    testFiles: { ...byName(before?.testFiles), ...byName(run.testFiles) },
  };
  writeFileSync(ACCUMULATED, `${JSON.stringify(merged, null, 2)}\n`);

  const mutantsRun = Object.values(run.files)
    .flatMap((f) => f.mutants)
    .filter((m) => !['NoCoverage', 'Ignored', 'CompileError'].includes(m.status)).length;
  console.log(
    `\nThis run: ${Object.keys(run.files).length} file(s), ${mutantsRun} mutant(s) tested (or reused) in ` +
      `${minutes.toFixed(1)} min.`,
  );
  return merged;
}

/** The patterns a run was narrowed to (`--mutate a,b` or `-m a,b`); undefined: the config's whole set. */
function mutatedBy(args) {
  const i = args.findIndex((a) => a === '--mutate' || a === '-m' || a.startsWith('--mutate='));
  if (i < 0) return undefined;
  const value = args[i].startsWith('--mutate=') ? args[i].slice('--mutate='.length) : args[i + 1];
  // A line range (file.ts:10-20) narrows within a file; the file is what is kept.
  return (value ?? '')
    .split(',')
    .filter(Boolean)
    .map((p) => norm(p.replace(/:\d+(-\d+)?$/, '')));
}

/** Whether `file` is one a --mutate pattern names (a path, or a glob where Node can match one). */
function named(file, pattern) {
  return file === pattern || (!pattern.startsWith('!') && matchesGlob(file, pattern));
}

const scoreOf = (files) => {
  const m = calculateMetrics(files).metrics;
  return { ...m, score: m.totalValid === 0 ? 100 : (m.totalDetected / m.totalValid) * 100 };
};
const tsFiles = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p.split('\\').join('/')] : [];
  });
// A result holds only for the code it was measured on: a file changed since counts as not measured.
const current = (name) =>
  existsSync(name) && readFileSync(name, 'utf8') === merged.files[name].source ? 'current' : 'stale';

console.log('\nMutation score per file (all results kept so far; killed + timed out ÷ valid mutants):');
console.log('| File | Killed | Timed out | Survived | No coverage | Score |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const name of Object.keys(merged.files).sort()) {
  const m = scoreOf({ [name]: merged.files[name] });
  const note = current(name) === 'stale' ? ' (stale: changed since)' : '';
  console.log(
    `| \`${name}\`${note} | ${m.killed} | ${m.timeout} | ${m.survived} | ${m.noCoverage} | ${m.score.toFixed(1)} % |`,
  );
}

let missed = 0;
console.log('\nMutation score per folder:');
for (const { folder, goal } of [
  ...FOLDER_GOALS,
  ...FOLDERS_REPORTED.map((folder) => ({ folder, goal: undefined })),
]) {
  const inFolder = (name) => name === folder || name.startsWith(`${folder}/`);
  const measured = Object.keys(merged.files).filter((n) => inFolder(n) && current(n) === 'current');
  if (measured.length === 0) {
    console.log(`  ${folder}: not measured`);
    continue;
  }
  const open = tsFiles(folder).filter((n) => !measured.includes(n));
  const m = scoreOf(Object.fromEntries(measured.map((n) => [n, merged.files[n]])));
  const verdict =
    goal === undefined
      ? '(no goal)'
      : m.score < goal
        ? `(goal ≥ ${goal} %: MISSED)`
        : open.length
          ? `(goal ≥ ${goal} %: met by the files measured, open until all are)`
          : `(goal ≥ ${goal} %: met)`;
  if (goal !== undefined && m.score < goal) missed += 1;
  console.log(
    `  ${folder}: ${m.score.toFixed(2)} % ${verdict} — ${measured.length} file(s): ${m.killed} killed, ` +
      `${m.timeout} timed out, ${m.survived} survived, ${m.noCoverage} without coverage; ` +
      `${m.ignored} ignored, ${m.compileErrors + m.runtimeErrors} invalid`,
  );
  if (open.length) console.log(`    not measured (or changed since): ${open.join(', ')}`);
}
if (missed > 0) console.log(`mutation: ${missed} folder(s) below their goal`);
process.exit(missed > 0 ? 1 : strykerStatus);
