import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { enableSharedRateLimits } from '../connectors/shared-rate-limiter.ts';
import { ValidationError } from '../core/errors.ts';
import type { ExecutionTrigger, Task } from '../core/types.ts';
import type { RunOptions } from '../engine/run-task.ts';
import type { SendMail } from '../notify/mailer.ts';
import type { Store } from '../store/store.ts';
import { nextRunFor } from './due.ts';
import { type RunRequest, startEmbeddedScheduler } from './embedded-scheduler.ts';
import { startLeaderScheduler } from './leader-scheduler.ts';
import { enqueueRun, openBoss, type RunQueuePolicy } from './queue.ts';
import { startQueueWorker } from './queue-worker.ts';

export { nextRunFor } from './due.ts';
export type { RunRequest } from './embedded-scheduler.ts';
export { enqueueRun } from './queue.ts';

/** Timings of scheduling and workers; `readSchedulingEnv` fills them from the environment. */
export interface SchedulingConfig {
  /** How often due tasks are looked for (JUNCTION_SCHEDULER_TICK_MS, default 5 000). */
  tickMs: number;
  /** How often an idle worker looks for jobs (JUNCTION_WORKER_POLL_MS, default 2 000). */
  pollMs: number;
  /** Run lease: no heartbeat for this long means the run's process died (JUNCTION_RUN_LEASE_MS, default 120 000). */
  staleAfterMs: number;
  /** Seconds before a failed job is retried (JUNCTION_RETRY_DELAY_SECONDS, default 30). */
  retryDelaySeconds: number;
  /** Runs one worker process takes on at once (JUNCTION_WORKER_CONCURRENCY, default 2). */
  concurrency: number;
}

/** Reads the scheduling timings from the environment. */
export function readSchedulingEnv(env: NodeJS.ProcessEnv = process.env): SchedulingConfig {
  const num = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return env[name] && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  return {
    tickMs: num('JUNCTION_SCHEDULER_TICK_MS', 5_000),
    pollMs: num('JUNCTION_WORKER_POLL_MS', 2_000),
    staleAfterMs: num('JUNCTION_RUN_LEASE_MS', 120_000),
    retryDelaySeconds: Math.round(num('JUNCTION_RETRY_DELAY_SECONDS', 30)),
    concurrency: Math.max(1, Math.round(num('JUNCTION_WORKER_CONCURRENCY', 2))),
  };
}

/** What the server and CLI use to start runs and show schedules, whatever the mode. */
export interface RunService {
  /** `embedded`: runs in this process (SQLite); `queue`: runs are pg-boss jobs for the workers. */
  readonly mode: 'embedded' | 'queue';
  /** "Run task now": starts the run (embedded) or queues it (queue mode, coalescing with a waiting run). */
  runNow(taskId: string, trigger?: ExecutionTrigger): Promise<RunRequest>;
  /** When the task is next due (null: disabled or unscheduled). */
  nextRunAt(task: Task, now?: Date): Promise<Date | null>;
  /** False once stopped (for /healthz). */
  alive(): boolean;
  /** Waits for the runs of this process. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface RunServiceOptions {
  store: Store;
  log: Logger;
  /** PostgreSQL URL of the store; required for the queue mode. */
  databaseUrl?: string | undefined;
  /** Take runs in this process (false: `junction start --no-worker`, PostgreSQL only). */
  worker: boolean;
  config?: Partial<SchedulingConfig>;
  runOptions?: Pick<RunOptions, 'connectorFactory' | 'onCall' | 'onFinish'>;
  send?: SendMail;
}

/**
 * Starts scheduling for this process: the embedded scheduler on SQLite; on PostgreSQL the leader-elected
 * scheduler, shared rate limits and (unless `worker` is false) a queue worker.
 */
export async function startRunService(o: RunServiceOptions): Promise<RunService> {
  const { store, log } = o;
  const c = { ...readSchedulingEnv({}), ...o.config };
  const nextRunAt = (task: Task, now?: Date) => nextRunFor(store, task, now);
  if (store.dialect === 'sqlite') {
    if (!o.worker)
      throw new ValidationError(
        '--no-worker needs PostgreSQL (DATABASE_URL): with SQLite, runs happen in the hub process',
      );
    const s = startEmbeddedScheduler({
      store,
      log,
      tickMs: c.tickMs,
      runOptions: { ...o.runOptions, staleAfterMs: c.staleAfterMs },
      send: o.send,
    });
    return { mode: 'embedded', runNow: s.runNow, nextRunAt, alive: s.alive, idle: s.idle, stop: s.stop };
  }
  if (!o.databaseUrl) throw new ValidationError('the queue mode needs the PostgreSQL URL of the store');
  enableSharedRateLimits(store.db);
  const boss: PgBoss = await openBoss(o.databaseUrl);
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  const policy: RunQueuePolicy = { retryDelaySeconds: c.retryDelaySeconds };
  const leader = startLeaderScheduler({
    databaseUrl: o.databaseUrl,
    store,
    boss,
    log,
    tickMs: c.tickMs,
    staleAfterMs: c.staleAfterMs,
    policy,
  });
  const worker = o.worker
    ? startQueueWorker({
        boss,
        store,
        log,
        concurrency: c.concurrency,
        pollMs: c.pollMs,
        runOptions: { ...o.runOptions, staleAfterMs: c.staleAfterMs },
        send: o.send,
      })
    : null;
  let stopped = false;
  return {
    mode: 'queue',
    async runNow(taskId, trigger = 'manual') {
      await store.tasks.get(taskId); // NotFoundError before anything is queued
      await enqueueRun(boss, taskId, { trigger, policy });
      return { executionId: null, queued: true };
    },
    nextRunAt,
    alive: () => !stopped && leader.alive() && (worker?.alive() ?? true),
    async idle() {},
    async stop() {
      stopped = true;
      await worker?.stop();
      await leader.stop();
      await boss.stop({ graceful: true, wait: true, close: true, timeout: 10_000 });
      enableSharedRateLimits(null);
    },
  };
}
