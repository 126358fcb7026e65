// A StrykerJS test runner for `npm run mutation`: the tap runner, with the test files that reach a mutant
// run fastest first. Each test file is one "test" for the tap runner and a mutant re-runs the files that
// reach it in the order they happened to be found; a mutant in the page pipeline then waited for the
// whole-run test (a SQLite store, seconds) before the unit test that kills it in a fraction of that.
// The dry run measures every file; its times are kept in the sandbox, where every worker reads them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { createTapTestRunnerFactory } from '@stryker-mutator/tap-runner';

/** In the sandbox (every worker's working directory), so each run measures its own files. */
const timesFile = () => resolve('.junction-test-times.json');

class FastestFirstTapRunner {
  /** @type {Map<string, number> | undefined} */
  times;

  constructor(inner) {
    this.inner = inner;
  }
  capabilities() {
    return this.inner.capabilities();
  }
  init() {
    return this.inner.init();
  }
  dispose() {
    return this.inner.dispose?.();
  }
  async dryRun(options) {
    const result = await this.inner.dryRun(options);
    if (result.status === 'complete')
      writeFileSync(
        timesFile(),
        JSON.stringify(Object.fromEntries(result.tests.map((t) => [t.id, t.timeSpentMs]))),
      );
    return result;
  }
  mutantRun(options) {
    this.times ??= new Map(
      existsSync(timesFile()) ? Object.entries(JSON.parse(readFileSync(timesFile(), 'utf8'))) : [],
    );
    const time = (id) => this.times?.get(id) ?? Number.POSITIVE_INFINITY;
    const testFilter = options.testFilter && [...options.testFilter].sort((a, b) => time(a) - time(b));
    return this.inner.mutantRun({ ...options, testFilter });
  }
}

function createFastestFirstTapRunner(injector) {
  return new FastestFirstTapRunner(createTapTestRunnerFactory()(injector));
}
createFastestFirstTapRunner.inject = tokens(commonTokens.injector);

export const strykerPlugins = [
  declareFactoryPlugin(PluginKind.TestRunner, 'tap-fastest-first', createFastestFirstTapRunner),
];
