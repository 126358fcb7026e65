import { type Kysely, sql } from 'kysely';
import { JunctionError, LeaseLostError, NotFoundError, TaskBusyError } from '../../core/errors.ts';
import {
  type Execution,
  type ExecutionCounts,
  type ExecutionItem,
  type ExecutionStatus,
  type ExecutionTrigger,
  type SyncLink,
  ZERO_COUNTS,
} from '../../core/types.ts';
import { type WorkspaceBusyError, workspaceBusy } from '../../core/workspaces.ts';
import type { Database, ExecutionsTable } from '../schema.ts';
import type { Dialect } from '../store.ts';
import { createExecutionItemQueries } from './execution-items.ts';
import { type Filterable, idsIn, type Scope } from './scope.ts';
import { upsertLinks } from './sync-links.ts';

/** Where a run stands: the watermark it started from and how far it got. Cursors are connector-opaque. */
export interface RunPosition {
  base: Record<string, unknown> | null;
  position: Record<string, unknown> | null;
}

export interface BeginOptions {
  taskId: string;
  trigger: ExecutionTrigger;
  owner: string;
  /**
   * This run's lease: it holds the task until this long after its latest heartbeat. Other runs are
   * judged by the lease they wrote (`lease_until`); this setting only judges rows written before it existed.
   */
  staleAfterMs: number;
  /** Tells whether a run's owner (`host:pid`) is known to be gone, so it need not wait for staleness. */
  ownerIsGone?: (owner: string) => boolean;
  now?: Date;
  /**
   * False: the workspace's concurrent-run limit is not asked (history written by hand, as tests do, on a store
   * that may predate workspaces). Every run and import the lifecycle begins asks it.
   */
  workspaceLimit?: boolean;
  /**
   * Refused for a full workspace, the caller comes back within `holdMs` (a handed-back queue job, a waiting
   * change or scheduled run): the refusal keeps the task's place in line (table `run_waits`, migration 0018)
   * from its first refusal, and a slot that frees is held for the places older than the asking run's. Without
   * it (a "run now" answered 409, an import, the CLI) a refusal is final and every place in line comes first.
   */
  waitInLine?: { holdMs: number };
}

/** A task's place in line for its workspace's run limit (migration 0018). */
interface RunWaitsTable {
  task_id: string;
  workspace_id: string;
  /** When the task was first refused for a full workspace (ISO); its place in line. */
  since: string;
  /** The place is lost unless the task asks again before then (ISO). */
  until: string;
}

export interface BeginResult {
  execution: Execution;
  /** Watermark of the last completed run (incremental reads start after it). */
  watermark: Record<string, unknown> | null;
  /** Present when a previous run died mid-way: continue from here instead of the watermark. */
  resume: (RunPosition & { executionId: string }) | null;
}

const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

function toExecution(r: ExecutionsTable): Execution {
  return {
    id: r.id,
    taskId: r.task_id,
    trigger: r.trigger as ExecutionTrigger,
    status: r.status as ExecutionStatus,
    startedAt: r.started_at ? new Date(r.started_at) : null,
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    heartbeatAt: r.heartbeat_at ? new Date(r.heartbeat_at) : null,
    counts: { ...ZERO_COUNTS, ...JSON.parse(r.counts) },
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    resumedFrom: r.resumed_from,
  };
}

/** Executions, their items and the task checkpoints they move, each change in one transaction. */
/**
 * Executions (runs and imports) and their items. Scoped to a workspace, the reading side sees only the runs
 * of that workspace's tasks; the writing side (begin, commits, close) belongs to the run service, unscoped.
 */
export function createExecutionRepository(db: Kysely<Database>, scope?: Scope, dialect?: Dialect) {
  /** Keeps a query on `executions` to the scope's tasks. */
  const inScope = <Q extends Filterable>(q: Q): Q =>
    scope === undefined ? q : (q.where('executions.task_id', 'in', idsIn(db, 'tasks', scope)) as Q);
  async function closeCrashed(trx: Kysely<Database>, row: ExecutionsTable, now: Date, reason: string) {
    await trx
      .updateTable('executions')
      .set({
        status: 'failed',
        finished_at: now.toISOString(),
        error_code: 'crashed',
        error_message: reason,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'running')
      .execute();
  }

  function isStale(
    row: ExecutionsTable,
    o: { staleAfterMs: number; ownerIsGone?: (owner: string) => boolean },
    now: Date,
  ) {
    if (row.owner !== null && (o.ownerIsGone?.(row.owner) ?? false)) return true;
    // The run's own lease decides, whatever lease the judging process is configured with.
    if (row.lease_until) return now.getTime() > new Date(row.lease_until).getTime();
    const beat = row.heartbeat_at ?? row.started_at ?? row.created_at;
    return now.getTime() - new Date(beat).getTime() > o.staleAfterMs;
  }

  /**
   * The workspace's concurrent-run limit, checked in the transaction that begins the run, so every run and
   * import counts from its begin to its end whoever started it (API, scheduler, queue worker, CLI). On
   * PostgreSQL the workspace's row is locked until the begin commits: two begins in one workspace cannot
   * both see the last free place (SQLite's transactions run one at a time already). Runs of other
   * tasks count unless their lease lapsed (those are closed as crashed at the next look).
   *
   * The same check honours the line: places of other tasks refused earlier and still held (`run_waits`)
   * count as taken, so when a run ends its slot goes to the task that waited longest, not to a task whose next
   * run happens to ask first (a task run back to back would otherwise keep it for ever). Returns the refusal
   * instead of throwing it when the task waits in line: its place is written in this transaction, under the
   * same lock, so no begin in between can pass it.
   */
  async function refuseFullWorkspace(
    trx: Kysely<Database>,
    o: BeginOptions,
    now: Date,
  ): Promise<WorkspaceBusyError | null> {
    const q = trx
      .selectFrom('workspaces')
      .select(['id', 'max_concurrent_runs'])
      .where('id', '=', trx.selectFrom('tasks').select('workspace_id').where('id', '=', o.taskId));
    // Only a workspace with a limit is locked: the others' begins do not queue up behind each other.
    const limited = await q.executeTakeFirst();
    if (!limited || limited.max_concurrent_runs === null) return null;
    const ws = dialect === 'postgres' ? await q.forUpdate().executeTakeFirst() : limited;
    if (!ws || ws.max_concurrent_runs === null) return null;
    const max = Number(ws.max_concurrent_runs);
    const others = await trx
      .selectFrom('executions')
      .selectAll()
      .where('status', '=', 'running')
      .where('task_id', '!=', o.taskId)
      .where('task_id', 'in', trx.selectFrom('tasks').select('id').where('workspace_id', '=', ws.id))
      .execute();
    const live = others.filter((r) => !isStale(r, o, now));
    const active = live.length;
    const waits = trx.withTables<{ run_waits: RunWaitsTable }>();
    // Places are written and compared on one clock: PostgreSQL's, shared by a hub and workers whose own clocks
    // may be skewed (SQLite is one machine). A `now` given by the caller (tests) is that clock.
    const lineNow =
      dialect === 'postgres' && o.now === undefined
        ? new Date((await sql<{ now: Date | string }>`SELECT now() AS now`.execute(trx)).rows[0]?.now ?? now)
        : now;
    const held = await waits
      .selectFrom('run_waits')
      .selectAll()
      .where('workspace_id', '=', ws.id)
      .where('until', '>', lineNow.toISOString())
      .execute();
    const own = held.find((w) => w.task_id === o.taskId);
    // Older places first; a task without a place (or a lapsed one) is behind every place held.
    const ahead = held.filter(
      (w) =>
        w.task_id !== o.taskId &&
        !live.some((r) => r.task_id === w.task_id) && // counted as running already
        (!own || w.since < own.since || (w.since === own.since && w.task_id < own.task_id)),
    ).length;
    if (active + ahead < max) {
      await waits.deleteFrom('run_waits').where('task_id', '=', o.taskId).execute();
      return null;
    }
    const refusal = workspaceBusy(ws.id, active, max, ahead);
    if (!o.waitInLine) throw refusal;
    const place = {
      workspace_id: ws.id,
      since: own?.since ?? lineNow.toISOString(),
      until: new Date(lineNow.getTime() + o.waitInLine.holdMs).toISOString(),
    };
    await waits
      .insertInto('run_waits')
      .values({ task_id: o.taskId, ...place })
      .onConflict((oc) => oc.column('task_id').doUpdateSet(place))
      .execute();
    return refusal;
  }

  return {
    /**
     * Starts a run of a task: refuses when its workspace runs as many tasks as it may (WorkspaceBusyError),
     * closes a crashed predecessor, refuses when a live one holds the task (TaskBusyError), and hands back
     * where to read from.
     */
    async begin(o: BeginOptions): Promise<BeginResult> {
      const now = o.now ?? new Date();
      const id = crypto.randomUUID();
      try {
        let refused: WorkspaceBusyError | null = null;
        const begun: BeginResult | null = await db.transaction().execute(async (trx) => {
          if (o.workspaceLimit !== false) {
            // Refused while waiting in line: the transaction commits the place, then the refusal is thrown.
            const refusal = await refuseFullWorkspace(trx, o, now);
            if (refusal) {
              refused = refusal;
              return null;
            }
          }
          const running = await trx
            .selectFrom('executions')
            .selectAll()
            .where('task_id', '=', o.taskId)
            .where('status', '=', 'running')
            .executeTakeFirst();
          if (running) {
            if (!isStale(running, o, now))
              throw new TaskBusyError(`task '${o.taskId}' is already running (execution ${running.id})`);
            await closeCrashed(
              trx,
              running,
              now,
              `the process running it (${running.owner}) stopped; execution ${id} resumes it`,
            );
          }
          const checkpoint = await trx
            .selectFrom('checkpoints')
            .selectAll()
            .where('task_id', '=', o.taskId)
            .executeTakeFirst();
          const inProgress = parse<RunPosition>(checkpoint?.in_progress ?? null);
          const resume =
            inProgress && checkpoint?.execution_id
              ? { ...inProgress, executionId: checkpoint.execution_id }
              : null;
          const row: ExecutionsTable = {
            id,
            task_id: o.taskId,
            trigger: o.trigger,
            status: 'running',
            owner: o.owner,
            started_at: now.toISOString(),
            finished_at: null,
            heartbeat_at: now.toISOString(),
            lease_until: new Date(now.getTime() + o.staleAfterMs).toISOString(),
            counts: JSON.stringify(ZERO_COUNTS),
            error_code: null,
            error_message: null,
            resumed_from: resume?.executionId ?? null,
            created_at: now.toISOString(),
          };
          await trx.insertInto('executions').values(row).execute();
          await trx
            .insertInto('checkpoints')
            .values({
              task_id: o.taskId,
              watermark: null,
              in_progress: null,
              execution_id: id,
              updated_at: now.toISOString(),
            })
            .onConflict((oc) =>
              oc.column('task_id').doUpdateSet({ execution_id: id, updated_at: now.toISOString() }),
            )
            .execute();
          return { execution: toExecution(row), watermark: parse(checkpoint?.watermark ?? null), resume };
        });
        if (!begun) throw refused; // only a refusal while waiting in line returns nothing
        return begun;
      } catch (err) {
        // Two processes racing past the check both try to insert; the partial unique index lets one win. Only
        // the database's error is read so: Junction's own (a workspace_busy naming a workspace 'unique-…') is not.
        if (!(err instanceof JunctionError) && /unique|duplicate/i.test(String((err as Error).message))) {
          throw new TaskBusyError(`task '${o.taskId}' is already running`, { cause: err });
        }
        throw err;
      }
    },

    /**
     * The task gives up its place in its workspace's line (`waitInLine`): it will not ask again soon (its run
     * failed before it began, its job is gone), so its place must not hold a freed slot until it lapses.
     */
    async leaveLine(taskId: string): Promise<void> {
      await db
        .withTables<{ run_waits: RunWaitsTable }>()
        .deleteFrom('run_waits')
        .where('task_id', '=', taskId)
        .execute();
    },

    /** Closes every running execution that has gone stale (on start-up and periodically). */
    async closeStale(o: {
      staleAfterMs: number;
      ownerIsGone?: (owner: string) => boolean;
      now?: Date;
    }): Promise<string[]> {
      const now = o.now ?? new Date();
      const running = await db.selectFrom('executions').selectAll().where('status', '=', 'running').execute();
      const closed: string[] = [];
      for (const row of running) {
        if (!isStale(row, o, now)) continue;
        await closeCrashed(db, row, now, `the process running it (${row.owner}) stopped before it finished`);
        closed.push(row.id);
      }
      return closed;
    },

    /**
     * Records one processed page atomically: its items, links, counts and the position to resume from.
     * A crash before this commit replays the page; writes are idempotent, so the replay duplicates nothing.
     * Fenced: a run whose execution is no longer `running` (another process closed it as crashed and took
     * the task over) gets LeaseLostError and records nothing.
     */
    async commitPage(p: {
      executionId: string;
      taskId: string;
      counts: ExecutionCounts;
      items: Omit<ExecutionItem, 'executionId'>[];
      links: SyncLink[];
      position: RunPosition | null;
      /** 1, 2, 3… per run. A commit retried after its COMMIT succeeded unseen finds its page done and skips. */
      page: number;
      /** Renews the run's lease by this much (a commit is a heartbeat). */
      leaseMs?: number;
    }): Promise<void> {
      const at = new Date();
      const now = at.toISOString();
      const lease = p.leaseMs ? { lease_until: new Date(at.getTime() + p.leaseMs).toISOString() } : {};
      await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('executions')
          .set({ pages_committed: p.page, counts: JSON.stringify(p.counts), heartbeat_at: now, ...lease })
          .where('id', '=', p.executionId)
          .where('status', '=', 'running')
          .where('pages_committed', '=', p.page - 1)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 0) {
          const row = await trx
            .selectFrom('executions')
            .select(['status', 'pages_committed'])
            .where('id', '=', p.executionId)
            .executeTakeFirst();
          if (row?.status === 'running' && Number(row.pages_committed) >= p.page) return; // committed before
          throw new LeaseLostError(
            `execution ${p.executionId} was taken over by another process (${row?.status ?? 'gone'}); page ${p.page} is not recorded`,
          );
        }
        for (let i = 0; i < p.items.length; i += 200) {
          await trx
            .insertInto('execution_items')
            .values(
              p.items.slice(i, i + 200).map((it) => ({
                execution_id: p.executionId,
                source_key: it.sourceKey,
                target_id: it.targetId,
                action: it.action,
                code: it.code,
                message: it.message,
                payload: it.payload === undefined || it.payload === null ? null : JSON.stringify(it.payload),
                created_at: now,
              })),
            )
            .execute();
        }
        if (p.links.length) await upsertLinks(trx, p.links);
        if (p.position) {
          await trx
            .updateTable('checkpoints')
            .set({ in_progress: JSON.stringify(p.position), updated_at: now })
            .where('task_id', '=', p.taskId)
            .where('execution_id', '=', p.executionId)
            .execute();
        }
      });
    },

    /**
     * Renews the run's lease; false when the execution is no longer running (taken over), so the
     * caller stops instead of writing on.
     */
    async heartbeat(executionId: string, leaseMs?: number): Promise<boolean> {
      const at = new Date();
      const r = await db
        .updateTable('executions')
        .set({
          heartbeat_at: at.toISOString(),
          ...(leaseMs ? { lease_until: new Date(at.getTime() + leaseMs).toISOString() } : {}),
        })
        .where('id', '=', executionId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** True while the execution is `running`, i.e. no other process has taken its task over. */
    async holdsLease(executionId: string): Promise<boolean> {
      const row = await db
        .selectFrom('executions')
        .select('status')
        .where('id', '=', executionId)
        .executeTakeFirst();
      return row?.status === 'running';
    },

    /**
     * Ends a run (false when it no longer held its lease and nothing was changed). A completed run moves the watermark and clears the resume point; a failed one keeps
     * the resume point so the next run continues where this one stopped.
     */
    async finish(p: {
      executionId: string;
      taskId: string;
      status: Exclude<ExecutionStatus, 'queued' | 'running'>;
      counts: ExecutionCounts;
      error?: { code: string; message: string } | null;
      /** The run read to the end: its resume point is cleared. */
      completed?: boolean;
      /** With `completed`: where the next incremental run starts (absent: the watermark stays). */
      watermark?: Record<string, unknown> | null;
    }): Promise<boolean> {
      const now = new Date().toISOString();
      return db.transaction().execute(async (trx) => {
        const closed = await trx
          .updateTable('executions')
          .set({
            status: p.status,
            finished_at: now,
            heartbeat_at: now,
            counts: JSON.stringify(p.counts),
            error_code: p.error?.code ?? null,
            error_message: p.error?.message ?? null,
          })
          .where('id', '=', p.executionId)
          // Fenced: a run that lost its lease leaves the execution as the process that took over closed it.
          .where('status', '=', 'running')
          .executeTakeFirst();
        if (Number(closed.numUpdatedRows) === 0) return false;
        if (p.completed) {
          await trx
            .updateTable('checkpoints')
            .set({
              ...(p.watermark !== undefined
                ? { watermark: p.watermark ? JSON.stringify(p.watermark) : null }
                : {}),
              in_progress: null,
              updated_at: now,
            })
            .where('task_id', '=', p.taskId)
            .where('execution_id', '=', p.executionId)
            .execute();
        }
        return true;
      });
    },

    async get(id: string): Promise<Execution> {
      const row = await inScope(
        db.selectFrom('executions').selectAll().where('id', '=', id),
      ).executeTakeFirst();
      if (!row) throw new NotFoundError(`execution '${id}' does not exist`);
      return toExecution(row);
    },

    /**
     * Runs that are queued or running now, and runs that finished at or after `since`: what the live feed
     * looks at every second (`executions_finished` keeps the second half an index range).
     */
    async activeOrFinishedSince(since: Date): Promise<Execution[]> {
      // Two index range reads rather than one OR, which would scan the whole history.
      const active = await inScope(
        db.selectFrom('executions').selectAll().where('status', 'in', ['queued', 'running']),
      ).execute();
      const finished = await inScope(
        db
          .selectFrom('executions')
          .selectAll()
          .where('finished_at', '>=', since.toISOString())
          .orderBy('finished_at')
          .limit(1000),
      ).execute();
      const byId = new Map([...active, ...finished].map((r) => [r.id, r]));
      return [...byId.values()].map(toExecution);
    },

    /** Newest first; `from`/`to` bound the start time. */
    async list(
      f: {
        taskId?: string;
        status?: ExecutionStatus;
        from?: Date;
        to?: Date;
        limit?: number;
        offset?: number;
      } = {},
    ): Promise<Execution[]> {
      let q = inScope(
        db
          .selectFrom('executions')
          .selectAll()
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .limit(f.limit ?? 50)
          .offset(f.offset ?? 0),
      );
      if (f.taskId) q = q.where('task_id', '=', f.taskId);
      if (f.status) q = q.where('status', '=', f.status);
      if (f.from) q = q.where('created_at', '>=', f.from.toISOString());
      if (f.to) q = q.where('created_at', '<', f.to.toISOString());
      return (await q.execute()).map(toExecution);
    },

    ...createExecutionItemQueries(db, scope),

    async checkpoint(taskId: string) {
      const row = await db
        .selectFrom('checkpoints')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      return row
        ? {
            watermark: parse(row.watermark),
            inProgress: parse<RunPosition>(row.in_progress),
            executionId: row.execution_id,
          }
        : null;
    },
  };
}
