import { JunctionError } from '../../core/errors.ts';

/** Logins are backing off (too many failures for this username, or on the whole hub); `details.retryAfterSeconds`. */
export class LoginThrottledError extends JunctionError {
  override readonly code = 'rate_limited';
}

/** A limit on failed logins within a sliding window; beyond it, one attempt per back-off period. */
export interface FailureLimit {
  /** Failures allowed within `windowMs` before back-off starts. */
  failures: number;
  windowMs: number;
  /** The first back-off; it doubles with each further failure, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface LoginGuardOptions {
  /** One username, from any address (default: 10 failures per 15 minutes, back-off up to 15 minutes). */
  perUsername: FailureLimit;
  /** Every username together (default: 50 failures per minute, back-off up to 30 s). */
  global: FailureLimit;
  /** Usernames tracked at once; the oldest are forgotten first, so rotating names cannot fill memory. */
  maxTrackedUsernames: number;
  now: () => number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  perUsername: { failures: 10, windowMs: 15 * 60_000, backoffMs: 1_000, maxBackoffMs: 15 * 60_000 },
  global: { failures: 50, windowMs: 60_000, backoffMs: 1_000, maxBackoffMs: 30_000 },
  maxTrackedUsernames: 10_000,
  now: Date.now,
};

interface Failures {
  at: number[];
  blockedUntil: number;
}

/** An attempt let through: say how it ended, so only failures keep counting. */
export interface LoginAttempt {
  succeeded(): void;
}

/**
 * Counts failed logins per username (across addresses) and over the whole hub, beside the per
 * address-and-username limit of the route. Every attempt counts as a failure from the moment it
 * starts (so a burst of parallel guesses is counted before any password is hashed) until it
 * succeeds. Beyond a limit, one attempt per back-off period gets through, the period doubling with
 * each; the rest are refused before any scrypt work. The counts live in this process.
 */
export function createLoginGuard(options: Partial<LoginGuardOptions> = {}) {
  const o = { ...DEFAULT_LOGIN_GUARD, ...options };
  const users = new Map<string, Failures>();
  const global: Failures = { at: [], blockedUntil: 0 };

  const prune = (f: Failures, limit: FailureLimit, now: number) => {
    const from = now - limit.windowMs;
    let i = 0;
    while (i < f.at.length && (f.at[i] as number) <= from) i++;
    if (i) f.at.splice(0, i);
  };
  const refuse = (until: number, now: number, who: string) => {
    const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
    throw new LoginThrottledError(`too many failed logins ${who}; try again in ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds },
    });
  };
  const record = (f: Failures, limit: FailureLimit, now: number) => {
    f.at.push(now);
    const over = f.at.length - limit.failures;
    if (over > 0) f.blockedUntil = now + Math.min(limit.maxBackoffMs, limit.backoffMs * 2 ** (over - 1));
  };

  return {
    /** Lets an attempt for `username` start, or throws LoginThrottledError (429) while backing off. */
    begin(username: string): LoginAttempt {
      const now = o.now();
      const key = username.toLowerCase();
      let user = users.get(key);
      if (user) prune(user, o.perUsername, now);
      prune(global, o.global, now);
      if (user && user.blockedUntil > now) refuse(user.blockedUntil, now, `for '${username}'`);
      if (global.blockedUntil > now) refuse(global.blockedUntil, now, 'on this hub');
      if (!user) {
        if (users.size >= o.maxTrackedUsernames) users.delete(users.keys().next().value as string);
        user = { at: [], blockedUntil: 0 };
        users.set(key, user);
      }
      const blockedBefore = global.blockedUntil;
      record(user, o.perUsername, now);
      record(global, o.global, now);
      const blockedByThis = global.blockedUntil;
      return {
        succeeded() {
          users.delete(key);
          const i = global.at.lastIndexOf(now);
          if (i >= 0) global.at.splice(i, 1);
          // A success is no failure: the back-off it started (counted in advance) is taken back.
          if (global.blockedUntil === blockedByThis) global.blockedUntil = blockedBefore;
        },
      };
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
