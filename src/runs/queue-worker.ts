import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { JunctionError, TaskBusyError } from '../core/errors.ts';
import { WorkspaceBusyError } from '../core/workspaces.ts';
import { RUN_QUEUE_PREFIX, type RunJobData, releaseJob } from './queue.ts';
import type { RunService } from './run-service.ts';

export interface QueueWorkerOptions {
  /** The run service of the queue mode: its pg-boss and its runs. */
  service: RunService;
  log: Logger;
  /** Runs this process takes on at once (default: the service's `concurrency`). */
  concurrency?: number;
  /** Pause between looks for work when there was none (default: the service's `pollMs`). */
  pollMs?: number;
}

/** A process's share of the run queues. */
export interface QueueWorker {
  /** Task ids running here now. */
  running(): string[];
  alive(): boolean;
  /** Stops taking jobs; runs in flight are cancelled and their jobs handed back for another worker. */
  stop(): Promise<void>;
}

/**
 * Takes run jobs from every task queue that has one ready, oldest first, up to `concurrency` at once.
 * One query finds the queues with ready jobs and no active one, so idle task queues cost nothing;
 * pg-boss's `fetch` then claims the job (SKIP LOCKED, singleton per queue).
 */
export function startQueueWorker(o: QueueWorkerOptions): QueueWorker {
  const { service, log } = o;
  const boss = service.boss as PgBoss;
  if (!service.boss) throw new JunctionError('a queue worker needs the run service in queue mode');
  const concurrency = o.concurrency ?? service.config.concurrency;
  const pollMs = o.pollMs ?? service.config.pollMs;
  const inFlight = new Map<string, Promise<void>>();
  const ac = new AbortController();
  let stopped = false;
  let wake: (() => void) | null = null;

  async function readyQueues(): Promise<string[]> {
    const { rows } = await boss.getDb().executeSql(
      `SELECT j.name, min(j.created_on) AS first
         FROM pgboss.job j
        WHERE j.name LIKE $1 AND j.state < 'active' AND j.start_after < now()
          AND NOT EXISTS (SELECT 1 FROM pgboss.job a WHERE a.name = j.name AND a.state = 'active')
        GROUP BY j.name ORDER BY first LIMIT 100`,
      [`${RUN_QUEUE_PREFIX}%`],
    );
    return rows.map((r) => String(r.name));
  }

  async function handle(queue: string, job: PgBoss.Job<RunJobData>): Promise<void> {
    const { taskId, trigger, confirmDeletes } = job.data;
    const jobLog = log.child({ jobId: job.id, taskId });
    try {
      // Refused for a full workspace, the job is handed back below and keeps its place in the workspace's line.
      const execution = await service.run(taskId, {
        trigger,
        signal: ac.signal,
        confirmDeletes,
        waitInLine: true,
      });
      if (execution.status === 'cancelled' && stopped) {
        // Shutting down: hand the job back; the next worker resumes from the checkpoint.
        await boss.fail(queue, job.id, { executionId: execution.id, reason: 'worker stopped' });
        return;
      }
      await boss.complete(queue, job.id, { executionId: execution.id, status: execution.status });
    } catch (err) {
      if (err instanceof TaskBusyError || err instanceof WorkspaceBusyError) {
        // Not a failure: the run waits its turn, however long, without spending an attempt (queue.ts releaseJob).
        const released = await releaseJob(boss, queue, job.id, {
          delaySeconds: service.config.retryDelaySeconds,
          reason: { code: err.code, message: err.message },
        }).catch((e) => {
          jobLog.error({ err: e }, 'could not hand the job back');
          return false;
        });
        if (released) {
          jobLog.info(
            { code: err.code, details: err.details },
            err instanceof TaskBusyError
              ? 'task is running elsewhere; the job waits and is taken again later'
              : 'its workspace runs as many tasks as it may; the job waits and is taken again later',
          );
          return;
        }
      } else jobLog.error({ err }, 'run job failed');
      // The run could not start (store down) or the job could not be handed back: fail it so pg-boss retries it.
      const code = err instanceof JunctionError ? err.code : 'internal_error';
      await boss
        .fail(queue, job.id, { code, message: (err as Error).message })
        .catch((e) => jobLog.error({ err: e }, 'could not fail the job'));
    }
  }

  async function fill(): Promise<boolean> {
    let took = false;
    for (const queue of await readyQueues()) {
      if (stopped || inFlight.size >= concurrency) break;
      if (inFlight.has(queue)) continue;
      const [job] = await boss.fetch<RunJobData>(queue, { batchSize: 1 });
      if (!job) continue;
      took = true;
      const p = handle(queue, job).finally(() => {
        inFlight.delete(queue);
        wake?.();
      });
      inFlight.set(queue, p);
    }
    return took;
  }

  const loop = (async () => {
    while (!stopped) {
      let took = false;
      if (inFlight.size < concurrency)
        took = await fill().catch((err) => {
          log.error({ err }, 'looking for run jobs failed');
          return false;
        });
      if (stopped) break;
      if (took && inFlight.size < concurrency) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  })();

  return {
    running: () => [...inFlight.keys()].map((q) => q.slice(RUN_QUEUE_PREFIX.length)),
    alive: () => !stopped,
    async stop() {
      stopped = true;
      (wake as (() => void) | null)?.();
      ac.abort(new Error('the worker is shutting down'));
      await loop;
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
