import type PgBoss from 'pg-boss';
import type { ExecutionTrigger } from '../core/types.ts';

/** Every task has its own pg-boss queue, named with this prefix and the task id. */
export const RUN_QUEUE_PREFIX = 'junction-run-';

/** The payload of a run job. */
export interface RunJobData {
  taskId: string;
  trigger: ExecutionTrigger;
  requestedAt: string;
  /** Deletions beyond the mass-deletion guard were confirmed for this run. */
  confirmDeletes?: boolean;
}

/** Retry and lease settings of the run queues. */
export interface RunQueuePolicy {
  /** Attempts after the first when a worker dies or a run cannot start (default 3). */
  retryLimit?: number;
  /** Seconds before a retry (default 30). */
  retryDelaySeconds?: number;
  /**
   * Backstop lease of pg-boss itself: an active job older than this is failed and retried (default
   * 6 h, above any real run). Dead workers are normally noticed much sooner through the run heartbeat.
   */
  expireInSeconds?: number;
}

/** The queue of one task's runs. */
export const queueNameFor = (taskId: string) => `${RUN_QUEUE_PREFIX}${taskId}`;

/** Opens pg-boss on the store's PostgreSQL database (its own schema `pgboss`), installing it on first use. */
export async function openBoss(
  databaseUrl: string,
  o: { supervise?: boolean; maintenanceIntervalSeconds?: number } = {},
): Promise<PgBoss> {
  // Loaded only with a PostgreSQL store's queue: a SQLite hub or a `junction run` does not carry pg-boss and its
  // dependencies (~2 MB of heap).
  const { default: PgBossClass } = await import('pg-boss');
  const boss = new PgBossClass({
    connectionString: databaseUrl,
    max: 4,
    // Junction schedules tasks itself (see leader-scheduler.ts); pg-boss cron stays off.
    schedule: false,
    supervise: o.supervise ?? true,
    ...(o.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: o.maintenanceIntervalSeconds } : {}),
  });
  await boss.start();
  return boss;
}

const ensured = new WeakMap<PgBoss, Set<string>>();

/**
 * Creates the task's queue once per process. Policy `singleton`: pg-boss activates at most one job of
 * the queue at a time, so one task never runs on two workers at once, while other tasks' queues are
 * never held up behind it (one queue per task, not one singleton key in a shared queue).
 */
export async function ensureRunQueue(
  boss: PgBoss,
  taskId: string,
  policy: RunQueuePolicy = {},
): Promise<string> {
  const name = queueNameFor(taskId);
  const seen = ensured.get(boss) ?? new Set<string>();
  ensured.set(boss, seen);
  if (seen.has(name)) return name;
  await boss.createQueue(name, {
    name,
    policy: 'singleton',
    retryLimit: policy.retryLimit ?? 3,
    retryDelay: policy.retryDelaySeconds ?? 30,
    retryBackoff: false,
    expireInSeconds: policy.expireInSeconds ?? 6 * 3600,
  });
  seen.add(name);
  return name;
}

/** Jobs of a task's queue in the given states (`created`, `retry`, `active`). */
export async function jobsOf(
  boss: PgBoss,
  taskId: string,
  states: string[],
): Promise<{ id: string; state: string; startedOn: Date | null }[]> {
  const { rows } = await boss
    .getDb()
    .executeSql(
      'SELECT id, state, started_on FROM pgboss.job WHERE name = $1 AND state::text = ANY($2::text[])',
      [queueNameFor(taskId), states],
    );
  return rows.map((r) => ({
    id: String(r.id),
    state: String(r.state),
    startedOn: r.started_on ? new Date(r.started_on) : null,
  }));
}

/**
 * Queues a run of the task for the workers and returns the job id. With `coalesce` (the default), a
 * run already waiting is reused instead of queueing a second one behind it.
 */
export async function enqueueRun(
  boss: PgBoss,
  taskId: string,
  o: {
    trigger?: ExecutionTrigger;
    coalesce?: boolean;
    policy?: RunQueuePolicy;
    confirmDeletes?: boolean;
    /** Not before then (a change-driven run held back by its task's change gap). */
    startAfter?: Date;
  } = {},
): Promise<string> {
  const name = await ensureRunQueue(boss, taskId, o.policy);
  // A confirmed run is its own: it must not melt into a waiting run that was not confirmed.
  if (o.coalesce !== false && !o.confirmDeletes) {
    const [waiting] = await jobsOf(boss, taskId, ['created', 'retry']);
    if (waiting) {
      // "Run now" and the clock do not wait behind a change run held back by its gap: that job starts now.
      if (!o.startAfter)
        await boss
          .getDb()
          .executeSql(
            "UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2 AND state < 'active' AND start_after > now()",
            [name, waiting.id],
          );
      return waiting.id;
    }
  }
  const data: RunJobData = {
    taskId,
    trigger: o.trigger ?? 'manual',
    requestedAt: new Date().toISOString(),
    ...(o.confirmDeletes ? { confirmDeletes: true } : {}),
  };
  const id = await boss.send(name, data, o.startAfter ? { startAfter: o.startAfter } : {});
  if (!id) throw new Error(`pg-boss did not queue the run of task '${taskId}'`);
  return id;
}

/**
 * Tasks among `taskIds` with a run job waiting, retrying or taken by a worker (not yet finished). A job that
 * waits for its task's change gap (`created`, starting later) is not counted: it holds no place until its
 * start, which may be an hour away (a job handed back is `retry`, and counts).
 */
export async function tasksWithJobs(boss: PgBoss, taskIds: string[]): Promise<string[]> {
  if (!taskIds.length) return [];
  const { rows } = await boss.getDb().executeSql(
    `SELECT DISTINCT name FROM pgboss.job
      WHERE name = ANY($1::text[]) AND state < 'completed' AND NOT (state = 'created' AND start_after > now())`,
    [taskIds.map(queueNameFor)],
  );
  return rows.map((r) => String(r.name).slice(RUN_QUEUE_PREFIX.length));
}

/**
 * Hands a taken job back to wait `delaySeconds`, without spending one of its attempts: the run did not start
 * (its task runs elsewhere, its workspace is full), so it is neither failed nor lost, however long the wait.
 * `started_on` is cleared so the next fetch does not count a retry; `created_on` stays, so the job keeps its
 * place among the oldest; `keep_until` moves on, so pg-boss's archiving never drops a job that waits long.
 * Still the same job: a run asked for meanwhile coalesces with it (enqueueRun).
 */
export async function releaseJob(
  boss: PgBoss,
  queue: string,
  jobId: string,
  o: { delaySeconds: number; reason: Record<string, unknown> },
): Promise<boolean> {
  const { rows } = await boss.getDb().executeSql(
    `UPDATE pgboss.job
        SET state = 'retry', started_on = NULL, start_after = now() + $3 * interval '1 second',
            output = $4::jsonb, keep_until = greatest(keep_until, now() + interval '1 day')
      WHERE name = $1 AND id = $2 AND state = 'active'
      RETURNING id`,
    // At least a second: with JUNCTION_RETRY_DELAY_SECONDS=0 a job of a full workspace was taken and handed
    // back in a tight loop, a begin transaction each time, for as long as the other run lasted.
    [queue, jobId, Math.max(1, o.delaySeconds), JSON.stringify(o.reason)],
  );
  return rows.length > 0;
}

/**
 * A run of the workspace ended: its jobs handed back for a full workspace (`releaseJob` with `workspace_busy`)
 * are due now instead of after their retry delay, so the freed slot is asked for by them first. Which of them
 * gets it, and that a newer job of a task run back to back does not, the begin decides (the workspace's line,
 * store executions.begin `waitInLine`). Returns how many jobs were woken.
 */
export async function wakeHandedBack(boss: PgBoss, taskIds: string[]): Promise<number> {
  if (!taskIds.length) return 0;
  const { rows } = await boss.getDb().executeSql(
    `UPDATE pgboss.job SET start_after = now()
      WHERE name = ANY($1::text[]) AND state = 'retry' AND start_after > now() AND output->>'code' = 'workspace_busy'
      RETURNING id`,
    [taskIds.map(queueNameFor)],
  );
  return rows.length;
}
