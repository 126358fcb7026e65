import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { jobsOf, queueNameFor } from '../runs/queue.ts';
import type { RunService } from '../runs/run-service.ts';
import { startChangeWatch } from './change-watch.ts';
import { dueTasks } from './due.ts';
import { createRetentionTimer } from './retention.ts';
import { TickLoop } from './tick-loop.ts';

/** Arbitrary, fixed key of the PostgreSQL advisory lock that elects the one scheduling process. */
export const SCHEDULER_LOCK_KEY = 0x4a554e43; // "JUNC"

export interface LeaderSchedulerOptions {
  /** The run service in queue mode: its store, pg-boss, lease and tick settings. */
  service: RunService;
  log: Logger;
  /** How often the leader looks for due tasks and dead runs (default: the service's `tickMs`). */
  tickMs?: number;
  retentionEveryMs?: number;
}

/** The scheduling loop of the PostgreSQL mode; only the lock holder acts. */
export interface LeaderScheduler {
  isLeader(): boolean;
  alive(): boolean;
  /** One round: enqueue due tasks, hand back runs of dead workers, purge old executions. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every `junction start` and `junction worker` runs this loop, but only the process holding a
 * session-level advisory lock enqueues schedule ticks. Why an advisory lock rather than pg-boss
 * `schedule()`: Junction's schedules are "every N minutes since the last run" (not wall-clock cron
 * slots; 45 minutes has no cron form), cron with a per-task time zone, coalescing and next-run
 * display — one `nextRunAt` shared with the embedded scheduler. The lock dies with its session, so
 * when the leader is killed another process takes over within one tick.
 */
export function startLeaderScheduler(o: LeaderSchedulerOptions): LeaderScheduler {
  const { service, log } = o;
  const store = service.store;
  const boss = service.boss as PgBoss;
  if (!boss || !service.queueUrl) throw new Error('the leader scheduler needs the run service in queue mode');
  const databaseUrl: string = service.queueUrl;
  const tickMs = o.tickMs ?? service.config.tickMs;
  const staleAfterMs = service.config.leaseMs;
  const retention = createRetentionTimer(store, log, o.retentionEveryMs);
  let client: pg.Client | null = null;
  let leader = false;
  const loop = new TickLoop(tickMs, log);

  async function claim(): Promise<boolean> {
    if (leader) return true;
    if (!client) {
      // Loaded here, not with the module: a hub on SQLite never loads the PostgreSQL driver (~30 modules at start-up).
      const { default: driver } = await import('pg');
      const c = new driver.Client({ connectionString: databaseUrl, application_name: 'junction-scheduler' });
      c.on('error', (err) => {
        log.warn({ err: err.message }, 'scheduler lock connection lost');
        leader = false;
        if (client === c) client = null;
      });
      await c.connect();
      client = c;
    }
    const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [SCHEDULER_LOCK_KEY]);
    leader = rows[0]?.ok === true;
    if (leader) log.info('this process now schedules the tasks');
    return leader;
  }

  /** Closes runs whose worker died and fails their jobs, so pg-boss retries them on another worker. */
  async function recover(): Promise<void> {
    const closed = await service.closeStale();
    for (const id of closed) {
      const execution = await store.executions.get(id);
      const started = execution.startedAt?.getTime() ?? 0;
      for (const job of await jobsOf(boss, execution.taskId, ['active'])) {
        // Only the job that ran the dead execution (started before it); a newer one is alive.
        if (job.startedOn && job.startedOn.getTime() <= started + 1_000) {
          log.warn(
            { executionId: id, jobId: job.id, taskId: execution.taskId },
            'worker died mid-run; the job is retried',
          );
          await boss.fail(queueNameFor(execution.taskId), job.id, { code: 'crashed', executionId: id });
        }
      }
    }
    // An active job older than a lease whose task has no running execution has no worker any more: it
    // died before its run began, or its execution was closed by another process (a hub's start, a
    // `junction run`, the next begin). Otherwise its queue would stay blocked until pg-boss expires it.
    for (const task of await store.tasks.list()) {
      for (const job of await jobsOf(boss, task.id, ['active'])) {
        if (!job.startedOn || Date.now() - job.startedOn.getTime() < staleAfterMs) continue;
        const running = await store.executions.list({ taskId: task.id, status: 'running', limit: 1 });
        if (running.length) continue;
        log.warn({ jobId: job.id, taskId: task.id }, 'run job has no live run; it is retried');
        await boss.fail(queueNameFor(task.id), job.id, { code: 'orphaned' });
      }
    }
  }

  async function tick(): Promise<void> {
    if (!(await claim())) return;
    const now = new Date();
    await recover();
    for (const task of await dueTasks(store, now, log)) {
      // Running or handed back already: the slot coalesces into that run. A waiting job is joined by the
      // enqueue below, which also takes a change job held for its change gap at once (the interval is due).
      if ((await jobsOf(boss, task.id, ['retry', 'active'])).length) continue;
      const jobId = await service.enqueue(task.id, 'schedule');
      log.debug({ taskId: task.id, jobId }, 'scheduled run queued');
    }
    await retention(now);
  }

  loop.start(tick);
  // Only the leader watches change-driven tasks' sources: one poll and one listener for the cluster.
  const changes = startChangeWatch({ service, log, active: () => leader });

  return {
    isLeader: () => leader,
    alive: () => !loop.stopped,
    tick,
    async stop() {
      loop.halt();
      await Promise.all([loop.done(), changes.stop()]);
      await client?.end().catch(() => {});
    },
  };
}
