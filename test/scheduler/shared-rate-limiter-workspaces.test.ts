// The PostgreSQL budget hands an account's window out by workspace share across processes, as the
// in-process one does (connectors/workspace-share.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiter } from '../../src/connectors/rate-limiter.ts';
import { createPostgresBudget } from '../../src/connectors/shared-rate-limiter.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

let db: TempDatabase;
let a: Store;
let b: Store;
before(async () => {
  db = await createTempPostgres();
  a = await openTestStore(db);
  b = await openTestStore(db);
});
after(async () => {
  await a?.close();
  await b?.close();
  await db?.drop();
});

/** Keeps `loops` requests of a party waiting until `stop()`, counting its grants after `countFromNow()`. */
function saturate(limiter: RateLimiter, loops: number) {
  let stop = false;
  let from = Number.POSITIVE_INFINITY;
  let grants = 0;
  const done = Promise.all(
    Array.from({ length: loops }, async () => {
      while (!stop) {
        const p = await limiter.acquire();
        if (Date.now() >= from) grants++;
        await sleep(10);
        p.done();
      }
    }),
  );
  return {
    countFromNow: () => {
      from = Date.now();
    },
    stop: async () => {
      stop = true;
      await done;
      return grants;
    },
  };
}

test('across processes, two workspaces of 70 % and 30 % saturating one account share its budget about 70 to 30', async () => {
  const max = 20;
  const interval = 1000; // paced at 20 grants a second while shared
  const inA = saturate(
    createPostgresBudget(a.db, 'account-ws', max, interval).forParty('a-sync', { id: 'a', rateShare: 70 }),
    6,
  );
  const inB = saturate(
    createPostgresBudget(b.db, 'account-ws', max, interval).forParty('b-sync', { id: 'b', rateShare: 30 }),
    6,
  );
  await sleep(1500); // past the first window, which the first comer may fill alone
  inA.countFromNow();
  inB.countFromNow();
  await sleep(4000);
  const [ga, gb] = [await inA.stop(), await inB.stop()];
  const shareOfA = ga / (ga + gb);
  // Served in turn (weights ignored), each would get half.
  assert.ok(
    shareOfA > 0.6 && shareOfA < 0.8,
    `a got ${ga} and b ${gb} grants (${(shareOfA * 100).toFixed(0)} %)`,
  );
});
