import type { BudgetReport, RateLimiter, RateLimitPermit } from './rate-limiter.ts';

/**
 * One limiter made of several budgets (Brevo's second beside the HTTP client's 10 s): a request waits for a
 * slot in each, in order; a 429 pause and the server's report reach all of them (each takes what concerns
 * its own window).
 */
export function chainLimiters(...limiters: RateLimiter[]): RateLimiter {
  return {
    async acquire(signal) {
      const permits: RateLimitPermit[] = [];
      try {
        for (const l of limiters) permits.push(await l.acquire(signal));
      } catch (err) {
        for (const p of permits) p.done();
        throw err;
      }
      return {
        done() {
          for (const p of permits) p.done();
        },
      };
    },
    pause(ms) {
      for (const l of limiters) l.pause(ms);
    },
    report(r: BudgetReport) {
      for (const l of limiters) l.report?.({ ...r });
    },
  };
}
