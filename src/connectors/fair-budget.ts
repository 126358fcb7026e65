import { DailyLimitReachedError } from '../core/errors.ts';
import type { BudgetReport, RateLimiter, RateLimitPermit } from './rate-limiter.ts';
import { type WorkspaceShare, workspaceTurn } from './workspace-share.ts';

/** How long a daily stop holds before one call may ask the server again (HubSpot resets at the portal's midnight). */
export const DAILY_STOP_MS = 10 * 60_000;

/**
 * How many of the day's requests are left alone: one window's worth (what may be granted before the next
 * answer reports the day again), at most 1 % of the day (a connection configured far above its plan).
 */
export function dailyReserve(windowMax: number, daily: number | undefined): number {
  return daily === undefined ? windowMax : Math.min(windowMax, Math.ceil(daily / 100));
}

/** How far paced grants may run ahead of their rate (ms): a spacing, or half a second at high rates. */
export function pacingTolerance(intervalMs: number, max: number): number {
  return Math.max(intervalMs / max, Math.min(500, intervalMs / 20));
}

/**
 * How long a party that drew from a budget counts as sharing it, in intervals (5 minutes for HubSpot's 10 s):
 * while it does, grants are paced, so its next call (a change-driven run minutes later) finds the window
 * freeing slot by slot instead of filled by another party's burst.
 */
export const SHARED_FOR_INTERVALS = 30;

/**
 * One outside account's budget, drawn from by several parties (tasks). `forParty` hands each its view;
 * `workspace` says whose party it is and the share of the budget the workspace may claim.
 */
export interface FairBudget {
  /**
   * `workspace`: a workspace id alone when the caller cannot tell its share (keeps the share the budget has
   * from the workspace's runs). `source`: the connection the party draws through, which keeps its ceiling
   * current (`setCeiling`).
   */
  forParty(party: string, workspace?: WorkspaceShare | string, source?: string): RateLimiter;
  /**
   * A connection's configured ceiling. The account's budget takes the highest of the connections drawing
   * lately (`accountCeiling`), bounded by the server's word; each connection's own rate is its own limiter's.
   */
  setCeiling(source: string, max: number): void;
}

/** A connection's configured ceiling and when it last drew (or was entered). */
export interface Ceiling {
  max: number;
  at: number;
}

/**
 * The account's ceiling from its connections' configured ones: the highest of those that drew within
 * SHARED_FOR_INTERVALS (else the latest entered; none: `fallback`). The highest, not the lowest: connections of
 * several workspaces share the account, and a ceiling any of them enters would otherwise bind every other
 * one (a workspace's connection at 1 request/10 s throttled all runs on the portal). A connection's own
 * ceiling limits its own calls (a per-connection limiter chained under this budget, registry.ts); what the
 * account really allows is the server's word (`report`). A ceiling unused for that long (a deleted
 * connection) no longer counts.
 */
export function accountCeiling(
  ceilings: Map<string, Ceiling>,
  fallback: number,
  now: number,
  intervalMs: number,
): number {
  let latest: Ceiling | undefined;
  let highest = 0;
  for (const c of ceilings.values()) {
    if (!latest || c.at > latest.at) latest = c;
    if (c.at > now - intervalMs * SHARED_FOR_INTERVALS) highest = Math.max(highest, c.max);
  }
  return highest || latest?.max || fallback;
}

interface Waiter {
  resolve: (p: RateLimitPermit) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** A slot of the window: free at `releaseAt` (Infinity while in flight), held for `workspace` till then. */
interface Slot {
  releaseAt: number;
  workspace: string | null;
}

/** The workspace of parties that name none (mapping checks, single callers). */
const NO_WORKSPACE = '';

/**
 * A rolling-window budget (at most `max` requests in any `intervalMs`) shared fairly by its parties.
 * A slot is freed `intervalMs` after its *response*, so the server's own rolling window never sees more
 * than `max`, whatever the latency.
 *
 * Fairness: waiting parties are served round-robin (one request each in turn), so a task with three calls
 * is not queued behind the thousands of an initial sync. Parties of several workspaces are served by
 * workspace first (`workspaceTurn`: the window's slots in proportion to their shares, weighted round-robin),
 * then round-robin among the workspace's parties. Alone, a party may take the window in a burst (what
 * a single sync needs to reach the ceiling); while a second party has drawn lately (SHARED_FOR_INTERVALS),
 * grants are paced at `intervalMs / max`, so slots free one by one and a newcomer waits about a spacing per
 * party, not a window. Parties without a name (mapping checks, describes) do not make a budget shared. (A party's first call into a window another filled alone waits for its first slot.)
 *
 * The server's word (`report`, from rate-limit headers) lowers the budget when it says there is less room
 * than configured (another integration on the same account), and a daily budget nearly spent stops every
 * request with `DailyLimitReachedError` instead of letting them hammer 429s.
 */
export function createFairBudget(max: number, intervalMs: number): FairBudget {
  const ceilings = new Map<string, Ceiling>();
  let serverMax = Number.POSITIVE_INFINITY;
  // The window's slots; in-flight requests hold Infinity until they complete.
  let slots: Slot[] = [];
  let pausedUntil = 0;
  // Pacing under contention: the theoretical arrival time of the next grant (GCRA), one spacing apart.
  let pacedAt = 0;
  // Workspaces with waiting requests, and their parties, each in round-robin order (the served move to the back).
  const waiting = new Map<string, Map<string, Waiter[]>>();
  // The latest share each workspace came with (the administrator may change it between runs).
  const shares = new Map<string, number | null>();
  const lastServed = new Map<string, number>();
  let dailyStop: { until: number; message: string } | null = null;
  let timer: NodeJS.Timeout | null = null;

  const effectiveMax = () =>
    Math.max(1, Math.min(serverMax, accountCeiling(ceilings, max, Date.now(), intervalMs)));
  const spacing = () => intervalMs / effectiveMax();
  // Paced grants may run ahead by one spacing, or half a second of them at high rates (GCRA): that absorbs
  // timer lateness and a sync's short pauses between pages (a slot not taken in time is lost for good). Not
  // more: while the window is full, slots free as they were granted, so a burst returns every interval.
  const burstTolerance = () => pacingTolerance(intervalMs, effectiveMax());

  const prune = (now: number) => {
    slots = slots.filter((s) => s.releaseAt > now);
  };

  const waitingParties = () => [...waiting.values()].flatMap((parties) => [...parties.keys()]);

  /** More than one party drew lately (or waits now). */
  const contended = (now: number) => {
    const active = new Set(waitingParties().filter(Boolean));
    for (const [party, at] of lastServed) {
      if (!party) continue;
      if (at > now - intervalMs * SHARED_FOR_INTERVALS) active.add(party);
      else lastServed.delete(party);
    }
    return active.size > 1;
  };

  const wake = (at: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = null;
        pump();
      },
      Math.max(1, at - Date.now()),
    );
    timer.unref?.();
  };

  const grant = (party: string, workspace: string, now: number, paced: boolean): RateLimitPermit => {
    const slot: Slot = { releaseAt: Number.POSITIVE_INFINITY, workspace };
    slots.push(slot);
    lastServed.set(party, now);
    if (paced) pacedAt = Math.max(pacedAt, now) + spacing();
    let released = false;
    return {
      done() {
        if (released) return;
        released = true;
        slot.releaseAt = Date.now() + intervalMs;
        pump();
      },
    };
  };

  /** The waiting workspace whose turn it is, by share of the window's slots (one alone: it). */
  const nextWorkspace = (): string => {
    const ids = [...waiting.keys()];
    if (ids.length === 1) return ids[0] as string;
    return workspaceTurn(
      ids.map((id) => ({
        workspace: id,
        rateShare: shares.get(id) ?? null,
        held: slots.filter((s) => s.workspace === id).length,
      })),
    ) as string;
  };

  const stopError = () =>
    new DailyLimitReachedError((dailyStop as { message: string }).message, {
      details: { until: new Date((dailyStop as { until: number }).until).toISOString() },
    });

  function pump(): void {
    for (;;) {
      if (!waiting.size) return;
      const now = Date.now();
      if (dailyStop && now < dailyStop.until) {
        for (const parties of waiting.values())
          for (const queue of parties.values())
            for (const w of queue) {
              w.signal?.removeEventListener('abort', w.onAbort);
              w.reject(stopError());
            }
        waiting.clear();
        return;
      }
      prune(now);
      const paced = contended(now);
      const notBefore = Math.max(pausedUntil, paced ? pacedAt - burstTolerance() : 0);
      if (slots.length >= effectiveMax()) {
        const finite = slots.map((s) => s.releaseAt).filter((at) => at !== Number.POSITIVE_INFINITY);
        // All in flight: a response (`done`) pumps again.
        if (finite.length) wake(Math.max(notBefore, Math.min(...finite)));
        return;
      }
      if (now < notBefore) {
        wake(notBefore);
        return;
      }
      const workspace = nextWorkspace();
      const parties = waiting.get(workspace) as Map<string, Waiter[]>;
      const [party, queue] = parties.entries().next().value as [string, Waiter[]];
      const w = queue.shift() as Waiter;
      parties.delete(party);
      if (queue.length) parties.set(party, queue);
      waiting.delete(workspace);
      if (parties.size) waiting.set(workspace, parties);
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(grant(party, workspace, now, paced));
    }
  }

  const forParty = (party: string, ws?: WorkspaceShare | string, source?: string): RateLimiter => {
    const workspace = (typeof ws === 'string' ? ws : ws?.id) ?? NO_WORKSPACE;
    // An id alone (a call without a task) must not reset the share the workspace's runs came with.
    if (typeof ws !== 'string') shares.set(workspace, ws?.rateShare ?? null);
    else if (!shares.has(workspace)) shares.set(workspace, null);
    return limiterOf(party, workspace, source);
  };

  const limiterOf = (party: string, workspace: string, source: string | undefined): RateLimiter => ({
    acquire(signal) {
      signal?.throwIfAborted();
      const ceiling = source === undefined ? undefined : ceilings.get(source);
      if (ceiling) ceiling.at = Date.now();
      if (dailyStop && Date.now() < dailyStop.until) return Promise.reject(stopError());
      return new Promise<RateLimitPermit>((resolve, reject) => {
        const w: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const parties = waiting.get(workspace);
            const queue = parties?.get(party);
            const i = queue?.indexOf(w) ?? -1;
            if (queue && i >= 0) queue.splice(i, 1);
            if (queue && !queue.length) parties?.delete(party);
            if (parties && !parties.size) waiting.delete(workspace);
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', w.onAbort, { once: true });
        const parties = waiting.get(workspace) ?? new Map<string, Waiter[]>();
        waiting.set(workspace, parties);
        const queue = parties.get(party);
        if (queue) queue.push(w);
        else parties.set(party, [w]);
        pump();
      });
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, Date.now() + ms);
      pump();
    },
    report(r: BudgetReport) {
      const now = Date.now();
      // A window of another length (a per-second limit of some endpoint) says nothing about this one.
      const sameWindow = (r.intervalMs ?? intervalMs) === intervalMs;
      if (r.max !== undefined && sameWindow) serverMax = r.max;
      if (r.remaining !== undefined && sameWindow) {
        // The server counts calls we did not make (another integration on the account): hold back as
        // many slots as it has less room than we think, for one interval (its window forgets them then).
        prune(now);
        const foreign = effectiveMax() - slots.length - r.remaining;
        for (let i = 0; i < foreign; i++) slots.push({ releaseAt: now + intervalMs, workspace: null });
      }
      // A spent window of any length (Brevo's hour as well as its second) holds every request until it starts over.
      if (r.remaining === 0 && r.resetMs !== undefined) pausedUntil = Math.max(pausedUntil, now + r.resetMs);
      if (r.dailyRemaining !== undefined && r.dailyRemaining <= dailyReserve(effectiveMax(), r.daily)) {
        dailyStop = {
          until: now + DAILY_STOP_MS,
          message: `the account has ${r.dailyRemaining} of today's ${r.daily ?? '?'} requests left: Junction stops before the daily limit (the rest of the day stays for other integrations; runs go on after the reset)`,
        };
      } else if (r.dailyRemaining !== undefined) dailyStop = null;
      pump();
    },
  });

  return {
    forParty,
    setCeiling(source, n) {
      ceilings.set(source, { max: n, at: Date.now() });
      pump();
    },
  };
}
