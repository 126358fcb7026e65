import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAILPOINTS } from '../../src/engine/failpoints.ts';
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
    `${r.scenario}: ${r.notes}${r.lostKeys.length ? `; lost e.g. ${r.lostKeys.join(', ')}` : ''}`,
  );
};

test('runs of people → contacts and organisations → companies killed with SIGKILL after read, write, marks and commit of several pages lose and duplicate nothing', async () => {
  const r = await killPointsScenario({ people: 3000, organisations: 800, kills: 6, seed: 11 });
  const { planned, killed } = r.kills;
  assert.equal(killed.length, planned.length, `every planned kill landed: ${r.notes}`);
  assert.deepEqual(new Set(killed.map((k) => k.point)), new Set(FAILPOINTS), 'kills at all four points');
  assert.deepEqual(new Set(killed.map((k) => k.task)), new Set(['people', 'companies']), 'both tasks killed');
  assert.ok(new Set(killed.map((k) => k.page)).size >= 2, `kills on several pages: ${r.notes}`);
  clean(r);
});

test('5xx, timeouts, 429 storms and partial failures leave every record synced or failed with a reason; a second run fixes the retryable ones', async () => {
  const [first, second] = await faultsScenario({ records: 2000 });
  clean(first as ChaosResult);
  clean(second as ChaosResult);
  assert.ok((second as ChaosResult).refused > 0, 'some e-mails were refused on purpose');
});

test('a run survives its store connections being cut (as in a PostgreSQL restart)', async () => {
  clean(await storeFaultScenario({ records: 3000 }));
  console.log(formatSummary(results));
});
