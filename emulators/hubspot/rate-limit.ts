/**
 * HubSpot's per-token limits: a rolling window (TEN_SECONDLY_ROLLING, 100 or 190 calls per 10 s) and
 * a daily budget, both reported in the X-HubSpot-RateLimit-* headers of every answer.
 */

/** Limits of one emulator; `max: Infinity` turns the rolling window off. */
export interface RateLimitOptions {
  /** Calls allowed per window and token (HubSpot: 100 on Free/Starter, 190 on Professional). */
  max: number;
  /** Window length in milliseconds (HubSpot: 10 000). */
  intervalMs?: number;
  /** Calls allowed per day and token. */
  daily?: number;
}

/** The outcome of counting one call. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Which limit refused the call, when one did. */
  policy?: 'TEN_SECONDLY_ROLLING' | 'DAILY';
  headers: Record<string, string>;
}

/** Counts calls per token in a rolling window and a daily budget. */
export class RollingWindowLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly dailyUsed = new Map<string, number>();
  readonly max: number;
  readonly intervalMs: number;
  readonly daily: number;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.max = options.max;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.daily = options.daily ?? 250_000;
  }

  /** Counts one call for the token unless its window is full; a refused call costs nothing. */
  take(token: string): RateLimitDecision {
    const now = this.now();
    const calls = (this.windows.get(token) ?? []).filter((t) => t > now - this.intervalMs);
    const used = this.dailyUsed.get(token) ?? 0;
    const dailyOk = used < this.daily;
    const windowOk = calls.length < this.max || !Number.isFinite(this.max);
    const allowed = dailyOk && windowOk;
    if (allowed) {
      calls.push(now);
      this.dailyUsed.set(token, used + 1);
    }
    this.windows.set(token, Number.isFinite(this.max) ? calls : []);
    const headers = this.headers(calls.length, this.dailyUsed.get(token) ?? 0);
    if (allowed) return { allowed, headers };
    return { allowed, headers, policy: windowOk ? 'DAILY' : 'TEN_SECONDLY_ROLLING' };
  }

  /** Headers for a call that is not counted (no token yet, or a forced 429). */
  peek(token: string | undefined, exhausted = false): Record<string, string> {
    const now = this.now();
    const calls =
      token === undefined ? [] : (this.windows.get(token) ?? []).filter((t) => t > now - this.intervalMs);
    const used = token === undefined ? 0 : (this.dailyUsed.get(token) ?? 0);
    return this.headers(exhausted ? this.max : calls.length, used);
  }

  /**
   * Calls another integration made with the token (the same private app elsewhere, or the day's earlier
   * work): `window` of them just now, `daily` more of today's budget. The headers of the next answers say so.
   */
  spend(token: string, calls: { window?: number; daily?: number }): void {
    const now = this.now();
    const inWindow = (this.windows.get(token) ?? []).filter((t) => t > now - this.intervalMs);
    for (let i = 0; i < (calls.window ?? 0); i++) inWindow.push(now);
    this.windows.set(token, inWindow);
    const spent = (calls.window ?? 0) + (calls.daily ?? 0);
    this.dailyUsed.set(token, (this.dailyUsed.get(token) ?? 0) + spent);
  }

  /** Forgets every count. */
  reset(): void {
    this.windows.clear();
    this.dailyUsed.clear();
  }

  private headers(inWindow: number, usedToday: number): Record<string, string> {
    const h: Record<string, string> = {
      'X-HubSpot-RateLimit-Daily': String(this.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.daily - usedToday)),
    };
    // With the window off there is no honest number to report, so its headers are left out.
    if (Number.isFinite(this.max)) {
      h['X-HubSpot-RateLimit-Max'] = String(this.max);
      h['X-HubSpot-RateLimit-Remaining'] = String(Math.max(0, this.max - inWindow));
      h['X-HubSpot-RateLimit-Interval-Milliseconds'] = String(this.intervalMs);
    }
    return h;
  }
}
