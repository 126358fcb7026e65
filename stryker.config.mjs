// StrykerJS configuration for `npm run mutation` (see scripts/mutation.mjs and README "Mutation testing").
// Mutation testing is slow (every mutant re-runs the test files that reach it), so it is not part of
// `npm test` or `.ci/run`; it is a habit to run before changing the core or the engine.

/**
 * The fast, self-contained test files that exercise the mutated modules: unit tests that import their
 * module and drive it through in-memory fakes, or the real store on a temp SQLite file (about a second).
 * Left out on purpose: the e2e suites (emulators, PostgreSQL, business databases: one mutant would cost
 * minutes) and test/engine/cancel.test.ts (an emulator-backed run of 15 s and more under load).
 */
const ALL_TEST_FILES = [
  'test/core/*.test.ts',
  'test/engine/!(cancel).test.ts',
  'test/mapping/formulas.test.ts',
  'test/scheduler/schedule.test.ts',
  'test/hubspot/webhook-signature.test.ts',
];
/**
 * `JUNCTION_MUTATION_TESTS=core`: only the core's own unit tests, for runs over `src/core`. A surviving
 * mutant re-runs every test file that reaches it, and the expression modules are reached by all 35 files
 * (the engine's store-backed ones take 3–9 s each): a survivor cost minutes. Fewer tests can only let more
 * mutants live, so a score measured this way is a floor of the score with all files.
 */
const CORE_TEST_FILES = [
  'test/core/*.test.ts',
  'test/mapping/formulas.test.ts',
  'test/scheduler/schedule.test.ts',
];
const TEST_FILES = process.env.JUNCTION_MUTATION_TESTS === 'core' ? CORE_TEST_FILES : ALL_TEST_FILES;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The tap runner, with the test files that reach a mutant run fastest first (scripts/stryker-tap-fastest-first.mjs).
  testRunner: 'tap-fastest-first',
  plugins: ['@stryker-mutator/tap-runner', './scripts/stryker-tap-fastest-first.mjs'],
  mutate: ['src/core/**/*.ts', 'src/engine/**/*.ts', 'src/connectors/hubspot/webhook.ts'],
  tap: {
    testFiles: TEST_FILES,
    // The tests are TypeScript. npm test runs them through tsx; here Node's own --experimental-transform-types
    // loads them (Node 23.6 and later; every file listed passes either way), because a mutant starts a process
    // per test file and tsx's loader costs about 0.7 s of each start, a quarter of a typical file. The reporter must
    // be TAP: since Node 23 a test file run on its own reports in the spec format even into a pipe, which
    // the tap runner cannot read, so every failing (killing) run counted as a runtime error, not a kill.
    // scripts/mutation-preload.mjs fixes the property tests' seed: the same cases for every mutant.
    nodeArgs: [
      '--experimental-transform-types',
      '--no-warnings=ExperimentalWarning',
      '--test-reporter=tap',
      '--import',
      './scripts/mutation-preload.mjs',
    ],
    // Stop a test file at its first failure: the mutant is killed, the rest of the file is wasted time.
    forceBail: true,
  },
  // Each test file is one "test" for the tap runner: a mutant re-runs only the files that reach it.
  coverageAnalysis: 'perTest',
  // The machine has 2 cores shared with others; more would only make every test slower.
  concurrency: 2,
  // A busy machine slows test files down several-fold; a mutant is a timeout only well past its normal time.
  timeoutMS: 30_000,
  timeoutFactor: 3,
  incremental: true,
  // Committed: a full run costs hours here, so results are earned a few files at a time, across sessions
  // and checkouts, and the README's table must be reproducible from what is in git. Stryker re-tests only
  // mutants whose code or covering test files changed since; scripts/mutation.mjs keeps the files a
  // narrowed run (--mutate) did not touch, which Stryker alone would drop from the file.
  incrementalFile: 'mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // Below 80 % overall Stryker itself exits non-zero; scripts/mutation.mjs checks each folder as well.
  thresholds: { high: 90, low: 80, break: 80 },
  // scripts/mutation.mjs gives each run a sandbox of its own below it (--tempDirName .stryker-tmp/run-<pid>).
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Only what the tests need is copied into Stryker's sandbox (never another run's sandbox).
  ignorePatterns: [
    '/.stryker-tmp',
    '/web',
    '/docs',
    '/bench',
    '/junction-data',
    '/reports',
    '/mutation',
    '/.tmp',
    '/dist',
    '/.ci',
  ],
};
