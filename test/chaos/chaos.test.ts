import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ChaosResult,
  faultsScenario,
  formatSummary,
  killPointsScenario,
  storeFaultScenario,
} from './chaos-lib.ts';

// The short chaos suite inside `npm test`; `npm run chaos` runs the same scenarios at full size.
const results: ChaosResult[] = [];
const clean = (r: ChaosResult) => {
  results.push(r);
  assert.deepEqual(
    { lost: r.lost, duplicated: r.duplicated, stuck: r.stuck, unaccounted: r.unaccounted },
    { lost: 0, duplicated: 0, stuck: 0, unaccounted: 0 },
    `${r.scenario}: ${r.notes}`,
  );
};

test('runs killed with SIGKILL at random points between read, write, marks and commit lose and duplicate nothing', async () => {
  clean(await killPointsScenario({ records: 4000, kills: 5, seed: 11 }));
});

test('5xx, timeouts, 429 storms and partial failures leave every record synced or failed with a reason; a second run fixes the retryable ones', async () => {
  for (const r of await faultsScenario({ records: 2000 })) clean(r);
});

test('a run survives its store connections being cut (as in a PostgreSQL restart)', async () => {
  clean(await storeFaultScenario({ records: 3000 }));
  console.log(formatSummary(results));
});
