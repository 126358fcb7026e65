import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { JunctionError, LeaseLostError } from '../core/errors.ts';
import type { Execution, ExecutionCounts, ExecutionItem, ExecutionTrigger, SyncLink } from '../core/types.ts';
import { ZERO_COUNTS } from '../core/types.ts';
import { currentOwner, ownerIsGone as defaultOwnerIsGone } from '../engine/owner.ts';
import type { SendMail } from '../notify/mailer.ts';
import { notifyExecution } from '../notify/notify-execution.ts';
import type { BeginResult, RunPosition } from '../store/repositories/executions.ts';
import type { Store } from '../store/store.ts';
import { withStoreRetry } from '../store/transient.ts';
import { DEFAULT_RUN_CONFIG } from './run-config.ts';

/** What every execution (a task run or an import) needs to be begun, leased, closed and reported. */
export interface LifecycleOptions {
  store: Store;
  log: Logger;
  taskId: string;
  trigger: ExecutionTrigger;
  /** Holder of the run (`host:pid`). */
  owner?: string | undefined;
  /** The run lease (RunConfig.leaseMs): without a heartbeat for this long, another process may take over. */
  leaseMs?: number | undefined;
  ownerIsGone?: ((owner: string) => boolean) | undefined;
  /** Cancels the run (shutdown, Ctrl-C); it closes as `cancelled` and keeps its checkpoint. */
  signal?: AbortSignal | undefined;
  /** False for runs that cannot be resumed (imports): a failed one clears its resume point. */
  resumable?: boolean;
  /** Refused for a full workspace, the caller asks again within `holdMs`: the refusal keeps its place in line. */
  waitInLine?: { holdMs: number } | undefined;
  /** Records expected, for progress bars (null: unknown). */
  total?: number | null;
  onBegin?: ((execution: Execution) => void) | undefined;
  onProgress?:
    | ((p: { execution: Execution; counts: ExecutionCounts; total: number | null }) => void)
    | undefined;
  onFinish?: ((execution: Execution) => void) | undefined;
  /** Replaces the SMTP transport of the settings for the outcome mail (tests). */
  send?: SendMail | undefined;
  /** Extra fields on every log line of the run. */
  logFields?: Record<string, unknown>;
}

/** A begun execution as the run's body sees it. */
export interface RunningExecution {
  execution: Execution;
  begun: BeginResult;
  /** Counts so far; the body adds to them, every commit records them. */
  counts: ExecutionCounts;
  /** Aborted on cancellation and when the lease is lost. */
  signal: AbortSignal;
  log: Logger;
  /** Throws LeaseLostError unless the run still holds its lease: call before every write to another system. */
  fence(): Promise<void>;
  /** Records one page (items, links, counts, resume position) atomically, fenced by the lease. */
  commit(p: {
    items: Omit<ExecutionItem, 'executionId'>[];
    links: SyncLink[];
    position: RunPosition | null;
  }): Promise<void>;
}

/** How the body ended when it did not throw: where the next incremental run starts (absent: unchanged). */
export interface RunEnd {
  watermark?: Record<string, unknown> | null;
  /** The run ends as `warning` with this on the execution, though no record failed (the deletion guard). */
  warning?: { code: string; message: string };
}

/**
 * The one execution lifecycle of Junction, for task runs and imports alike: begin (closing a crashed
 * predecessor, refusing a live one), heartbeat the lease, commit pages fenced by the lease, close as
 * succeeded/warning/failed/cancelled, and mail the outcome. A run that lost its lease stops at its next
 * fence and leaves the execution to the process that took it over. Never leaves an execution running
 * unless the process itself dies; the next begin then closes it and resumes from the checkpoint.
 */
export async function runExecution(
  o: LifecycleOptions,
  body: (run: RunningExecution) => Promise<RunEnd>,
): Promise<Execution> {
  const { store } = o;
  const leaseMs = o.leaseMs ?? DEFAULT_RUN_CONFIG.leaseMs;
  const begun = await store.executions.begin({
    taskId: o.taskId,
    trigger: o.trigger,
    owner: o.owner ?? currentOwner(),
    staleAfterMs: leaseMs,
    ownerIsGone: o.ownerIsGone ?? defaultOwnerIsGone,
    ...(o.waitInLine ? { waitInLine: o.waitInLine } : {}),
  });
  const execution = begun.execution;
  o.onBegin?.(execution);
  const log = o.log.child({ executionId: execution.id, taskId: o.taskId, ...o.logFields });
  const counts: ExecutionCounts = { ...ZERO_COUNTS };
  const abort = new AbortController();
  // Every in-flight request and back-off listens on this signal; concurrency makes more than Node's default 10.
  setMaxListeners(200, abort.signal);
  const onOuterAbort = () => abort.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (begun.resume)
    log.info({ resumedFrom: begun.resume.executionId }, 'resuming a run that stopped before it finished');

  let lost: LeaseLostError | null = null;
  const lose = (err: LeaseLostError) => {
    if (lost) return;
    lost = err;
    log.error({ code: err.code }, `${err.message}; this process stops the run without writing more`);
    abort.abort(err);
  };
  // When the latest renewal was *sent*: the lease it wrote ends no earlier than `lastBeat + leaseMs`. The
  // run gives up at three quarters of that, so another process's clock may run ahead by a quarter lease.
  let lastBeat = Date.now();
  const lapsed = () => Date.now() - lastBeat > leaseMs * 0.75;

  // The heartbeat renews the lease; a failed one is logged and tried again soon. If it cannot be renewed
  // for a whole lease, another process may already have taken over: the run stops.
  const beatEvery = Math.max(200, Math.min(10_000, Math.floor(leaseMs / 4)));
  let beatTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const beat = async () => {
    let next = beatEvery;
    try {
      const held = await store.executions.heartbeat(execution.id, leaseMs);
      // The run closed its own execution while this beat was on its way: nothing was lost.
      if (stopped) return;
      if (!held)
        return lose(new LeaseLostError(`execution ${execution.id} was taken over by another process`));
      lastBeat = Date.now();
    } catch (err) {
      if (stopped) return;
      next = Math.min(1_000, beatEvery);
      log.warn({ err }, 'renewing the run lease failed; trying again');
      if (lapsed())
        return lose(
          new LeaseLostError(`the lease of execution ${execution.id} could not be renewed for ${leaseMs} ms`),
        );
    }
    if (!stopped) {
      beatTimer = setTimeout(() => void beat(), next);
      beatTimer.unref();
    }
  };
  beatTimer = setTimeout(() => void beat(), beatEvery);
  beatTimer.unref();
  // A renewal that hangs (a starved pool, a stalled database) must not keep the run writing: the watchdog
  // stops it once the lease it last wrote is running out, whatever the heartbeat is doing.
  const watchdog = setInterval(() => {
    if (!stopped && lapsed())
      lose(new LeaseLostError(`the lease of execution ${execution.id} could not be renewed in time`));
  }, beatEvery);
  watchdog.unref();

  const fence = async () => {
    if (lost) throw lost;
    if (lapsed())
      lose(new LeaseLostError(`the lease of execution ${execution.id} lapsed before the next write`));
    else if (!(await withStoreRetry(() => store.executions.holdsLease(execution.id))))
      lose(new LeaseLostError(`execution ${execution.id} was taken over by another process`));
    if (lost) throw lost;
  };
  let page = 0;
  const commit: RunningExecution['commit'] = async (p) => {
    if (lost) throw lost;
    const n = ++page;
    const sentAt = Date.now();
    try {
      // A database restart mid-run costs a retry, not the run; the page number keeps a retried commit
      // whose first COMMIT did go through from recording the page twice.
      await withStoreRetry(() =>
        store.executions.commitPage({
          executionId: execution.id,
          taskId: o.taskId,
          counts,
          items: p.items,
          links: p.links,
          position: p.position,
          page: n,
          leaseMs,
        }),
      );
    } catch (err) {
      if (err instanceof LeaseLostError) lose(err);
      throw err;
    }
    lastBeat = sentAt;
    o.onProgress?.({ execution, counts: { ...counts }, total: o.total ?? null });
  };

  let closedHere = false;
  const stopBeating = () => {
    stopped = true;
    if (beatTimer) clearTimeout(beatTimer);
    clearInterval(watchdog);
  };
  try {
    const end = await body({ execution, begun, counts, signal: abort.signal, log, fence, commit });
    stopBeating();
    const status = counts.failed > 0 || end.warning ? 'warning' : 'succeeded';
    const closed = await withStoreRetry(() =>
      store.executions.finish({
        executionId: execution.id,
        taskId: o.taskId,
        status,
        counts,
        ...(end.warning ? { error: end.warning } : {}),
        completed: true,
        ...(end.watermark !== undefined ? { watermark: end.watermark } : {}),
      }),
    );
    closedHere = closed;
    if (closed) log.info({ counts, status }, 'run finished');
    else lose(new LeaseLostError(`execution ${execution.id} was taken over before it could be closed`));
  } catch (err) {
    stopBeating();
    if (lost || err instanceof LeaseLostError) {
      const reason = lost ?? (err as LeaseLostError);
      lose(reason);
      // Closed unless another process took the run over (the close is fenced): a lease that merely
      // lapsed, with no one taking over, must not leave the execution running.
      closedHere = await withStoreRetry(() =>
        store.executions.finish({
          executionId: execution.id,
          taskId: o.taskId,
          status: 'failed',
          counts,
          error: { code: reason.code, message: reason.message },
        }),
      ).catch((e) => {
        log.error({ err: e }, 'closing the execution after its lease lapsed failed');
        return false;
      });
    } else {
      const cancelled = abort.signal.aborted;
      const code = err instanceof JunctionError ? err.code : cancelled ? 'cancelled' : 'internal_error';
      log.error({ err, code }, 'run failed');
      // A resumable run keeps its checkpoint: the next one continues where this one stopped.
      closedHere = await withStoreRetry(() =>
        store.executions.finish({
          executionId: execution.id,
          taskId: o.taskId,
          status: cancelled ? 'cancelled' : 'failed',
          counts,
          error: { code, message: (err as Error).message ?? String(err) },
          completed: o.resumable === false,
        }),
      );
    }
  } finally {
    stopBeating();
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
  const finished = await store.executions.get(execution.id);
  o.onFinish?.(finished);
  // Only the process that closed the execution reports it: a run taken over leaves that to the taker.
  if (closedHere) await notifyExecution({ store, log: o.log, execution: finished, send: o.send });
  return finished;
}
