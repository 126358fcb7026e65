// Loaded into every test process of `npm run mutation` (stryker.config.mjs, tap.nodeArgs). Property tests
// draw random cases; under mutation testing a fixed seed makes each run of a test file the same, so a
// mutant is killed by what it changed and never by an unlucky draw, and a rare counterexample cannot fail
// Stryker's initial test run at random. `npm test` keeps drawing new cases.
import * as fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.JUNCTION_MUTATION_SEED ?? 20261130) });
