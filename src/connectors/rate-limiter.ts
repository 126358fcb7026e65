import { createFairBudget, type FairBudget } from './fair-budget.ts';
import type { WorkspaceShare } from './workspace-share.ts';

/** A granted request slot; call `done()` when the response has arrived. */
export interface RateLimitPermit {
  done(): void;
}

/** What an outside system says about its budget in a response (HubSpot's `X-HubSpot-RateLimit-*` headers). */
export interface BudgetReport {
  /** Requests allowed per `intervalMs`, and how many of them are left now. */
  max?: number;
  remaining?: number;
  intervalMs?: number;
  /** Requests allowed per day, and how many of them are left today. */
  daily?: number;
  dailyRemaining?: number;
  /** How long until the reported window starts over (Brevo's `x-sib-ratelimit-reset`, seconds, as ms). */
  resetMs?: number;
}

/** Keeps a connection's requests within the outside system's budget. */
export interface RateLimiter {
  /** Waits for a slot; rejects with `DailyLimitReachedError` once the account's day is nearly spent. */
  acquire(signal?: AbortSignal): Promise<RateLimitPermit>;
  /** The system said "too many" (429): hold every request back for `ms`. */
  pause(ms: number): void;
  /** The system's own account of the budget, from a response: followed where it reports less room. */
  report?(r: BudgetReport): void;
}

/**
 * Whose budget a limiter draws from and for whom: `account` names the outside account (connections to the
 * same portal with the same credentials share one budget; default: the connection), `party` the task
 * drawing from it (parties are served in turn; default: one party), `workspace` the party's workspace and
 * its share of the budget (workspaces are served by share first; default: none).
 */
export interface BudgetShare {
  account?: string | undefined;
  party?: string | undefined;
  workspace?: WorkspaceShare | undefined;
  /**
   * The connection's workspace, for calls that name no `workspace` (describe, test, previews, erasures: no
   * task): they draw for it, with its share where the provider can read it (`limitersFor` in runs/limiters.ts).
   */
  workspaceId?: string | undefined;
}

/** A rolling-window limiter for a single caller: at most `max` requests in any `intervalMs` (see fair-budget.ts). */
export function createRollingWindowLimiter(max: number, intervalMs: number): RateLimiter {
  return createFairBudget(max, intervalMs).forParty('');
}

/** Does not limit: for systems without a published budget (the SQL business system). */
export const UNLIMITED: RateLimiter = {
  async acquire() {
    return { done() {} };
  },
  pause() {},
};

/**
 * Hands out the limiter of a connection's budget (`max` requests per `intervalMs`), for `share.party` within
 * `share.account`'s budget. Runs are handed one in their connector runtime: in-process (`limiterFor`) on
 * SQLite, shared through PostgreSQL otherwise.
 */
export type LimiterProvider = (
  connectionId: string,
  max: number | undefined,
  intervalMs: number,
  share?: BudgetShare,
) => RateLimiter;

const budgets = new Map<string, FairBudget>();

/**
 * One budget per outside account and interval in this process, so every run on it (several tasks, several
 * connections to one portal) draws from it, each task served in turn.
 */
export const limiterFor: LimiterProvider = (connectionId, max, intervalMs = 10_000, share = {}) => {
  if (!max || !Number.isFinite(max)) return UNLIMITED;
  const key = `${share.account ?? connectionId}:${intervalMs}`;
  let budget = budgets.get(key);
  if (!budget) {
    budget = createFairBudget(max, intervalMs);
    budgets.set(key, budget);
  }
  budget.setCeiling(connectionId, max);
  // Without its party's workspace, its connection's (whose share this provider cannot read; `limitersFor` does).
  return budget.forParty(share.party ?? '', share.workspace ?? share.workspaceId, connectionId);
};
