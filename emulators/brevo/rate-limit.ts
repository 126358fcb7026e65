/**
 * Brevo's per-key request budget (contacts endpoints: 10 per second on the general tier), reported in
 * `x-sib-ratelimit-limit|remaining|reset` on every answer; `reset` is in seconds.
 */

/** Limits of one emulator; `max: Infinity` turns limiting off. */
export interface RateLimitOptions {
  /** Requests allowed per window and API key. Default 10. */
  max: number;
  /** Window length in milliseconds. Default 1000. */
  intervalMs?: number;
}

/** The outcome of counting one call. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Counts calls per API key in a rolling window. */
export class KeyRateLimiter {
  private readonly windows = new Map<string, number[]>();
  readonly max: number;
  readonly intervalMs: number;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.max = options.max;
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /** Counts one call unless the window is full; a refused call costs nothing. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    const calls = (this.windows.get(key) ?? []).filter((t) => t > now - this.intervalMs);
    const allowed = !Number.isFinite(this.max) || calls.length < this.max;
    if (allowed && Number.isFinite(this.max)) calls.push(now);
    this.windows.set(key, calls);
    return { allowed, headers: this.headers(calls, now) };
  }

  /** Headers as if the window were spent (a forced 429 storm). */
  exhausted(): Record<string, string> {
    return this.headers(new Array(Number.isFinite(this.max) ? this.max : 0).fill(this.now()), this.now());
  }

  /** Forgets every count. */
  reset(): void {
    this.windows.clear();
  }

  private headers(calls: number[], now: number): Record<string, string> {
    if (!Number.isFinite(this.max)) return {};
    const oldest = calls[0];
    const resetMs = oldest === undefined ? 0 : oldest + this.intervalMs - now;
    return {
      'x-sib-ratelimit-limit': String(this.max),
      'x-sib-ratelimit-remaining': String(Math.max(0, this.max - calls.length)),
      'x-sib-ratelimit-reset': String(Math.max(0, Math.ceil(resetMs / 1000))),
    };
  }
}
