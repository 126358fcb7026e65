// `npm run chaos`: the chaos suite at full size, with its summary table. Exits non-zero if anything was lost,
// duplicated, stuck or unaccounted, or if a planned kill did not land.
import {
  faultsScenario,
  formatSummary,
  killPointsScenario,
  storeFaultScenario,
} from '../test/chaos/chaos-lib.ts';

const kill = await killPointsScenario({
  people: 20_000,
  organisations: 5_000,
  kills: 20,
  pageSize: 200,
  seed: Date.now() % 100_000,
});
const results = [
  kill,
  ...(await faultsScenario({ records: 10_000 })),
  await storeFaultScenario({ records: 20_000 }),
];
console.log(formatSummary(results));
const bad = results.filter((r) => r.lost || r.duplicated || r.stuck || r.unaccounted);
const missedKills = kill.kills.planned.length - kill.kills.killed.length;
if (missedKills) console.log(`\n${missedKills} planned kill(s) did not land`);
console.log(
  bad.length
    ? `\n${bad.length} scenario(s) lost, duplicated or left something`
    : '\nall scenarios: 0 lost, 0 duplicated, 0 stuck, 0 unaccounted',
);
process.exitCode = bad.length || missedKills ? 1 : 0;
