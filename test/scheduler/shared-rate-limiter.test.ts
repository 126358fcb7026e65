import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPostgresRateLimiter } from '../../src/connectors/shared-rate-limiter.ts';
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

test('two limiters on separate pools (two workers) together never exceed the window of one connection', async () => {
  const max = 4;
  const interval = 400;
  const limiters = [a, b].map((s) => createPostgresRateLimiter(s.db, 'conn-1', max, interval));
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
  const [l1, l2] = [a, b].map((s) => createPostgresRateLimiter(s.db, 'conn-2', 10, 1000)) as [
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
