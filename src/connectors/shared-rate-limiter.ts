import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import type { LimiterProvider, RateLimiter } from './rate-limiter.ts';
import { UNLIMITED } from './rate-limiter.ts';

/** Any Kysely instance: the limiter brings its own tables via `withTables`, and connectors never import the store's schema. */
// biome-ignore lint/suspicious/noExplicitAny: Kysely<Database> is not assignable to any narrower Kysely type
type AnyKysely = Kysely<any>;

type LimiterTables = {
  rate_limits: { key: string; paused_until: number };
  rate_limit_slots: { id: string; key: string; release_at: number };
};

export interface SharedLimiterOptions {
  /** How long an unanswered request holds its slot before it is presumed lost with its process (default 60 s). */
  inFlightLeaseMs?: number;
  /** Longest sleep between tries while the window is full (default 250 ms). */
  maxWaitMs?: number;
}

/**
 * The rolling-window limiter of `rate-limiter.ts`, with its slots in PostgreSQL so every worker process
 * shares one budget per connection. Why PostgreSQL and not Redis: the scale-out mode already requires
 * it, so there is nothing more to run, secure or start in CI; one row lock per request is cheap next
 * to an HTTP call. Times come from the database clock so workers on different machines agree.
 * A slot is freed `intervalMs` after its response, as in the in-process limiter, so the remote window
 * never sees more than `max`; a worker killed mid-request holds its slot only until the lease ends.
 */
export function createPostgresRateLimiter(
  database: AnyKysely,
  key: string,
  max: number,
  intervalMs: number,
  o: SharedLimiterOptions = {},
): RateLimiter {
  const db = database.withTables<LimiterTables>();
  const lease = o.inFlightLeaseMs ?? 60_000;
  const maxWait = o.maxWaitMs ?? 250;
  const dbNow = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  let localPause = 0;
  let ready: Promise<unknown> | null = null;

  const tryTake = () =>
    db.transaction().execute(async (trx) => {
      // The row lock serialises the processes that compete for this connection's budget.
      const row = await trx
        .selectFrom('rate_limits')
        .select(['paused_until', dbNow.as('now')])
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const now = Number(row.now);
      await trx
        .deleteFrom('rate_limit_slots')
        .where('key', '=', key)
        .where('release_at', '<=', now)
        .execute();
      const live = await trx
        .selectFrom('rate_limit_slots')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('release_at').as('first')])
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      const paused = Number(row.paused_until);
      if (now >= paused && Number(live.n) < max) {
        const id = randomUUID();
        await trx
          .insertInto('rate_limit_slots')
          .values({ id, key, release_at: now + lease })
          .execute();
        return { id, waitMs: 0 };
      }
      const freeAt = Number(live.n) < max ? now : Number(live.first);
      return { id: null, waitMs: Math.max(paused, freeAt) - now };
    });

  return {
    async acquire(signal) {
      ready ??= db
        .insertInto('rate_limits')
        .values({ key, paused_until: 0 })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      await ready;
      for (;;) {
        signal?.throwIfAborted();
        const localWait = localPause - Date.now();
        if (localWait > 0) {
          await sleep(Math.min(localWait, maxWait), undefined, signal ? { signal } : undefined);
          continue;
        }
        const taken = await tryTake();
        if (taken.id) {
          const id = taken.id;
          let released = false;
          return {
            done() {
              if (released) return;
              released = true;
              void db
                .updateTable('rate_limit_slots')
                .set({ release_at: sql<number>`${dbNow} + ${intervalMs}` })
                .where('id', '=', id)
                .execute()
                .catch(() => {}); // the lease frees the slot anyway
            },
          };
        }
        await sleep(
          Math.min(Math.max(taken.waitMs, 10), maxWait),
          undefined,
          signal ? { signal } : undefined,
        );
      }
    },
    pause(ms) {
      localPause = Math.max(localPause, Date.now() + ms);
      void db
        .updateTable('rate_limits')
        .set({ paused_until: sql<number>`greatest(paused_until, ${dbNow} + ${Math.ceil(ms)})` })
        .where('key', '=', key)
        .execute()
        .catch(() => {});
    },
  };
}

/**
 * Limiters shared by every process on the same PostgreSQL database (`junction start`, `junction worker`,
 * `junction run`): one budget per connection, however many runs use it. The run service hands this to
 * connectors through their runtime; nothing switches it on globally.
 */
export function createSharedLimiters(database: AnyKysely): LimiterProvider {
  const limiters = new Map<string, RateLimiter>();
  return (connectionId, max, intervalMs) => {
    if (!max || !Number.isFinite(max)) return UNLIMITED;
    const key = `${connectionId}:${max}:${intervalMs}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = createPostgresRateLimiter(database, key, max, intervalMs);
      limiters.set(key, limiter);
    }
    return limiter;
  };
}
