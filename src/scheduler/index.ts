import type { Logger } from 'pino';
import { ValidationError } from '../core/errors.ts';
import { startQueueWorker } from '../runs/queue-worker.ts';
import type { RunService } from '../runs/run-service.ts';
import { startEmbeddedScheduler } from './embedded-scheduler.ts';
import { startLeaderScheduler } from './leader-scheduler.ts';

export { nextRunFor } from './due.ts';

/** The scheduling of one process: when tasks run. What a run is and where it happens is the run service's. */
export interface Scheduling {
  /** False once a loop has stopped (for /healthz). */
  alive(): boolean;
  /** Stops scheduling (and this process's queue worker); runs in flight are the service's to stop. */
  stop(): Promise<void>;
}

export interface SchedulingOptions {
  service: RunService;
  log: Logger;
  /** Take queued runs in this process (false: `junction start --no-worker`; queue mode only). */
  worker: boolean;
  /** Worker concurrency (default: the service's). */
  concurrency?: number;
}

/**
 * Starts scheduling for this process: in embedded mode a tick loop that asks the service to run due
 * tasks here; in queue mode the leader-elected scheduler that queues them, and (unless `worker` is false)
 * a queue worker that hands jobs to the service.
 */
export function startScheduling(o: SchedulingOptions): Scheduling {
  const { service, log } = o;
  if (service.mode === 'embedded') {
    if (!o.worker)
      throw new ValidationError(
        '--no-worker needs PostgreSQL (DATABASE_URL): with SQLite, runs happen in the hub process',
      );
    const s = startEmbeddedScheduler({ service, log });
    return { alive: s.alive, stop: s.stop };
  }
  const leader = startLeaderScheduler({ service, log });
  const worker = o.worker ? startQueueWorker({ service, log, concurrency: o.concurrency }) : null;
  return {
    alive: () => leader.alive() && (worker?.alive() ?? true),
    async stop() {
      await worker?.stop();
      await leader.stop();
    },
  };
}
