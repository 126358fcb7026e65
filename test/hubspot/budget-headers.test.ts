// The limiter follows HubSpot's X-HubSpot-RateLimit-* headers: a portal with less room than configured
// (a lower plan, another integration on the same app) is not hammered with 429s, and a run stops before the
// day's budget is gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import {
  createHubSpotEmulator,
  type HubSpotEmulator,
  type RateLimitOptions,
} from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { busiestWindow, logRequests } from '../cli/junction-process.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite } from '../helpers/databases.ts';
import { spineConfig } from '../helpers/spine-config.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

/** A store with the spine task on `people` people, against an emulator with `rateLimit`; `token` names the portal. */
async function portal(o: { token: string; people: number; rateLimit: RateLimitOptions; configured: number }) {
  const business = await createTempSqlite();
  const storeDb = await createTempSqlite();
  await createPeopleTable(business, generatePeople(o.people));
  const hs = createHubSpotEmulator({ tokens: [o.token], rateLimit: o.rateLimit, faults: { latencyMs: 10 } });
  const hubspotUrl = await hs.listen();
  const store = await openTestStore(storeDb);
  const yaml = spineConfig({ businessUrl: business.url, hubspotUrl, requestsPer10s: o.configured });
  await applyConfig(store, parseConfigText(yaml, { TEST_HUBSPOT_TOKEN: o.token }));
  return {
    hs,
    store,
    async close() {
      await store.close();
      await hs.close();
      await business.drop();
      await storeDb.drop();
    },
  };
}

/** Waits out the emulator's window, so it forgets the mapping check's calls made at apply. */
const windowPassed = (hs: HubSpotEmulator) => new Promise((r) => setTimeout(r, hs ? 10_200 : 0));

async function syncAndCount(store: Store, hs: HubSpotEmulator) {
  const calls = logRequests(hs);
  const run = await runTask('people-sync', { store, log });
  return { run, calls };
}

test('a portal with less room than configured (5 per 10 s against 100 configured): the limiter follows its headers, no 429', async () => {
  const p = await portal({
    token: 'pat-na1-lower-plan',
    people: 1200,
    rateLimit: { max: 5, intervalMs: 10_000 },
    configured: 100,
  });
  try {
    await windowPassed(p.hs);
    const rateLimitedBefore = p.hs.stats.rateLimited;
    const { run, calls } = await syncAndCount(p.store, p.hs);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.counts.created, 720);
    assert.equal(p.hs.stats.rateLimited - rateLimitedBefore, 0, 'the emulator answered 429');
    assert.ok(calls.length > 5, 'the sync needs more than one window');
    assert.ok(busiestWindow(calls, 10_000) <= 5, `${busiestWindow(calls, 10_000)} calls within 10 s`);
  } finally {
    await p.close();
  }
});

test("another integration's calls in the window are left room for: no 429", async () => {
  const token = 'pat-na1-shared-app';
  const p = await portal({ token, people: 1600, rateLimit: { max: 20, intervalMs: 10_000 }, configured: 20 });
  try {
    await windowPassed(p.hs);
    const rateLimitedBefore = p.hs.stats.rateLimited;
    p.hs.spendBudget(token, { window: 12 });
    const { run } = await syncAndCount(p.store, p.hs);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.counts.created, 960); // 10 batch calls: more than the 8 the window has left
    assert.equal(p.hs.stats.rateLimited - rateLimitedBefore, 0, 'the emulator answered 429');
  } finally {
    await p.close();
  }
});

test("a day's budget nearly spent: the run stops with daily_limit_reached after a call or two, no 429", async () => {
  const token = 'pat-na1-late-in-the-day';
  const p = await portal({
    token,
    people: 1000,
    rateLimit: { max: 100, intervalMs: 10_000, daily: 250_000 },
    configured: 100,
  });
  try {
    // Other work spent the day: 60 calls are left, less than one window of this connection (100).
    p.hs.spendBudget(token, { daily: 250_000 - 60 - p.hs.stats.total });
    const before = p.hs.stats.total;
    const { run } = await syncAndCount(p.store, p.hs);
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'daily_limit_reached');
    assert.match(run.error?.message ?? '', /requests left/);
    const made = p.hs.stats.total - before;
    assert.ok(made <= 5, `${made} calls after the headers said the day was nearly spent`);
    assert.equal(p.hs.stats.rateLimited, 0);
    // The next run does not call at all while the stop holds.
    const again = await runTask('people-sync', { store: p.store, log });
    assert.equal(again.error?.code, 'daily_limit_reached');
    assert.equal(p.hs.stats.total - before, made);
  } finally {
    await p.close();
  }
});
