/**
 * Brevo's per-key request budget (contacts endpoints: 10 per second on the general tier, and 36 000 an
 * hour), reported in `x-sib-ratelimit-limit|remaining|reset` on every answer: the window nearest to
 * refusing (fewest requests left; the second's on a tie), `reset` the seconds until it starts over.
 */

/** One rolling window: `max` requests per `intervalMs`. */
export interface RateWindow {
  max: number;
  intervalMs: number;
}

/** Limits of one emulator; `max: Infinity` turns limiting off. */
export interface RateLimitOptions {
  /** Requests allowed per window and API key. Default 10. */
  max: number;
  /** Window length in milliseconds. Default 1000. */
  intervalMs?: number;
  /** A second, longer window beside it (Brevo's hour; shorter in tests). Default none. */
  hour?: { max: number; intervalMs?: number };
}

/** The outcome of counting one call. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Counts calls per API key in rolling windows. */
export class KeyRateLimiter {
  private readonly calls = new Map<string, number[]>();
  readonly max: number;
  readonly intervalMs: number;
  private readonly windows: RateWindow[];

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.max = options.max;
    this.intervalMs = options.intervalMs ?? 1000;
    this.windows = [{ max: this.max, intervalMs: this.intervalMs }];
    if (options.hour)
      this.windows.push({ max: options.hour.max, intervalMs: options.hour.intervalMs ?? 3_600_000 });
  }

  /** Counts one call unless a window is full; a refused call costs nothing. */
  take(key: string): RateLimitDecision {
    const now = this.now();
    const longest = Math.max(...this.windows.map((w) => w.intervalMs));
    const calls = (this.calls.get(key) ?? []).filter((t) => t > now - longest);
    const limited = Number.isFinite(this.max);
    const allowed = !limited || this.windows.every((w) => this.inWindow(calls, w, now).length < w.max);
    if (allowed && limited) calls.push(now);
    this.calls.set(key, calls);
    return { allowed, headers: this.headers(calls, now) };
  }

  /** Headers as if the window were spent (a forced 429 storm). */
  exhausted(): Record<string, string> {
    if (!Number.isFinite(this.max)) return {};
    return this.windowHeaders(this.max, 0, this.intervalMs);
  }

  /** Forgets every count. */
  reset(): void {
    this.calls.clear();
  }

  private inWindow(calls: number[], w: RateWindow, now: number): number[] {
    return calls.filter((t) => t > now - w.intervalMs);
  }

  private headers(calls: number[], now: number): Record<string, string> {
    if (!Number.isFinite(this.max)) return {};
    let report: Record<string, string> = {};
    let least = Number.POSITIVE_INFINITY;
    for (const w of this.windows) {
      const counted = this.inWindow(calls, w, now);
      const remaining = Math.max(0, w.max - counted.length);
      if (remaining >= least) continue;
      least = remaining;
      const oldest = counted[0];
      report = this.windowHeaders(w.max, remaining, oldest === undefined ? 0 : oldest + w.intervalMs - now);
    }
    return report;
  }

  private windowHeaders(max: number, remaining: number, resetMs: number): Record<string, string> {
    return {
      'x-sib-ratelimit-limit': String(max),
      'x-sib-ratelimit-remaining': String(remaining),
      'x-sib-ratelimit-reset': String(Math.max(0, Math.ceil(resetMs / 1000))),
    };
  }
}
