import { Cron } from 'croner';
import type { Schedule } from './types.ts';

/** The time zone schedules use when a task names none: Junction's customers are Swiss. */
export const DEFAULT_TIMEZONE = 'Europe/Zurich';

/**
 * When a task is next due. Missed runs are coalesced: however long the hub was down, a task whose
 * time has passed is due once, now — not once per missed slot.
 */
export function nextRunAt(schedule: Schedule, lastRunAt: Date | null, now: Date): Date {
  if ('everyMinutes' in schedule) {
    if (!lastRunAt) return now;
    const due = new Date(lastRunAt.getTime() + schedule.everyMinutes * 60_000);
    return due < now ? now : due;
  }
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone ?? DEFAULT_TIMEZONE, paused: true });
  const after = lastRunAt ?? new Date(now.getTime() - 1);
  const next = cron.nextRun(after) ?? new Date(8.64e15);
  return next < now ? now : next;
}
