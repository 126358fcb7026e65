// Connections of several workspaces share one outside account's budget: a connection's configured rate
// limits its own calls, no connection lowers the account's budget for the others, and calls without a task
// draw for their connection's workspace with its share.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createFairBudget } from '../../src/connectors/fair-budget.ts';
import {
  type BudgetShare,
  limiterFor,
  type RateLimiter,
  type RateLimitPermit,
  UNLIMITED,
} from '../../src/connectors/rate-limiter.ts';
import { connectionLimiter, createConnector } from '../../src/connectors/registry.ts';
import { limitersFor } from '../../src/runs/limiters.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

/** Whether `n` slots are granted at once (none frees during a test: a window of a minute, none done). */
async function grantsAtOnce(limiter: RateLimiter, n: number): Promise<boolean> {
  const ac = new AbortController();
  const asked = Array.from({ length: n }, () => limiter.acquire(ac.signal));
  const outcome = await Promise.race([Promise.all(asked).then(() => true), sleep(1500).then(() => false)]);
  ac.abort();
  await Promise.allSettled(asked);
  return outcome;
}

test("another workspace's connection configured at 1 request a window slows only itself, not the account's other connections", async () => {
  const window = 60_000;
  const share = { account: 'hubspot:ceiling-1' };
  const a = connectionLimiter(limiterFor, 'ceiling-conn-a', 5, window, {
    ...share,
    party: 'a-sync',
    workspace: { id: 'a', rateShare: null },
  });
  const b = connectionLimiter(limiterFor, 'ceiling-conn-b', 1, window, { ...share, workspaceId: 'b' });
  await b.acquire(); // b's admin tests the connection
  assert.equal(await grantsAtOnce(b, 1), false, "b's second call waits for its own ceiling");
  // The account's budget is a's 5, of which b's call holds one (the lowest ceiling would leave a none).
  assert.equal(await grantsAtOnce(a, 4), true, "a's run draws the rest of the account's window");
  assert.equal(await grantsAtOnce(a, 1), false, 'the account holds no more than its ceiling');
});

test("a connection's ceiling that no call has drawn through for 30 intervals (a deleted connection) no longer counts", async () => {
  const interval = 100;
  const account = 'hubspot:ceiling-2';
  limiterFor('ceiling-gone', 8, interval, { account }); // entered, then never drawn through again
  await sleep(interval * 30 + 300);
  const kept = limiterFor('ceiling-kept', 3, interval, { account });
  const permits: RateLimitPermit[] = [];
  for (let i = 0; i < 3; i++) permits.push(await kept.acquire());
  assert.equal(await grantsAtOnce(kept, 1), false, 'the budget is the remaining connection’s 3, not 8');
  for (const p of permits) p.done();
});

let db: TempDatabase;
let store: Store;
before(async () => {
  db = await createTempSqlite();
  store = await openTestStore(db);
  await store.workspaces.save({ id: 'wide', name: 'Wide', limits: { rateShare: 50 } });
  await store.workspaces.save({ id: 'narrow', name: 'Narrow', limits: { rateShare: 10 } });
});
after(async () => {
  await store?.close();
  await db?.drop();
});

test("calls without a task (a test, a describe) draw for their connection's workspace and within its share", async (t) => {
  const limiters = limitersFor(store);
  const account = { account: 'hubspot:ceiling-3' };
  const run = limiters('share-run', 10, 200, {
    ...account,
    party: 'run',
    workspace: { id: 'wide', rateShare: 50 },
  });
  const untasked = limiters('share-tests', 10, 200, { ...account, workspaceId: 'narrow' });
  let stop = false;
  const grants = { run: [] as number[], untasked: [] as number[] };
  const saturate = (l: RateLimiter, into: number[]) =>
    Promise.all(
      // More waiting than the window holds: untasked calls are not paced (they do not make a budget
      // shared), so a burst would otherwise leave the slots one side cannot fill to the other.
      Array.from({ length: 12 }, async () => {
        while (!stop) {
          const p = await l.acquire();
          into.push(performance.now());
          await sleep(5);
          p.done();
        }
      }),
    );
  const both = Promise.all([saturate(run, grants.run), saturate(untasked, grants.untasked)]);
  await sleep(400);
  const from = performance.now();
  await sleep(2000);
  const to = performance.now();
  stop = true;
  await both;
  const [r, u] = [grants.run, grants.untasked].map((g) => g.filter((x) => x >= from && x < to).length) as [
    number,
    number,
  ];
  t.diagnostic(`run ${r}, untasked ${u}`);
  // narrow's 10 % against wide's 50 %: a sixth (a tenth in a window of 10). As the unnamed workspace (no share: what wide leaves) half.
  const part = u / (r + u);
  assert.ok(part > 0.05 && part < 0.3, `the untasked calls got ${u} of ${r + u} grants`);
});

test("a connector made without a task's workspace (a test call) names its connection's workspace to the budgets", () => {
  const shares: BudgetShare[] = [];
  createConnector(
    {
      id: 'ws-named',
      name: 'CRM',
      system: 'hubspot',
      config: { baseUrl: 'http://127.0.0.1:9' },
      secret: { accessToken: 'pat-x' },
      workspaceId: 'narrow',
    } as Parameters<typeof createConnector>[0],
    {
      log: pino({ level: 'silent' }),
      signal: new AbortController().signal,
      limiters: (_id, _max, _interval, share = {}) => {
        shares.push(share);
        return UNLIMITED;
      },
    },
  );
  assert.ok(shares.length > 0, 'the connector asked for its budgets');
  for (const share of shares) assert.equal(share.workspaceId, 'narrow');
});

test("a call that names only its workspace (no share known) keeps the share the workspace's runs came with", async () => {
  const budget = createFairBudget(10, 200);
  const narrow = budget.forParty('narrow-sync', { id: 'narrow', rateShare: 10 });
  const wide = budget.forParty('wide-sync', { id: 'wide', rateShare: 50 });
  budget.forParty('', 'narrow'); // a test call through a provider that cannot read shares
  let stop = false;
  const grants = { narrow: 0, wide: 0 };
  const saturate = (l: RateLimiter, k: 'narrow' | 'wide') =>
    Promise.all(
      Array.from({ length: 12 }, async () => {
        while (!stop) {
          const p = await l.acquire();
          grants[k]++;
          await sleep(5);
          p.done();
        }
      }),
    );
  const both = Promise.all([saturate(narrow, 'narrow'), saturate(wide, 'wide')]);
  await sleep(2000);
  stop = true;
  await both;
  const part = grants.narrow / (grants.narrow + grants.wide);
  // 10 % against 50 %: a sixth; with its share lost (none: what wide leaves, 50 %) half.
  assert.ok(part < 0.3, `narrow got ${grants.narrow} of ${grants.narrow + grants.wide} grants`);
});
