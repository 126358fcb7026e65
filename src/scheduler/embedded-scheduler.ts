import type { Logger } from 'pino';
import { TaskBusyError } from '../core/errors.ts';
import { nextRunAt } from '../core/schedule.ts';
import { runTask } from '../engine/run-task.ts';
import type { Store } from '../store/store.ts';

/**
 * The in-process scheduler of `junction start` on the embedded store: looks every `tickMs` for due
 * tasks and runs them; a task never runs twice at once (the store's run lock guarantees it even
 * against a `junction run` from another process).
 */
export function startEmbeddedScheduler(store: Store, log: Logger, tickMs = 5_000) {
  const running = new Map<string, Promise<unknown>>();
  let stopped = false;
  const ac = new AbortController();

  async function tick() {
    const now = new Date();
    for (const task of await store.tasks.list()) {
      if (!task.enabled || !task.schedule || running.has(task.id)) continue;
      const [last] = await store.executions.list({ taskId: task.id, limit: 1 });
      const lastAt = last?.startedAt ?? null;
      if (nextRunAt(task.schedule, lastAt, now) > now) continue;
      const run = runTask(task.id, { store, log, trigger: 'schedule', signal: ac.signal })
        .catch((err) => {
          if (!(err instanceof TaskBusyError)) log.error({ err, taskId: task.id }, 'scheduled run could not start');
        })
        .finally(() => running.delete(task.id));
      running.set(task.id, run);
    }
  }

  const loop = async () => {
    while (!stopped) {
      await tick().catch((err) => log.error({ err }, 'scheduler tick failed'));
      await new Promise((r) => setTimeout(r, tickMs).unref());
    }
  };
  const done = loop();

  return {
    /** Stops scheduling and cancels runs in flight (they close as cancelled and resume next time). */
    async stop() {
      stopped = true;
      ac.abort(new Error('the hub is shutting down'));
      await Promise.allSettled([...running.values()]);
      await done;
    },
  };
}
