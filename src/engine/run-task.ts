import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Connector, Cursor, SourceRecord } from '../connectors/connector.ts';
import type { ConnectorRuntime } from '../connectors/registry.ts';
import { createConnector } from '../connectors/registry.ts';
import { JunctionError } from '../core/errors.ts';
import type { Expr } from '../core/expression/ast.ts';
import { matches, prepareExpression } from '../core/expression/index.ts';
import { compileMapping } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Connection, Execution, ExecutionCounts, ExecutionTrigger, Task } from '../core/types.ts';
import { ZERO_COUNTS } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { withStoreRetry } from '../store/transient.ts';
import { ownerIsGone as defaultOwnerIsGone, currentOwner } from './owner.ts';
import { flushPendingAssociations } from './associations.ts';
import { type PageOutcome, processRecords } from './process-records.ts';
import { secretSaver, sourceFields } from './source-fields.ts';

export interface RunOptions {
  store: Store;
  log: Logger;
  trigger?: ExecutionTrigger;
  owner?: string;
  signal?: AbortSignal;
  /** A running execution without a heartbeat for this long is taken as crashed (default 2 min). */
  staleAfterMs?: number;
  ownerIsGone?: (owner: string) => boolean;
  /** Called with the finished execution (metrics). */
  onFinish?: (execution: Execution) => void;
  /** Called once the execution exists (before any record is read). */
  onBegin?: (execution: Execution) => void;
  /** Called after every committed page with the counts so far. */
  onProgress?: (p: { execution: Execution; counts: ExecutionCounts; total: number | null }) => void;
  onCall?: ConnectorRuntime['onCall'];
  /** Replaces connector construction (tests, benchmarks with in-memory connectors). */
  connectorFactory?: (connection: Connection, rt: ConnectorRuntime) => Connector;
  /** Tests only: called between the steps of a page, to crash the process at a chosen point. */
  hooks?: RunHooks;
}

/** Points between the steps of a page (see failpoints.ts). */
export interface RunHooks {
  afterRead?: () => void | Promise<void>;
  afterWrite?: () => void | Promise<void>;
  afterMarks?: () => void | Promise<void>;
  afterCommit?: () => void | Promise<void>;
}

const HEARTBEAT_MS = 10_000;

/** A problem with the task's setup (not with one record): the run fails before touching anything. */
export class TaskSetupError extends JunctionError {
  override readonly code = 'task_setup_invalid';
}

function compileFilter(mapping: MappingDefinition): Expr | null {
  if (!mapping.filter?.trim()) return null;
  try {
    return prepareExpression(mapping.filter);
  } catch (err) {
    throw new TaskSetupError(`the filter of mapping '${mapping.id}' is invalid: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Runs one task once, as DESIGN §4 describes: read pages → filter → map → hash-diff → write in batches →
 * mark → commit a checkpoint per page. Returns the finished execution; never leaves it "running" unless the
 * process itself dies, and then the next run closes it and resumes from its last checkpoint.
 */
export async function runTask(taskId: string, o: RunOptions): Promise<Execution> {
  const { store, log } = o;
  const task: Task = await store.tasks.get(taskId);
  const mapping = await store.mappings.get(task.mappingId);
  const begun = await store.executions.begin({
    taskId,
    trigger: o.trigger ?? 'manual',
    owner: o.owner ?? currentOwner(),
    staleAfterMs: o.staleAfterMs ?? 120_000,
    ownerIsGone: o.ownerIsGone ?? defaultOwnerIsGone,
  });
  const execution = begun.execution;
  o.onBegin?.(execution);
  const runLog = log.child({ executionId: execution.id, taskId });
  const counts: ExecutionCounts = { ...ZERO_COUNTS };
  const abort = new AbortController();
  // Every in-flight request and back-off listens on this signal; concurrency makes more than Node's default 10.
  setMaxListeners(200, abort.signal);
  const onOuterAbort = () => abort.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const heartbeat = setInterval(() => void store.executions.heartbeat(execution.id).catch(() => {}), HEARTBEAT_MS);
  heartbeat.unref();
  const connectors: Connector[] = [];

  const base = (begun.resume ? begun.resume.base : task.mode === 'incremental' ? begun.watermark : null) as Cursor | null;
  let position = (begun.resume?.position ?? base) as Cursor | null;
  if (begun.resume) runLog.info({ resumedFrom: begun.resume.executionId }, 'resuming a run that stopped before it finished');

  try {
    const [sourceConn, targetConn] = await Promise.all([
      store.connections.get(mapping.source.connectionId),
      store.connections.get(mapping.target.connectionId),
    ]);
    const rt: ConnectorRuntime = { log: runLog, signal: abort.signal, onCall: o.onCall, saveSecret: secretSaver(store) };
    const make = o.connectorFactory ?? createConnector;
    const source = make(sourceConn, rt);
    connectors.push(source);
    const target = make(targetConn, rt);
    connectors.push(target);
    const filter = compileFilter(mapping);
    const ctx = {
      mapping,
      source,
      target,
      filter,
      map: compileMapping(mapping.fields),
      store,
      executionId: execution.id,
      counts,
      log: runLog,
      hooks: o.hooks ?? {},
      scope: {
        sourceConnectionId: mapping.source.connectionId,
        sourceObject: mapping.source.object,
        targetConnectionId: mapping.target.connectionId,
        targetObject: mapping.target.object,
      },
    };
    const total = null;
    const report = () => o.onProgress?.({ execution, counts: { ...counts }, total });
    const runStart = new Date();

    const commit = async (outcome: PageOutcome, cursor: Cursor | null) => {
      if (cursor) position = cursor;
      // A database restart mid-run costs a retry, not the run.
      await withStoreRetry(() =>
        store.executions.commitPage({
          executionId: execution.id,
          taskId,
          counts,
          items: outcome.items,
          links: outcome.links,
          position: cursor ? { base, position: cursor } : null,
        }),
      );
      await o.hooks?.afterCommit?.();
      report();
    };

    const pages = source.read(mapping.source.object, {
      keyField: mapping.source.key,
      modifiedField: mapping.source.modifiedField,
      after: position ?? undefined,
      filter: filter ?? undefined,
      fields: sourceFields(mapping),
    })[Symbol.asyncIterator]();
    // Read one page ahead so the source query overlaps the target's writes.
    let next = pages.next();
    for (;;) {
      const result = await next;
      if (result.done) break;
      next = pages.next();
      next.catch(() => {}); // surfaced when awaited on the next turn
      const page = result.value;
      counts.read += page.records.length;
      let records: SourceRecord[] = page.records;
      if (filter && !page.filtered) {
        const now = new Date();
        records = page.records.filter((r) => matches(filter, { record: r.data, now }));
      }
      counts.filtered += page.records.length - records.length;
      await o.hooks?.afterRead?.();
      await commit(await processRecords(ctx, records), page.cursor);
    }

    // An incremental run only sees changed records; records that failed before get another try here.
    if (task.mode === 'incremental' && source.readByKeys) {
      const retry = await store.syncLinks.retryKeys(ctx.scope, { syncedBefore: runStart });
      for (let i = 0; i < retry.length; i += 500) {
        const found = await source.readByKeys(mapping.source.object, mapping.source.key, retry.slice(i, i + 500));
        counts.read += found.length;
        const now = new Date();
        const kept = filter ? found.filter((r) => matches(filter, { record: r.data, now })) : found;
        counts.filtered += found.length - kept.length;
        await commit(await processRecords(ctx, kept), null);
      }
    }

    // Associations whose related record was not in the target yet may be writable now.
    await flushPendingAssociations(ctx);

    const status = counts.failed > 0 ? 'warning' : 'succeeded';
    await withStoreRetry(() => store.executions.finish({
      executionId: execution.id,
      taskId,
      status,
      counts,
      completed: true,
      // A full run reads in the same order but may use another cursor shape; it leaves the watermark alone.
      ...(task.mode === 'incremental' ? { watermark: position ?? null } : {}),
    }));
    runLog.info({ counts, status }, 'run finished');
  } catch (err) {
    const cancelled = abort.signal.aborted;
    const code = err instanceof JunctionError ? err.code : cancelled ? 'cancelled' : 'internal_error';
    const message = (err as Error).message ?? String(err);
    runLog.error({ err, code }, 'run failed');
    // Keeps the checkpoint: the next run continues where this one stopped.
    await withStoreRetry(() =>
      store.executions.finish({
        executionId: execution.id,
        taskId,
        status: cancelled ? 'cancelled' : 'failed',
        counts,
        error: { code, message },
      }),
    );
  } finally {
    clearInterval(heartbeat);
    o.signal?.removeEventListener('abort', onOuterAbort);
    await Promise.allSettled(connectors.map((c) => c.close?.()));
  }
  const finished = await store.executions.get(execution.id);
  o.onFinish?.(finished);
  return finished;
}
