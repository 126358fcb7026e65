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
 * must not stop every other task from being scheduled. A task with `after` waits while one of those
 * tasks is running or due for its first run (`heldBy`).
 */
export async function dueTasks(store: Store, now: Date, log?: Logger): Promise<Task[]> {
  const { timezone } = await store.settings.get();
  const tasks = await store.tasks.list();
  const due: Task[] = [];
  const state = new Map<string, TaskState>();
  for (const task of tasks) {
    try {
      // As nextRunFor, with the latest execution at hand (one query a task and tick).
      const [last] = await store.executions.list({ taskId: task.id, limit: 1 });
      const next =
        task.enabled && task.schedule
          ? nextRunAt(task.schedule, last?.startedAt ?? null, now, timezone)
          : null;
      const isDue = Boolean(next && next <= now);
      state.set(task.id, {
        running: last?.status === 'running' || last?.status === 'queued',
        firstRunDue: isDue && !last?.startedAt,
      });
      if (isDue) due.push(task);
    } catch (err) {
      log?.error({ err, taskId: task.id }, 'the task has a schedule that cannot be used; it is not run');
    }
  }
  const after = new Map(tasks.map((t) => [t.id, t.after ?? []]));
  return due.filter((task) => {
    const holder = heldBy(task.id, after, state);
    if (holder) log?.debug({ taskId: task.id, after: holder }, 'the task waits for the task it runs after');
    return !holder;
  });
}

/** What `heldBy` needs to know of a task this tick. */
interface TaskState {
  running: boolean;
  /** Due now and never started: its first run is about to begin. */
  firstRunDue: boolean;
}

/**
 * The task `id` runs after that is running or due for its first run now (so a fresh workspace's first runs
 * go in order: users into a system before their enrolments). A task that itself runs after `id`, directly
 * or through others, never holds it: a cycle would otherwise hold all of its tasks for good.
 */
export function heldBy(
  id: string,
  after: ReadonlyMap<string, readonly string[]>,
  state: ReadonlyMap<string, TaskState>,
): string | undefined {
  return after.get(id)?.find((before) => {
    const s = state.get(before);
    return before !== id && s && (s.running || s.firstRunDue) && !runsAfter(before, id, after);
  });
}

/** Whether `task` runs after `other`, directly or through the tasks in between. */
function runsAfter(task: string, other: string, after: ReadonlyMap<string, readonly string[]>): boolean {
  const seen = new Set<string>();
  const stack = [task];
  while (stack.length) {
    const t = stack.pop() as string;
    for (const b of after.get(t) ?? []) {
      if (b === other) return true;
      if (!seen.has(b)) {
        seen.add(b);
        stack.push(b);
      }
    }
  }
  return false;
}
