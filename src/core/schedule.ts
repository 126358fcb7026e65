import { Cron } from 'croner';
import type { Schedule } from './types.ts';

/** The time zone schedules use when a task names none: Junction's customers are Swiss. */
export const DEFAULT_TIMEZONE = 'Europe/Zurich';

/** Interval presets the dashboard offers; any positive number of minutes is allowed. */
export const INTERVAL_PRESETS_MINUTES = [10, 15, 20, 30, 45] as const;

const FAR_FUTURE = new Date(8.64e15);

/** True when the runtime knows the IANA time zone (e.g. `Europe/Zurich`). */
export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why a schedule cannot be used (bad cron, unknown zone, non-positive interval), or null when it is fine. */
export function scheduleProblem(schedule: Schedule): string | null {
  if (!('everyMinutes' in schedule) && !('cron' in schedule)) return null;
  if ('everyMinutes' in schedule) {
    return Number.isFinite(schedule.everyMinutes) && schedule.everyMinutes > 0
      ? null
      : 'everyMinutes must be a positive number';
  }
  // An empty zone is refused too: croner reads it as the server's own zone, not the instance default.
  if (schedule.timezone !== undefined && !isValidTimezone(schedule.timezone))
    return `unknown time zone '${schedule.timezone}'`;
  try {
    new Cron(schedule.cron, { paused: true, timezone: schedule.timezone ?? DEFAULT_TIMEZONE });
    return null;
  } catch (err) {
    return `invalid cron expression '${schedule.cron}': ${(err as Error).message}`;
  }
}

/** True when the task also runs on its source's changes. */
export function runsOnChange(schedule: Schedule | null | undefined): boolean {
  return schedule?.onChange === true;
}

/**
 * When a task is next due by the clock, given when it last ran; null for a task that runs on changes
 * only (no interval, no cron). Missed runs are coalesced: however long the hub was
 * down, a task whose time has passed is due once, now — not once per missed slot.
 * `timezone` is the instance default for cron schedules that name none.
 */
export function nextRunAt(
  schedule: Schedule,
  lastRunAt: Date | null,
  now: Date,
  timezone = DEFAULT_TIMEZONE,
): Date | null {
  if (!('everyMinutes' in schedule) && !('cron' in schedule)) return null;
  if ('everyMinutes' in schedule) {
    if (!lastRunAt) return now;
    const due = new Date(lastRunAt.getTime() + schedule.everyMinutes * 60_000);
    return due < now ? now : due;
  }
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone ?? timezone, paused: true });
  // Never run: the first slot after now (a new cron task waits for its time instead of running at once).
  const next = cron.nextRun(lastRunAt ?? now) ?? FAR_FUTURE;
  return next < now ? now : next;
}
