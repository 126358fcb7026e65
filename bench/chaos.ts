// `npm run chaos`: the chaos suite at full size, with its summary table. Exits non-zero if anything was lost.
import {
  faultsScenario,
  formatSummary,
  killPointsScenario,
  storeFaultScenario,
} from '../test/chaos/chaos-lib.ts';

const results = [
  await killPointsScenario({ records: 20_000, kills: 20, seed: Date.now() % 100_000 }),
  ...(await faultsScenario({ records: 10_000 })),
  await storeFaultScenario({ records: 20_000 }),
];
console.log(formatSummary(results));
const bad = results.filter((r) => r.lost || r.duplicated || r.stuck || r.unaccounted);
console.log(
  bad.length
    ? `\n${bad.length} scenario(s) lost, duplicated or left something`
    : '\nall scenarios: 0 lost, 0 duplicated, 0 stuck',
);
process.exitCode = bad.length ? 1 : 0;
