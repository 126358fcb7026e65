import type { Logger } from 'pino';
import { TaskBusyError } from '../core/errors.ts';
import type { ExecutionTrigger } from '../core/types.ts';
import type { RunOptions } from '../engine/run-task.ts';
import type { SendMail } from '../notify/mailer.ts';
import type { Store } from '../store/store.ts';
import { dueTasks } from './due.ts';
import { createRetentionTimer } from './retention.ts';
import { runAndNotify } from './run-and-notify.ts';
import { TickLoop } from './tick-loop.ts';

export interface EmbeddedSchedulerOptions {
  store: Store;
  log: Logger;
  /** How often due tasks are looked for (default 5 s). */
  tickMs?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** Passed to every run (connector factory in tests, progress observers). */
  runOptions?: Pick<RunOptions, 'connectorFactory' | 'onCall' | 'onFinish' | 'onProgress' | 'staleAfterMs'>;
  send?: SendMail;
  /** How often old executions are purged (default hourly). */
  retentionEveryMs?: number;
}

/** The answer to "run now": the execution it started, or the job it queued (scale-out). */
export interface RunRequest {
  executionId: string | null;
  queued: boolean;
}

/** The in-process scheduler of `junction start` on the embedded store. */
export interface EmbeddedScheduler {
  /** Starts a run at once; resolves when it has an execution. Rejects with TaskBusyError when the task runs. */
  runNow(taskId: string, trigger?: ExecutionTrigger): Promise<RunRequest>;
  /** Looks for due tasks once (the loop calls it every `tickMs`). */
  tick(): Promise<void>;
  /** Ids of the tasks running in this process. */
  running(): string[];
  /** False once the loop has stopped (for /healthz). */
  alive(): boolean;
  /** Waits for the runs in flight. */
  idle(): Promise<void>;
  /** Stops scheduling and cancels runs in flight (they close as cancelled and resume next time). */
  stop(): Promise<void>;
}

/**
 * Runs due tasks in this process. A task never runs twice at once: this process keeps one run per task,
 * and the store's run lock refuses a second run from any other process (`junction run`). A run longer
 * than its interval delays the next one instead of overlapping it; missed slots are coalesced into one run.
 */
export function startEmbeddedScheduler(o: EmbeddedSchedulerOptions): EmbeddedScheduler {
  const { store, log } = o;
  const now = o.now ?? (() => new Date());
  const tickMs = o.tickMs ?? 5_000;
  const running = new Map<string, Promise<unknown>>();
  const ac = new AbortController();
  const retention = createRetentionTimer(store, log, o.retentionEveryMs);
  const loop = new TickLoop(tickMs, log);

  function start(taskId: string, trigger: ExecutionTrigger): Promise<RunRequest> {
    if (running.has(taskId)) return Promise.reject(new TaskBusyError(`task '${taskId}' is already running`));
    return new Promise<RunRequest>((resolve, reject) => {
      let begun = false;
      const run = runAndNotify(taskId, {
        ...o.runOptions,
        store,
        log,
        trigger,
        signal: ac.signal,
        send: o.send,
        onBegin: (execution) => {
          begun = true;
          resolve({ executionId: execution.id, queued: false });
        },
      })
        .catch((err) => {
          if (!begun) reject(err);
          else log.error({ err, taskId }, 'run failed after it began');
        })
        .finally(() => running.delete(taskId));
      running.set(taskId, run);
    });
  }

  async function tick() {
    const at = now();
    for (const task of await dueTasks(store, at)) {
      if (loop.stopped || running.has(task.id)) continue;
      start(task.id, 'schedule').catch((err) => {
        if (err instanceof TaskBusyError)
          log.debug({ taskId: task.id }, 'scheduled run skipped: the task is running elsewhere');
        else log.error({ err, taskId: task.id }, 'scheduled run could not start');
      });
    }
    await retention(at);
  }

  loop.start(tick);

  return {
    runNow: (taskId, trigger = 'manual') => start(taskId, trigger),
    tick,
    running: () => [...running.keys()],
    alive: () => !loop.stopped,
    async idle() {
      await Promise.allSettled([...running.values()]);
    },
    async stop() {
      loop.halt();
      ac.abort(new Error('the hub is shutting down'));
      await Promise.allSettled([...running.values()]);
      await loop.done();
    },
  };
}
