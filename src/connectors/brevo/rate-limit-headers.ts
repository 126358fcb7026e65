import type { BudgetReport } from '../rate-limiter.ts';

type Headers = Record<string, string | string[] | undefined>;

const num = (headers: Headers, name: string): number | undefined => {
  const raw = headers[name];
  const v = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || raw === '' || !Number.isFinite(v) ? undefined : v;
};

/** Brevo's windows: per second and per hour (contacts: 10 a second, 36 000 an hour on the general tier). */
const SECOND = 1000;
const HOUR = 3_600_000;

/**
 * Brevo's report of the budget in every answer: `x-sib-ratelimit-limit` and `-remaining` of the current
 * window and `-reset`, the seconds until that window starts over. The headers do not name the window:
 * one that starts over within a second is the per-second one (its limit lowers the per-second budget),
 * a longer one is the hour's (its limit is no per-second rate; only its running out matters). Either way
 * `resetMs` lets a spent window hold every request until it starts over. Null when the answer carries none.
 */
export function brevoBudgetReport(headers: Headers): BudgetReport | null {
  const max = num(headers, 'x-sib-ratelimit-limit');
  const remaining = num(headers, 'x-sib-ratelimit-remaining');
  const reset = num(headers, 'x-sib-ratelimit-reset');
  if (max === undefined && remaining === undefined && reset === undefined) return null;
  const r: BudgetReport = { intervalMs: reset !== undefined && reset <= 1 ? SECOND : HOUR };
  if (max !== undefined) r.max = max;
  if (remaining !== undefined) r.remaining = remaining;
  // No Brevo window is longer than the hour: a reset beyond it (a time of day read as seconds to wait, a unit
  // misread) must not hold every process of the account for days (PostgreSQL keeps the pause for all of them).
  if (reset !== undefined) r.resetMs = Math.min(Math.max(0, reset), HOUR / 1000) * 1000;
  return r;
}
