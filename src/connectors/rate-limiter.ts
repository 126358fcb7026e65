import { setTimeout as sleep } from 'node:timers/promises';

/** A granted request slot; call `done()` when the response has arrived. */
export interface RateLimitPermit {
  done(): void;
}

/** Keeps a connection's requests within the outside system's budget. */
export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<RateLimitPermit>;
  /** The system said "too many" (429): hold every request back for `ms`. */
  pause(ms: number): void;
}

/**
 * A rolling-window limiter: at most `max` requests in any `intervalMs`. A slot is only freed
 * `intervalMs` after its *response* arrived, which bounds the server's arrival time from above; so the
 * server's own rolling window can never see more than `max`, whatever the latency, while throughput stays
 * within a latency/interval fraction of the ceiling.
 */
export function createRollingWindowLimiter(max: number, intervalMs: number): RateLimiter {
  // Slot release times; in-flight requests hold Infinity until they complete.
  const slots: number[] = [];
  let pausedUntil = 0;

  const prune = (now: number) => {
    for (let i = slots.length - 1; i >= 0; i--) if ((slots[i] as number) <= now) slots.splice(i, 1);
  };

  return {
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const now = Date.now();
        prune(now);
        if (now >= pausedUntil && slots.length < max) {
          slots.push(Number.POSITIVE_INFINITY);
          const token = { released: false };
          return {
            done() {
              if (token.released) return;
              token.released = true;
              const i = slots.indexOf(Number.POSITIVE_INFINITY);
              if (i >= 0) slots[i] = Date.now() + intervalMs;
            },
          };
        }
        const finite = slots.filter((s) => s !== Number.POSITIVE_INFINITY);
        const nextFree = finite.length ? Math.min(...finite) : now + 5;
        const wait = Math.max(1, Math.max(pausedUntil, slots.length < max ? now : nextFree) - now);
        await sleep(Math.min(wait, 1000), undefined, signal ? { signal } : undefined);
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, Date.now() + ms);
    },
  };
}

/** Does not limit: for systems without a published budget (the SQL business system). */
export const UNLIMITED: RateLimiter = {
  async acquire() {
    return { done() {} };
  },
  pause() {},
};

/**
 * Hands out the limiter of a connection's budget (`max` requests per `intervalMs`). Runs are handed one
 * in their connector runtime: in-process (`limiterFor`) on SQLite, shared through PostgreSQL otherwise.
 */
export type LimiterProvider = (
  connectionId: string,
  max: number | undefined,
  intervalMs: number,
) => RateLimiter;

const shared = new Map<string, RateLimiter>();

/** One limiter per connection in this process, so parallel runs on one connection share the budget. */
export function limiterFor(connectionId: string, max: number | undefined, intervalMs = 10_000): RateLimiter {
  if (!max || !Number.isFinite(max)) return UNLIMITED;
  const key = `${connectionId}:${max}:${intervalMs}`;
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = createRollingWindowLimiter(max, intervalMs);
    shared.set(key, limiter);
  }
  return limiter;
}
