// On PostgreSQL too, a connection's configured rate limits its own calls: another workspace's connection on
// the same account configured low slows only itself, across processes as well.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiter } from '../../src/connectors/rate-limiter.ts';
import { connectionLimiter } from '../../src/connectors/registry.ts';
import { createSharedLimiters } from '../../src/connectors/shared-rate-limiter.ts';
import { twoStoresOnPostgres } from '../helpers/store.ts';

const two = twoStoresOnPostgres();

/** Whether `n` slots are granted at once (none frees during a test: a window of a minute, none done). */
async function grantsAtOnce(limiter: RateLimiter, n: number): Promise<boolean> {
  const ac = new AbortController();
  const asked = Array.from({ length: n }, () => limiter.acquire(ac.signal));
  const outcome = await Promise.race([Promise.all(asked).then(() => true), sleep(2500).then(() => false)]);
  ac.abort();
  await Promise.allSettled(asked);
  return outcome;
}

test("a connection configured at 1 request a window slows only itself: the account's other connection keeps its ceiling, in the same process and in another", async () => {
  const window = 60_000;
  const account = 'hubspot:pg-ceiling';
  const hub = createSharedLimiters(two.a.db);
  const worker = createSharedLimiters(two.b.db);
  const low = connectionLimiter(hub, 'pg-conn-b', 1, window, { account, workspaceId: 'b' });
  await low.acquire(); // b's admin tests the connection in the hub
  assert.equal(await grantsAtOnce(low, 1), false, "b's second call waits for its own ceiling");
  const inHub = connectionLimiter(hub, 'pg-conn-a', 6, window, { account, party: 'a-sync' });
  // The lowest ceiling would leave a's connection nothing in the hub process.
  assert.equal(await grantsAtOnce(inHub, 2), true, "a's run in the hub draws past b's ceiling");
  // The same task (one party: two would be paced a spacing apart) goes on in a worker process.
  const inWorker = connectionLimiter(worker, 'pg-conn-a', 6, window, { account, party: 'a-sync' });
  assert.equal(await grantsAtOnce(inWorker, 3), true, "a's run in a worker draws the rest of the window");
  assert.equal(await grantsAtOnce(inWorker, 1), false, "the account holds no more than a's ceiling of 6");
});
