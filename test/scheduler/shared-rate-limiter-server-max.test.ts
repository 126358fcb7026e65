// The server's limit shared through rate_limits.server_max (migration 0017) follows the server back up: a
// limit another process heard lower and the server raised again does not keep this process low.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { createPostgresRateLimiter } from '../../src/connectors/shared-rate-limiter.ts';
import { eventually } from '../helpers/eventually.ts';
import { twoStoresOnPostgres } from '../helpers/store.ts';

const two = twoStoresOnPostgres();

const sharedMax = async (key: string) =>
  (
    await (two.a.db as unknown as Kysely<{ rate_limits: { key: string; server_max: number | null } }>)
      .selectFrom('rate_limits')
      .select('server_max')
      .where('key', '=', key)
      .executeTakeFirst()
  )?.server_max;

test('a limit another worker heard lower is raised again when the server says the higher one', async () => {
  const key = 'account-raised';
  const interval = 60_000; // nothing frees within the test: every grant holds a slot
  const mine = createPostgresRateLimiter(two.a.db, key, 10, interval);
  const other = createPostgresRateLimiter(two.b.db, key, 10, interval);
  (await mine.acquire()).done();
  mine.report?.({ max: 8, intervalMs: interval });
  await eventually('the server said 8', async () => Number(await sharedMax(key)) === 8);
  // For a moment the server answered the other worker with a lower limit, then raised it back.
  other.report?.({ max: 3, intervalMs: interval });
  await eventually('the other worker told 3', async () => Number(await sharedMax(key)) === 3);
  (await mine.acquire()).done(); // this worker reads the shared 3
  mine.report?.({ max: 8, intervalMs: interval }); // … and hears 8 again, as before
  // The other worker is idle from now on: only this one can tell the row the limit is 8 again.
  for (let i = 0; i < 6; i++) {
    const permit = await mine.acquire(AbortSignal.timeout(20_000));
    permit.done();
  }
  assert.equal(Number(await sharedMax(key)), 8, 'the shared limit is the server’s 8 again');
});
