// One outside account's budget, shared by several tasks: served in turn (workspaces by their share), within
// the server's word, and stopped before the day's budget is gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFairBudget } from '../../src/connectors/fair-budget.ts';
import { limiterFor, type RateLimiter } from '../../src/connectors/rate-limiter.ts';
import { shareWeights, workspaceTurn } from '../../src/connectors/workspace-share.ts';

/** Grants and responses of every request, to check the window a server would count. */
type Log = [granted: number, answered: number][];

async function call(limiter: RateLimiter, log: Log, latencyMs = 10): Promise<number> {
  const asked = performance.now();
  const permit = await limiter.acquire();
  const granted = performance.now();
  await sleep(latencyMs);
  log.push([granted, performance.now()]);
  permit.done();
  return granted - asked;
}

function assertWithinWindow(log: Log, max: number, intervalMs: number) {
  for (const [, answered] of log) {
    const inWindow = log.filter(([g]) => g > answered - intervalMs && g <= answered).length;
    assert.ok(inWindow <= max, `${inWindow} requests within one window of ${intervalMs} ms (max ${max})`);
  }
}

test('a task with a few calls is served within about a spacing while another task saturates the shared budget', async () => {
  const max = 10;
  const interval = 1000; // one grant per 100 ms when paced
  const budget = createFairBudget(max, interval);
  const big = budget.forParty('initial-sync');
  const small = budget.forParty('on-change');
  const log: Log = [];
  await call(small, log); // the change-driven task has drawn before (its last run)
  let stop = false;
  const saturating = Promise.all(
    Array.from({ length: 6 }, async () => {
      while (!stop) await call(big, log);
    }),
  );
  await sleep(1500); // the big task has filled the window and keeps 6 requests waiting
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) waits.push(await call(small, log));
  stop = true;
  await saturating;
  // Behind the big task's queue and its burst, each call would wait up to a window (1000 ms).
  for (const w of waits) assert.ok(w <= 350, `the small task waited ${w.toFixed(0)} ms for a call`);
  assertWithinWindow(log, max, interval);
  const bigCalls = log.length - 4;
  assert.ok(bigCalls >= 15, `the big task kept drawing (${bigCalls} calls in ~2 s at 10/s)`);
});

test('alone, a task takes the whole window at once (a single sync reaches the ceiling)', async () => {
  const budget = createFairBudget(10, 1000);
  const alone = budget.forParty('only');
  const t0 = performance.now();
  const permits = await Promise.all(Array.from({ length: 10 }, () => alone.acquire()));
  assert.ok(performance.now() - t0 < 80, `10 grants took ${(performance.now() - t0).toFixed(0)} ms`);
  for (const p of permits) p.done();
});

test('tasks waiting at once are served in turn, not in the order their requests queued', async () => {
  const budget = createFairBudget(1, 100);
  const order: string[] = [];
  const first = await budget.forParty('a').acquire();
  const waiting = [
    ...Array.from({ length: 4 }, () => budget.forParty('a')),
    budget.forParty('b'),
    budget.forParty('c'),
  ].map(async (l, i) => {
    const p = await l.acquire();
    order.push(i < 4 ? 'a' : i === 4 ? 'b' : 'c');
    p.done();
  });
  first.done();
  await Promise.all(waiting);
  assert.deepEqual(order.slice(0, 3).sort(), ['a', 'b', 'c'], `served: ${order.join(' ')}`);
});

test('the server reporting less room than configured (another integration on the account) slows the limiter', async () => {
  const budget = createFairBudget(10, 600);
  const l = budget.forParty('task');
  const first = await l.acquire();
  // The server's window holds 4 requests, one of them this one; 2 are left: someone else used 1.
  l.report?.({ max: 4, remaining: 2, intervalMs: 600 });
  first.done();
  const t0 = performance.now();
  for (let i = 0; i < 2; i++) (await l.acquire()).done();
  assert.ok(performance.now() - t0 < 100, 'the two requests the server has room for go at once');
  await l.acquire();
  assert.ok(
    performance.now() - t0 >= 450,
    `the next waited for the server's window (${(performance.now() - t0).toFixed(0)} ms)`,
  );
});

test("a report of another window's length (an endpoint's per-second limit) does not hold this window's slots", async () => {
  const budget = createFairBudget(10, 600);
  const l = budget.forParty('task');
  (await l.acquire()).done();
  l.report?.({ max: 4, remaining: 0, intervalMs: 1000 });
  const t0 = performance.now();
  for (let i = 0; i < 9; i++) (await l.acquire()).done();
  assert.ok(performance.now() - t0 < 100, `9 more requests took ${(performance.now() - t0).toFixed(0)} ms`);
});

test('a nearly spent day stops every request with daily_limit_reached instead of calling on', async () => {
  const budget = createFairBudget(5, 1000);
  const a = budget.forParty('a');
  const held = await Promise.all(Array.from({ length: 5 }, () => a.acquire()));
  const queued = budget.forParty('b').acquire();
  a.report?.({ daily: 250_000, dailyRemaining: 4 });
  await assert.rejects(queued, (e: Error & { code?: string }) => e.code === 'daily_limit_reached');
  await assert.rejects(a.acquire(), /of today's 250000 requests left/);
  for (const p of held) p.done();
});

test('a connection configured far above its plan keeps at most 1 % of the day back, not a whole window', async () => {
  const budget = createFairBudget(1_000_000, 10_000);
  const l = budget.forParty('a');
  (await l.acquire()).done();
  l.report?.({ daily: 250_000, dailyRemaining: 200_000 });
  (await l.acquire()).done();
  l.report?.({ daily: 250_000, dailyRemaining: 2_000 });
  await assert.rejects(l.acquire(), (e: Error & { code?: string }) => e.code === 'daily_limit_reached');
});

test('connections naming the same account draw from one budget; another account has its own', async () => {
  const acquireAll = async (l: RateLimiter, n: number) => {
    for (let i = 0; i < n; i++) await l.acquire();
  };
  const one = limiterFor('conn-a', 3, 60_000, { account: 'portal-1', party: 't1' });
  const sameAccount = limiterFor('conn-b', 3, 60_000, { account: 'portal-1', party: 't2' });
  const otherAccount = limiterFor('conn-c', 3, 60_000, { account: 'portal-2', party: 't3' });
  await acquireAll(one, 3);
  await acquireAll(otherAccount, 3);
  const ac = new AbortController();
  const late = sameAccount.acquire(ac.signal);
  const outcome = await Promise.race([late.then(() => 'granted'), sleep(150).then(() => 'waiting')]);
  assert.equal(outcome, 'waiting', "the second connection to portal-1 waits for the first's window");
  ac.abort();
  await late.catch(() => {});
});

test("while shared, a sync pausing briefly between pages still gets the paced rate (the pauses' slots are made up)", async () => {
  const budget = createFairBudget(100, 10_000); // paced at 10 grants a second
  const sync = budget.forParty('initial-sync');
  (await budget.forParty('on-change').acquire()).done();
  const grants: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < 8000) {
    // A page: 10 batch calls at once, then 300 ms of reading and committing.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const p = await sync.acquire();
        grants.push(performance.now());
        await sleep(20);
        p.done();
      }),
    );
    await sleep(300);
  }
  const inSteadyState = grants.filter((g) => g > t0 + 1000 && g <= t0 + 8000).length;
  // Running ahead by one spacing only, each pause would lose 2 of every 13 slots (≈ 0.85 of the rate).
  assert.ok(inSteadyState >= 0.95 * 70, `${inSteadyState} grants in 7 s at a paced rate of 10 a second`);
});

/** Keeps `loops` requests of a party waiting on the budget until `stop()`, which answers its grant times. */
function saturate(limiter: RateLimiter, loops: number) {
  let stop = false;
  const grants: number[] = [];
  const done = Promise.all(
    Array.from({ length: loops }, async () => {
      while (!stop) {
        const p = await limiter.acquire();
        grants.push(performance.now());
        await sleep(5);
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

test('two workspaces of 70 % and 30 % saturating one account share its budget about 70 to 30', async (t) => {
  const budget = createFairBudget(10, 200); // 50 grants a second
  const a = saturate(budget.forParty('a-sync', { id: 'a', rateShare: 70 }), 8);
  const b = saturate(budget.forParty('b-sync', { id: 'b', rateShare: 30 }), 8);
  await sleep(400); // past the first window, which the first comer may fill alone
  const from = performance.now();
  await sleep(2000);
  const to = performance.now();
  const [ga, gb] = [within(await a(), from, to), within(await b(), from, to)];
  const shareOfA = ga / (ga + gb);
  t.diagnostic(`a ${ga}, b ${gb} grants (${(shareOfA * 100).toFixed(0)} %)`);
  // Served in turn (weights ignored), each would get half.
  assert.ok(
    shareOfA > 0.62 && shareOfA < 0.78,
    `a got ${ga} and b ${gb} grants (${(shareOfA * 100).toFixed(0)} %)`,
  );
});

test('within a workspace its tasks are served in turn; a workspace without a share gets what the shares leave', async () => {
  const budget = createFairBudget(10, 200);
  // a (50 %) runs three tasks, c (no share: the 50 % a leaves) one: by workspace c gets half, while
  // round-robin over the four tasks would give it a quarter.
  const as = ['a-1', 'a-2', 'a-3'].map((p) => saturate(budget.forParty(p, { id: 'a', rateShare: 50 }), 6));
  const c = saturate(budget.forParty('c-1', { id: 'c', rateShare: null }), 6);
  await sleep(400);
  const from = performance.now();
  await sleep(2000);
  const to = performance.now();
  const ga: number[] = [];
  for (const a of as) ga.push(within(await a(), from, to));
  const gc = within(await c(), from, to);
  const total = ga.reduce((x, y) => x + y, 0) + gc;
  const spread = Math.max(...ga) - Math.min(...ga);
  assert.ok(spread <= 0.1 * total, `a's tasks got ${ga.join(', ')}`);
  const shareOfC = gc / total;
  assert.ok(shareOfC > 0.4 && shareOfC < 0.6, `c got ${gc} of ${total} grants`);
});

test('alone, a workspace with a 30 % share takes the whole budget (the share binds only while others wait)', async () => {
  const budget = createFairBudget(10, 60_000);
  const alone = budget.forParty('a-sync', { id: 'a', rateShare: 30 });
  const all = Promise.all(Array.from({ length: 10 }, () => alone.acquire()));
  const outcome = await Promise.race([all.then(() => 'granted'), sleep(2000).then(() => 'waiting')]);
  assert.equal(outcome, 'granted', 'all 10 slots of the window went to the only workspace');
  for (const p of await all) p.done();
});

test('share weights: workspaces without a share split what the shares leave (at least 1 % each); a freed slot goes to whoever holds least of its share', () => {
  const weights = (c: [string, number | null][]) =>
    Object.fromEntries(shareWeights(c.map(([workspace, rateShare]) => ({ workspace, rateShare, held: 0 }))));
  assert.deepEqual(
    weights([
      ['a', 70],
      ['b', null],
      ['c', null],
    ]),
    { a: 70, b: 15, c: 15 },
  );
  assert.deepEqual(
    weights([
      ['a', 70],
      ['b', 30],
      ['c', null],
    ]),
    { a: 70, b: 30, c: 1 },
  );
  // 7 of 10 slots held by a (70 %), 2 by b (30 %): the freed slot goes to b, which holds less than its share.
  assert.equal(
    workspaceTurn([
      { workspace: 'a', rateShare: 70, held: 7 },
      { workspace: 'b', rateShare: 30, held: 2 },
    ]),
    'b',
  );
  assert.equal(
    workspaceTurn([
      { workspace: 'a', rateShare: 70, held: 6 },
      { workspace: 'b', rateShare: 30, held: 3 },
    ]),
    'a',
  );
});
