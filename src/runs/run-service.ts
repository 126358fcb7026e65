import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Connector } from '../connectors/connector.ts';
import { createConnector } from '../connectors/registry.ts';
import { TaskBusyError, ValidationError } from '../core/errors.ts';
import { refuseImportTask } from '../core/import-task.ts';
import type { Execution, ExecutionTrigger } from '../core/types.ts';
import { changeGapOf, WorkspaceBusyError, workspaceBusy } from '../core/workspaces.ts';
import { ownerIsGone } from '../engine/owner.ts';
import { type RunImportOptions, runImport } from '../engine/run-import.ts';
import { type DryRunResult, dryRunTask, type RunOptions, runTask } from '../engine/run-task.ts';
import type { Store } from '../store/store.ts';
import { limitersFor } from './limiters.ts';
import { enqueueRun, openBoss, type RunQueuePolicy, tasksWithJobs, wakeHandedBack } from './queue.ts';
import { DEFAULT_RUN_CONFIG, type RunConfig } from './run-config.ts';

/** Beyond its retry delay, how long a refused run keeps its place in its workspace's line (see `waitInLine`). */
const WAIT_IN_LINE_GRACE_MS = 60_000;

/** The answer to "run now": the execution it started (in this process), or that it was queued. */
export interface RunRequest {
  executionId: string | null;
  queued: boolean;
}

/** What the service passes to every run it starts (observers, test doubles). */
export type ServiceRunOptions = Pick<
  RunOptions,
  'connectorFactory' | 'onCall' | 'onFinish' | 'onProgress' | 'send' | 'hooks'
>;

/** What "run now" may carry besides its trigger. */
export interface RunNowOptions {
  /** Deletions beyond the task's mass-deletion guard are confirmed for this run (an admin said so). */
  confirmDeletes?: boolean;
  /** Who asked (a user name), for the audit entry of a confirmation. */
  by?: string;
}

/** One run started through the service: its trigger, cancellation and observers. */
export type RunCallOptions = Pick<RunOptions, 'trigger' | 'signal' | 'onBegin' | 'confirmDeletes'> &
  ServiceRunOptions & {
    /**
     * Refused for a full workspace, the caller asks again after the retry delay (a handed-back queue job): the
     * refusal keeps the task's place in its workspace's line, and a slot that frees is held for it.
     */
    waitInLine?: boolean;
  };

export interface RunServiceOptions {
  store: Store;
  log: Logger;
  config?: Partial<RunConfig>;
  /**
   * PostgreSQL URL of the store: "run now" then queues a job for the workers (pg-boss) instead of
   * running in this process. Absent (SQLite, tests): runs happen in this process.
   */
  queueUrl?: string | undefined;
  /** pg-boss supervision (maintenance) in this process; off for short-lived CLI commands. */
  superviseQueue?: boolean;
  runOptions?: ServiceRunOptions;
}

/**
 * The one way a run of Junction starts. The CLI (`run`, `run-now`, `import`), the API (run now, retry,
 * dry run, imports), webhooks, the schedulers and the queue workers all call this service; the
 * schedulers only decide *when*. It owns where a run happens (here, or queued for the workers), the
 * lease setting, the connection budgets handed to connectors, and closing runs a dead process left open.
 */
export interface RunService {
  /** `embedded`: "run now" runs in this process; `queue`: it queues a job for the workers. */
  readonly mode: 'embedded' | 'queue';
  readonly config: RunConfig;
  readonly store: Store;
  /** The pg-boss instance of the queue mode (workers and the leader scheduler share it). */
  readonly boss: PgBoss | null;
  /** The PostgreSQL URL of the queue mode (the leader scheduler's advisory lock connects with it). */
  readonly queueUrl: string | null;
  /**
   * "Run task now": starts the run in this process and resolves once it has an execution (embedded;
   * TaskBusyError when the task runs here already), or queues it, coalescing with a waiting run (queue).
   */
  runNow(taskId: string, trigger?: ExecutionTrigger, o?: RunNowOptions): Promise<RunRequest>;
  /**
   * "Something changed, run soon": the change-driven path (webhooks, database notifications, the
   * change poll). Changes arriving within `changeCoalesceMs` share one run; a change arriving while
   * the task runs gets one more run after it (that run may have read past the change). Queue mode: a
   * job, coalesced with a waiting one. Never throws for a busy task: the change is not lost, it rides along.
   */
  runSoon(taskId: string, trigger: ExecutionTrigger): Promise<void>;
  /** A connection's connector with this service's runtime (confined files, shared budgets); the caller closes it. */
  openConnector(connectionId: string, signal?: AbortSignal): Promise<Connector>;
  /** Runs the task here, to its end (CLI `junction run`, worker jobs). */
  run(taskId: string, o?: RunCallOptions): Promise<Execution>;
  /** What the next run would do, through the run's own pipeline, writing nothing anywhere. */
  dryRun(
    taskId: string,
    o?: {
      maxRecords?: number;
      maxItems?: number;
      signal?: AbortSignal;
      confirmDeletes?: boolean | undefined;
    },
  ): Promise<DryRunResult>;
  /** Runs an import (records handed in page by page) as an execution of its task. */
  runImport(o: Omit<RunImportOptions, 'store' | 'log' | 'leaseMs'>): Promise<Execution>;
  /** Queues a run for the workers (queue mode only); returns the job id. */
  enqueue(taskId: string, trigger: ExecutionTrigger, o?: RunNowOptions): Promise<string>;
  /** Closes running executions whose process died (lease lapsed or owner gone); returns their ids. */
  closeStale(): Promise<string[]>;
  /** Task ids running in this process. */
  running(): string[];
  /** Waits for the runs this process started with `runNow`. */
  idle(): Promise<void>;
  /** Cancels the runs in flight here (they close as cancelled and resume next time) and closes the queue. */
  stop(): Promise<void>;
}

export async function createRunService(o: RunServiceOptions): Promise<RunService> {
  const { store, log } = o;
  const config: RunConfig = { ...DEFAULT_RUN_CONFIG, ...o.config };
  if (o.queueUrl && store.dialect !== 'postgres')
    throw new ValidationError('queued runs need the store on PostgreSQL (DATABASE_URL)');
  const boss = o.queueUrl ? await openBoss(o.queueUrl, { supervise: o.superviseQueue ?? true }) : null;
  boss?.on('error', (err) => log.error({ err }, 'pg-boss error'));
  const policy: RunQueuePolicy = { retryDelaySeconds: config.retryDelaySeconds };
  const ac = new AbortController();
  const inFlight = new Map<string, Promise<unknown>>();
  // Change-driven runs waiting to start (the coalescing window, or the end of the run in flight).
  const soon = new Map<string, Promise<void>>();
  const limiters = limitersFor(store);
  // Change-driven runs of this process waiting for a slot of their workspace (embedded mode).
  const slotWaiters = new Set<() => void>();
  /**
   * How long a refused run's place in line is held: it asks again after the retry delay (a handed-back job)
   * or the next scheduler tick; the grace covers a worker's poll and a busy worker. A place whose task does
   * not come back (its job cancelled, its schedule removed) holds the slot at most this long.
   */
  const waitInLine = {
    holdMs: Math.max(1_000, config.retryDelaySeconds * 1000, config.tickMs) + WAIT_IN_LINE_GRACE_MS,
  };

  /**
   * A run that began has ended (any way): the runs waiting for its workspace's slot ask now rather than after
   * their delay — handed-back jobs (queue mode) and change-driven runs of this process. The line decides
   * which of them gets it (store executions.begin).
   */
  const slotFreed = async (taskId: string) => {
    for (const wake of [...slotWaiters]) wake();
    if (!boss) return;
    try {
      const ws = await store.workspaces.ofTask(taskId);
      if (ws.limits.maxConcurrentRuns === null) return;
      const woken = await wakeHandedBack(boss, await store.workspaces.taskIds(ws.id));
      if (woken) log.debug({ taskId, woken }, "its workspace's handed-back jobs are due now");
    } catch (err) {
      // They still come back after their retry delay, their places in line kept.
      log.warn({ err, taskId }, "could not wake the workspace's handed-back jobs");
    }
  };

  /** Resolves after `ms`, or earlier when a run of this process ends; rejects when the service stops. */
  const untilSlotFreed = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const settle = (err?: unknown) => {
        clearTimeout(timer);
        slotWaiters.delete(wake);
        ac.signal.removeEventListener('abort', stop);
        if (err === undefined) resolve();
        else reject(err);
      };
      const wake = () => settle();
      const stop = () => settle(ac.signal.reason ?? new Error('the service stopped'));
      const timer = setTimeout(wake, ms);
      slotWaiters.add(wake);
      ac.signal.addEventListener('abort', stop, { once: true });
      if (ac.signal.aborted) stop();
    });

  /**
   * Admission of a queued "run now" to its workspace's concurrent-run limit: a run counts from when it is
   * admitted, so the tasks that run now and those whose run waits in the queue (or is being taken) count
   * alike — as in the embedded mode, a second "run now" is refused while the first has not finished.
   * The task's own waiting run does not count (the request joins it). The limit itself holds where every run
   * and import begins (store.executions.begin); this only answers early instead of queueing a refusal.
   */
  const admitQueued = async (taskId: string, queue: PgBoss) => {
    const ws = await store.workspaces.ofTask(taskId);
    const max = ws.limits.maxConcurrentRuns;
    if (max === null) return;
    const busy = new Set(await store.workspaces.runningTasks(ws.id));
    for (const t of await tasksWithJobs(queue, await store.workspaces.taskIds(ws.id))) busy.add(t);
    busy.delete(taskId);
    if (busy.size >= max) throw workspaceBusy(ws.id, busy.size, max);
  };

  // The workspace's concurrent-run limit is checked where the run begins (store.executions.begin).
  const run: RunService['run'] = async (taskId, r = {}) => {
    const { trigger, signal, waitInLine: waits, onBegin, ...extra } = r;
    const signals = [ac.signal, ...(signal ? [signal] : [])];
    let begun = false;
    try {
      return await runTask(taskId, {
        ...o.runOptions,
        ...extra,
        store,
        log,
        trigger: trigger ?? 'manual',
        leaseMs: config.leaseMs,
        limiters,
        signal: AbortSignal.any(signals),
        waitInLine: waits ? waitInLine : undefined,
        onBegin: (execution) => {
          begun = true;
          onBegin?.(execution);
        },
      });
    } catch (err) {
      // Failed before it began for another reason than a busy task or workspace: nothing asks again soon, so
      // the task's place in line (if it had one) must not hold a freed slot until it lapses.
      if (!begun && waits && !(err instanceof WorkspaceBusyError) && !(err instanceof TaskBusyError))
        await store.executions
          .leaveLine(taskId)
          .catch((e) => log.warn({ err: e, taskId }, 'could not give up its place in line'));
      throw err;
    } finally {
      if (begun) await slotFreed(taskId);
    }
  };

  function startHere(
    taskId: string,
    trigger: ExecutionTrigger,
    confirmDeletes: boolean,
    waits = false,
  ): Promise<RunRequest> {
    if (inFlight.has(taskId)) return Promise.reject(new TaskBusyError(`task '${taskId}' is already running`));
    return new Promise<RunRequest>((resolve, reject) => {
      let begun = false;
      const p = run(taskId, {
        trigger,
        confirmDeletes,
        waitInLine: waits,
        onBegin: (execution) => {
          begun = true;
          resolve({ executionId: execution.id, queued: false });
        },
      })
        .catch((err) => {
          if (!begun) reject(err);
          else log.error({ err, taskId }, 'run failed after it began');
        })
        .finally(() => inFlight.delete(taskId));
      inFlight.set(taskId, p);
    });
  }

  const enqueue: RunService['enqueue'] = async (taskId, trigger, q = {}) => {
    if (!boss) throw new ValidationError('queued runs need PostgreSQL (DATABASE_URL)');
    await store.tasks.get(taskId); // NotFoundError before anything is queued
    return enqueueRun(boss, taskId, { trigger, policy, confirmDeletes: q.confirmDeletes ?? false });
  };

  /**
   * How long a change-driven run of the task still waits for its change gap (a workspace's shortest interval
   * binds its people's change-driven tasks, core/workspaces.ts bindChangeGap): 0 without one.
   */
  const changeGapWaitMs = async (taskId: string): Promise<number> => {
    const gap = changeGapOf((await store.tasks.get(taskId)).schedule);
    if (!gap) return 0;
    const [last] = await store.executions.list({ taskId, limit: 1 });
    return last?.startedAt ? Math.max(0, last.startedAt.getTime() + gap * 60_000 - Date.now()) : 0;
  };

  const runSoonHere = (taskId: string, trigger: ExecutionTrigger) => {
    if (soon.has(taskId) || ac.signal.aborted) return; // a run is about to start: this change rides along
    const waiting = (async () => {
      try {
        await sleep(config.changeCoalesceMs, undefined, { signal: ac.signal });
        // The run in flight may have read past this change: the next one starts after it.
        await inFlight.get(taskId)?.catch(() => {});
        // Within the task's change gap the run waits for its end; changes meanwhile ride along.
        const gapMs = await changeGapWaitMs(taskId).catch(() => 0);
        if (gapMs > 0) {
          await sleep(gapMs, undefined, { signal: ac.signal });
          await inFlight.get(taskId)?.catch(() => {});
        }
      } catch {
        return; // the service is stopping
      } finally {
        // From here on a new change asks for another run.
        soon.delete(taskId);
      }
      // Refused for a full workspace, it asks again below: its place in line is kept meanwhile.
      const busy = await startHere(taskId, trigger, false, true).then(
        () => false,
        (err) => {
          if (err instanceof WorkspaceBusyError) return true;
          if (err instanceof TaskBusyError)
            log.debug({ taskId }, 'change-driven run skipped: the task is running in another process');
          else log.error({ err, taskId }, 'change-driven run could not start');
          return false;
        },
      );
      if (!busy) return;
      // Its workspace runs as many tasks as it may: the change is not dropped, it asks again after the retry
      // delay or when a run of this process ends (a change arriving meanwhile takes its place).
      log.info({ taskId }, 'change-driven run waits: its workspace runs as many tasks as it may');
      await untilSlotFreed(config.retryDelaySeconds * 1000).then(
        () => runSoonHere(taskId, trigger),
        () => {}, // the service is stopping: the change is read by the task's next run
      );
    })();
    soon.set(taskId, waiting);
  };

  /** A confirmation of deletions beyond the guard is an admin's decision: it goes in the audit log. */
  const auditConfirmation = async (taskId: string, q: RunNowOptions) => {
    if (!q.confirmDeletes) return;
    await store.audit.record({
      kind: 'deletions_confirmed',
      connectionId: (await store.mappings.get((await store.tasks.get(taskId)).mappingId)).target.connectionId,
      subject: taskId,
      details: { taskId, by: q.by ?? null },
    });
  };

  return {
    mode: boss ? 'queue' : 'embedded',
    config,
    store,
    boss,
    queueUrl: o.queueUrl ?? null,
    async runNow(taskId, trigger = 'manual', q = {}) {
      // NotFoundError before anything starts; an import's task runs only with a file.
      refuseImportTask(await store.tasks.get(taskId));
      await auditConfirmation(taskId, q);
      if (boss) {
        // Refused now, as in the embedded mode, rather than queued behind the workspace's other runs.
        await admitQueued(taskId, boss);
        await enqueue(taskId, trigger, q);
        return { executionId: null, queued: true };
      }
      // The embedded scheduler asks again at its next tick while the task is due: it waits in line meanwhile.
      return startHere(taskId, trigger, q.confirmDeletes ?? false, trigger === 'schedule');
    },
    async runSoon(taskId, trigger) {
      if (boss) {
        refuseImportTask(await store.tasks.get(taskId));
        const gapMs = await changeGapWaitMs(taskId);
        await enqueueRun(boss, taskId, {
          trigger,
          policy,
          ...(gapMs > 0 ? { startAfter: new Date(Date.now() + gapMs) } : {}),
        });
        return;
      }
      refuseImportTask(await store.tasks.get(taskId)); // NotFoundError for a task that is gone
      runSoonHere(taskId, trigger);
    },
    async openConnector(connectionId, signal) {
      const make = o.runOptions?.connectorFactory ?? createConnector;
      return make(await store.connections.get(connectionId), {
        log,
        limiters,
        signal: signal ? AbortSignal.any([ac.signal, signal]) : ac.signal,
        ...(o.runOptions?.onCall ? { onCall: o.runOptions.onCall } : {}),
      });
    },
    async run(taskId, r = {}) {
      refuseImportTask(await store.tasks.get(taskId));
      // A confirmation from the terminal is audited here; one through "run now" was audited when asked
      // (a queued run reaches this with the same confirmation and must not be audited twice).
      if (r.confirmDeletes && r.trigger === 'cli')
        await auditConfirmation(taskId, { confirmDeletes: true, by: 'cli' });
      return run(taskId, r);
    },
    dryRun: (taskId, d = {}) =>
      dryRunTask(store, taskId, {
        log,
        limiters,
        connectorFactory: o.runOptions?.connectorFactory,
        onCall: o.runOptions?.onCall,
        ...d,
        // Stopping the service stops its dry runs too.
        signal: d.signal ? AbortSignal.any([ac.signal, d.signal]) : ac.signal,
      }),
    async runImport(i) {
      let begun = false;
      try {
        return await runImport({
          connectorFactory: o.runOptions?.connectorFactory,
          onCall: o.runOptions?.onCall,
          ...i,
          store,
          log,
          leaseMs: config.leaseMs,
          signal: i.signal ? AbortSignal.any([ac.signal, i.signal]) : ac.signal,
          onBegin: (execution) => {
            begun = true;
            i.onBegin?.(execution);
          },
        });
      } finally {
        if (begun) await slotFreed(i.taskId);
      }
    },
    enqueue,
    closeStale: () => store.executions.closeStale({ staleAfterMs: config.leaseMs, ownerIsGone }),
    running: () => [...inFlight.keys()],
    async idle() {
      // A change-driven run waiting to start counts as work not yet done.
      while (soon.size || inFlight.size) await Promise.allSettled([...soon.values(), ...inFlight.values()]);
    },
    async stop() {
      ac.abort(new Error('the hub is shutting down'));
      await Promise.allSettled([...soon.values(), ...inFlight.values()]);
      await boss?.stop({ graceful: true, wait: true, close: true, timeout: 10_000 });
    },
  };
}
