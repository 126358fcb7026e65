import type { Logger } from 'pino';
import { nextRunAt } from '../core/schedule.ts';
import type { Task } from '../core/types.ts';
import type { Store } from '../store/store.ts';

/** When the task's latest execution started (any trigger), or null when it never ran. */
export async function lastRunAt(store: Store, taskId: string): Promise<Date | null> {
  const [last] = await store.executions.list({ taskId, limit: 1 });
  return last ? (last.startedAt ?? null) : null;
}

/**
 * When the scheduler will next start the task, for the API and dashboard; null when the task is
 * disabled or has no schedule. A time in the past never comes back: an overdue task is due `now`.
 */
export async function nextRunFor(
  store: Store,
  task: Task,
  now = new Date(),
  timezone?: string,
): Promise<Date | null> {
  if (!task.enabled || !task.schedule) return null;
  const tz = timezone ?? (await store.settings.get()).timezone;
  return nextRunAt(task.schedule, await lastRunAt(store, task.id), now, tz);
}

/**
 * The enabled, scheduled tasks whose time has come (each once, however many slots were missed). A task
 * whose schedule cannot be computed (stored before schedules were checked) is logged and left out: it
 * must not stop every other task from being scheduled.
 */
export async function dueTasks(store: Store, now: Date, log?: Logger): Promise<Task[]> {
  const { timezone } = await store.settings.get();
  const due: Task[] = [];
  for (const task of await store.tasks.list()) {
    try {
      const next = await nextRunFor(store, task, now, timezone);
      if (next && next <= now) due.push(task);
    } catch (err) {
      log?.error({ err, taskId: task.id }, 'the task has a schedule that cannot be used; it is not run');
    }
  }
  return due;
}
