import type { BudgetReport } from '../rate-limiter.ts';

type Headers = Record<string, string | string[] | undefined>;

const num = (headers: Headers, name: string): number | undefined => {
  const raw = headers[name];
  const v = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || !Number.isFinite(v) ? undefined : v;
};

/**
 * HubSpot's report of the budget in every answer: the rolling window (`X-HubSpot-RateLimit-Max`,
 * `-Remaining`, `-Interval-Milliseconds`) and the day (`-Daily`, `-Daily-Remaining`). Null when the answer
 * carries none (the OAuth token endpoint, some errors).
 */
export function hubspotBudgetReport(headers: Headers): BudgetReport | null {
  const r: BudgetReport = {};
  const set = (key: keyof BudgetReport, name: string) => {
    const v = num(headers, name);
    if (v !== undefined) r[key] = v;
  };
  set('max', 'x-hubspot-ratelimit-max');
  set('remaining', 'x-hubspot-ratelimit-remaining');
  set('intervalMs', 'x-hubspot-ratelimit-interval-milliseconds');
  set('daily', 'x-hubspot-ratelimit-daily');
  set('dailyRemaining', 'x-hubspot-ratelimit-daily-remaining');
  return Object.keys(r).length ? r : null;
}
