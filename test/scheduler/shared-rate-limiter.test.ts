import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LimiterProvider, RateLimiter } from '../../src/connectors/rate-limiter.ts';
import {
  createPostgresBudget,
  createPostgresRateLimiter,
  createSharedLimiters,
} from '../../src/connectors/shared-rate-limiter.ts';
import { eventually } from '../helpers/eventually.ts';
import { twoStoresOnPostgres } from '../helpers/store.ts';

const two = twoStoresOnPostgres();

test('two limiters on separate pools (two workers) together never exceed the window of one connection', async () => {
  const max = 4;
  const interval = 400;
  const limiters = [two.a, two.b].map((s) => createPostgresRateLimiter(s.db, 'conn-1', max, interval));
  const windows: [number, number][] = []; // [granted, released] per request
  await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      const permit = await (limiters[i % 2] as (typeof limiters)[0]).acquire();
      const granted = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      windows.push([granted, Date.now()]);
      permit.done();
    }),
  );
  // A server counting arrivals in a rolling window sees at most `max`: every arrival lies between a grant and
  // its response, so count requests whose grant falls within `interval` before each response.
  for (const [, released] of windows) {
    const inWindow = windows.filter(([g]) => g > released - interval && g <= released).length;
    assert.ok(inWindow <= max, `${inWindow} requests within one window`);
  }
  const span = Math.max(...windows.map(([g]) => g)) - Math.min(...windows.map(([g]) => g));
  assert.ok(
    span >= 3 * interval * 0.9,
    `16 requests at 4 per window need at least 3 further windows (took ${span} ms)`,
  );
});

test('a 429 pause from one worker holds back the other', async () => {
  const [l1, l2] = [two.a, two.b].map((s) => createPostgresRateLimiter(s.db, 'conn-2', 10, 1000)) as [
    ReturnType<typeof createPostgresRateLimiter>,
    ReturnType<typeof createPostgresRateLimiter>,
  ];
  (await l1.acquire()).done();
  l1.pause(600);
  await new Promise((r) => setTimeout(r, 50)); // the pause reaches the database
  const t0 = Date.now();
  (await l2.acquire()).done();
  assert.ok(Date.now() - t0 >= 450, `the other worker waited ${Date.now() - t0} ms`);
});

test("across processes, a task's few calls are served within about a spacing while another process's task saturates the account", async () => {
  const max = 10;
  // One grant per 400 ms while the budget is shared; a call behind the window would wait up to 4 s. The gap
  // between the two leaves room for a loaded machine (CI, two cores) without letting the unfair case pass.
  const interval = 4000;
  const big = createPostgresBudget(two.a.db, 'account-3', max, interval).forParty('initial-sync');
  const small = createPostgresBudget(two.b.db, 'account-3', max, interval).forParty('on-change');
  const windows: [number, number][] = [];
  const call = async (l: RateLimiter) => {
    const asked = Date.now();
    const permit = await l.acquire();
    const granted = Date.now();
    await new Promise((r) => setTimeout(r, 10));
    windows.push([granted, Date.now()]);
    permit.done();
    return granted - asked;
  };
  await call(small); // the change-driven task drew before (its last run)
  let stop = false;
  const saturating = Promise.all(
    Array.from({ length: 6 }, async () => {
      while (!stop) await call(big);
    }),
  );
  await new Promise((r) => setTimeout(r, 4500));
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) waits.push(await call(small));
  stop = true;
  await saturating;
  // Behind the other process's burst and queue, a call would wait for the window (up to 4000 ms).
  for (const w of waits) assert.ok(w <= 1500, `the small task waited ${waits.join(', ')} ms for its calls`);
  for (const [, released] of windows) {
    const inWindow = windows.filter(([g]) => g > released - interval && g <= released).length;
    assert.ok(inWindow <= max, `${inWindow} requests within one window`);
  }
});

test('connections of one account in two processes share its budget, and a nearly spent day stops both', async () => {
  const provider = [two.a, two.b].map((s) => createSharedLimiters(s.db));
  const [p1, p2] = provider as [LimiterProvider, LimiterProvider];
  const first = p1('conn-x', 2, 60_000, { account: 'portal-9', party: 't1' });
  const second = p2('conn-y', 2, 60_000, { account: 'portal-9', party: 't2' });
  (await first.acquire()).done();
  (await second.acquire()).done();
  const ac = new AbortController();
  const third = first.acquire(ac.signal);
  const outcome = await Promise.race([
    third.then(() => 'granted'),
    new Promise((r) => setTimeout(() => r('waiting'), 300)),
  ]);
  assert.equal(outcome, 'waiting', 'two connections to portal-9 spent its window of 2 together');
  ac.abort();
  await third.catch(() => {});
  second.report?.({ daily: 1000, dailyRemaining: 1 });
  await assert.rejects(second.acquire(), (e: Error & { code?: string }) => e.code === 'daily_limit_reached');
});

test('while shared, a sync pausing briefly between pages still gets the paced rate across processes', async () => {
  const sync = createPostgresBudget(two.a.db, 'account-4', 100, 10_000).forParty('initial-sync');
  (await createPostgresBudget(two.b.db, 'account-4', 100, 10_000).forParty('on-change').acquire()).done();
  const grants: number[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < 8000) {
    // A page: 10 batch calls at once, then 300 ms of reading and committing.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const p = await sync.acquire();
        grants.push(Date.now());
        await new Promise((r) => setTimeout(r, 20));
        p.done();
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
  }
  const inSteadyState = grants.filter((g) => g > t0 + 1000 && g <= t0 + 8000).length;
  // Spaced strictly, each pause would lose its slots for good (≈ 0.85 of the rate).
  assert.ok(inSteadyState >= 0.93 * 70, `${inSteadyState} grants in 7 s at a paced rate of 10 a second`);
});

/** What the processes share of `key`'s budget, once a report has reached the database. */
const sharedRow = (key: string) =>
  two.a.db
    .selectFrom('rate_limits' as never)
    .select(['server_max', 'stop_until'] as never)
    .where('key' as never, '=', key as never)
    .executeTakeFirst() as Promise<{ server_max: number | null; stop_until: string | number } | undefined>;

test("the server's lower limit heard by one process slows the other, and its daily stop stops the other before it calls", async () => {
  const heard = createPostgresBudget(two.a.db, 'account-5', 10, 60_000).forParty('t1');
  const other = createPostgresBudget(two.b.db, 'account-5', 10, 60_000).forParty('t2');
  (await heard.acquire()).done();
  // The server says 2 a window (a lower plan): the other process, which heard nothing, takes one more only.
  heard.report?.({ max: 2 });
  await eventually(
    'the lower limit reached the database',
    async () => (await sharedRow('account-5'))?.server_max,
  );
  (await other.acquire()).done();
  const ac = new AbortController();
  const third = other.acquire(ac.signal);
  const outcome = await Promise.race([
    third.then(() => 'granted'),
    new Promise((r) => setTimeout(() => r('waiting'), 300)),
  ]);
  ac.abort();
  await third.catch(() => {});
  assert.equal(outcome, 'waiting', 'the window of 2 was spent by one call in each process');

  const stopping = createPostgresBudget(two.a.db, 'account-6', 10, 60_000).forParty('t1');
  const stopped = createPostgresBudget(two.b.db, 'account-6', 10, 60_000).forParty('t2');
  (await stopping.acquire()).done();
  stopping.report?.({ daily: 1000, dailyRemaining: 1 });
  await eventually('the daily stop reached the database', async () =>
    Number((await sharedRow('account-6'))?.stop_until ?? 0),
  );
  await assert.rejects(stopped.acquire(), (e: Error & { code?: string }) => e.code === 'daily_limit_reached');
});
