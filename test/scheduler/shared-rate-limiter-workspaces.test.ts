// The PostgreSQL budget hands an account's window out by workspace share across processes, as the
// in-process one does (connectors/workspace-share.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiter } from '../../src/connectors/rate-limiter.ts';
import { createPostgresBudget } from '../../src/connectors/shared-rate-limiter.ts';
import { twoStoresOnPostgres } from '../helpers/store.ts';

const two = twoStoresOnPostgres();

/** Keeps `loops` requests of a party waiting on the budget until `stop()`, which answers its grant times. */
function saturate(limiter: RateLimiter, loops: number) {
  let stop = false;
  const grants: number[] = [];
  const done = Promise.all(
    Array.from({ length: loops }, async () => {
      while (!stop) {
        const p = await limiter.acquire();
        grants.push(Date.now());
        await sleep(10);
        p.done();
      }
    }),
  );
  return async () => {
    stop = true;
    await done;
    return grants;
  };
}

/** Grants within [from, to): counted over one span for every party, whichever stops first. */
const within = (grants: number[], from: number, to: number) =>
  grants.filter((g) => g >= from && g < to).length;

test('across processes, two workspaces of 70 % and 30 % saturating one account share its budget about 70 to 30', async (t) => {
  const max = 20;
  const interval = 1000; // paced at 20 grants a second while shared
  const inA = saturate(
    createPostgresBudget(two.a.db, 'account-ws', max, interval).forParty('a-sync', {
      id: 'a',
      rateShare: 70,
    }),
    6,
  );
  const inB = saturate(
    createPostgresBudget(two.b.db, 'account-ws', max, interval).forParty('b-sync', {
      id: 'b',
      rateShare: 30,
    }),
    6,
  );
  await sleep(1500); // past the first window, which the first comer may fill alone
  const from = Date.now();
  await sleep(4000);
  const to = Date.now();
  const [ga, gb] = [within(await inA(), from, to), within(await inB(), from, to)];
  const shareOfA = ga / (ga + gb);
  t.diagnostic(`a ${ga}, b ${gb} grants (${(shareOfA * 100).toFixed(0)} %)`);
  // Served in turn (weights ignored), each would get half.
  assert.ok(
    shareOfA > 0.6 && shareOfA < 0.8,
    `a got ${ga} and b ${gb} grants (${(shareOfA * 100).toFixed(0)} %)`,
  );
});
