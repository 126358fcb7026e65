/**
 * A rolling-window request budget per service user. Abacus publishes no numbers; installations sit
 * behind gateways that answer 429 with Retry-After, which is what clients must cope with.
 */

/** Budget of one emulator; `max: Infinity` turns it off. */
export interface RateLimitOptions {
  /** Entity API calls allowed per window and service user. */
  max: number;
  /** Window length in milliseconds. Default 10 000. */
  intervalMs?: number;
}

/** Counts calls per client in a rolling window. */
export class RollingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Counts one call unless the window is full; answers the seconds to wait when it is. */
  take(client: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (!Number.isFinite(this.options.max)) return { allowed: true };
    const interval = this.options.intervalMs ?? 10_000;
    const now = this.now();
    const calls = (this.windows.get(client) ?? []).filter((t) => t > now - interval);
    if (calls.length >= this.options.max) {
      this.windows.set(client, calls);
      const oldest = calls[0] ?? now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + interval - now) / 1000)) };
    }
    calls.push(now);
    this.windows.set(client, calls);
    return { allowed: true };
  }

  /** Forgets every count. */
  reset(): void {
    this.windows.clear();
  }
}
