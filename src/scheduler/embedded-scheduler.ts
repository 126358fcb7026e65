import type { Logger } from 'pino';
import { TaskBusyError } from '../core/errors.ts';
import { WorkspaceBusyError } from '../core/workspaces.ts';
import type { RunService } from '../runs/run-service.ts';
import { startChangeWatch } from './change-watch.ts';
import { dueTasks } from './due.ts';
import { createRetentionTimer } from './retention.ts';
import { TickLoop } from './tick-loop.ts';

export interface EmbeddedSchedulerOptions {
  service: RunService;
  log: Logger;
  /** How often due tasks are looked for (default: the service's `tickMs`). */
  tickMs?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** How often old executions are purged (default hourly). */
  retentionEveryMs?: number;
}

/** The in-process scheduler of `junction start` on the embedded store. */
export interface EmbeddedScheduler {
  /** Looks for due tasks once (the loop calls it every `tickMs`). */
  tick(): Promise<void>;
  /** False once the loop has stopped (for /healthz). */
  alive(): boolean;
  /** Stops scheduling; a tick in progress finishes. */
  stop(): Promise<void>;
}

/**
 * Asks the run service to run due tasks in this process. A task never runs twice at once: the service
 * keeps one run per task here, and the store's run lock refuses a second run from any other process
 * (`junction run`). A run longer than its interval delays the next one instead of overlapping it; missed
 * slots are coalesced into one run.
 */
export function startEmbeddedScheduler(o: EmbeddedSchedulerOptions): EmbeddedScheduler {
  const { service, log } = o;
  const store = service.store;
  const now = o.now ?? (() => new Date());
  const retention = createRetentionTimer(store, log, o.retentionEveryMs);
  const loop = new TickLoop(o.tickMs ?? service.config.tickMs, log);

  async function tick() {
    const at = now();
    // A run whose process died (a killed `junction run`) or whose lease lapsed is closed within a tick.
    const closed = await service.closeStale();
    if (closed.length) log.warn({ executions: closed }, 'closed runs whose lease ended');
    for (const task of await dueTasks(store, at, log)) {
      if (loop.stopped || service.running().includes(task.id)) continue;
      // One start after another (runNow resolves once the run has its execution): a workspace's
      // concurrent-run limit counts the runs started before, so tasks due together cannot all pass it.
      await service.runNow(task.id, 'schedule').catch((err) => {
        if (err instanceof TaskBusyError)
          log.debug({ taskId: task.id }, 'scheduled run skipped: the task is running elsewhere');
        else if (err instanceof WorkspaceBusyError)
          log.debug({ taskId: task.id }, 'scheduled run waits: its workspace runs as many tasks as it may');
        else log.error({ err, taskId: task.id }, 'scheduled run could not start');
      });
    }
    await retention(at);
  }

  loop.start(tick);
  const changes = startChangeWatch({ service, log });

  return {
    tick,
    alive: () => !loop.stopped,
    async stop() {
      loop.halt();
      await Promise.all([loop.done(), changes.stop()]);
    },
  };
}
