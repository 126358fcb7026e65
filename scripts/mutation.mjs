// `npm run mutation`: runs StrykerJS (stryker.config.mjs) and then checks the mutation score of each
// folder the goal is set for. Stryker's own `thresholds.break` only sees the score of the whole run, so a
// strong src/core could hide a weak src/engine; this reads Stryker's JSON report and checks each folder.
// Arguments are passed on to `stryker run`, e.g. `npm run mutation -- --mutate src/engine/plan.ts`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { calculateMetrics } from 'mutation-testing-metrics';

/** Folders with a mutation-score goal (killed or timed out ÷ valid mutants, in %). */
const FOLDER_GOALS = [
  { folder: 'src/core', goal: 80 },
  { folder: 'src/engine', goal: 80 },
];
/** Folders that are mutated and reported, without a goal yet. */
const FOLDERS_REPORTED = ['src/connectors/hubspot'];
const REPORT = 'reports/mutation/mutation.json';

const started = Date.now();
// A report left by an earlier run must not be read as this run's result.
rmSync(REPORT, { force: true });
const stryker = spawnSync(
  process.execPath,
  [resolve('node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    // Property and volume tests try a twentieth of their cases per mutant (test/helpers/test-scale.ts).
    env: { ...process.env, JUNCTION_TEST_SCALE: process.env.JUNCTION_TEST_SCALE ?? '0.05' },
  },
);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (!existsSync(REPORT)) {
  console.error(`mutation: Stryker wrote no report (${REPORT}); exit ${stryker.status}`);
  process.exit(stryker.status || 1);
}

const { files } = JSON.parse(readFileSync(REPORT, 'utf8'));
const inFolder = (folder) =>
  Object.fromEntries(
    Object.entries(files).filter(([name]) => {
      const rel = relative(process.cwd(), resolve(name)).split('\\').join('/');
      return rel === folder || rel.startsWith(`${folder}/`);
    }),
  );
let missed = 0;
console.log(`\nMutation score per folder (killed + timed out ÷ valid mutants), run took ${minutes} min:`);
for (const { folder, goal } of [
  ...FOLDER_GOALS,
  ...FOLDERS_REPORTED.map((folder) => ({ folder, goal: undefined })),
]) {
  const subset = inFolder(folder);
  if (Object.keys(subset).length === 0) {
    console.log(`  ${folder}: not mutated in this run`);
    continue;
  }
  const m = calculateMetrics(subset).metrics;
  const score = m.totalValid === 0 ? 100 : (m.totalDetected / m.totalValid) * 100;
  const verdict =
    goal === undefined
      ? '(no goal)'
      : score >= goal
        ? `(goal ≥ ${goal} %: met)`
        : `(goal ≥ ${goal} %: MISSED)`;
  if (goal !== undefined && score < goal) missed += 1;
  console.log(
    `  ${folder}: ${score.toFixed(2)} % ${verdict} — ${m.killed} killed, ${m.timeout} timed out, ` +
      `${m.survived} survived, ${m.noCoverage} without coverage; ${m.ignored} ignored, ` +
      `${m.compileErrors + m.runtimeErrors} invalid`,
  );
}
if (missed > 0) console.log(`mutation: ${missed} folder(s) below their goal`);
process.exit(missed > 0 ? 1 : stryker.status || 0);
