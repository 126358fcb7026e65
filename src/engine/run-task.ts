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
import { assignmentsOf, jobScope, linkView, usesLink } from './assignments.ts';
import { flushPendingAssociations } from './associations.ts';
import { currentOwner, ownerIsGone as defaultOwnerIsGone } from './owner.ts';
import { type PageOutcome, type ProcessContext, processRecords } from './process-records.ts';
import { secretSaver, sourceFields, sourcePaths } from './source-fields.ts';

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

/** The checkpoint key naming the assignment a multi-assignment run stopped in. */
const ASSIGNMENT_KEY = '_assignment';

function withoutAssignment(position: Cursor | null): Cursor | null {
  if (!position) return null;
  const { [ASSIGNMENT_KEY]: _, ...rest } = position;
  return Object.keys(rest).length ? rest : null;
}

/**
 * The filter in memory, for pages the source could not filter (completely): with the record's sync link
 * when the filter reads `link.*` (one store query per page).
 */
function inMemoryFilter(
  ctx: ProcessContext,
  filter: Expr | null,
): (records: SourceRecord[], rest?: Expr) => Promise<SourceRecord[]> {
  return async (records, rest) => {
    const expr = rest ?? filter;
    if (!expr) return records;
    const now = new Date();
    const links = usesLink(expr)
      ? await withStoreRetry(() =>
          ctx.store.syncLinks.getMany(
            ctx.scope,
            records.map((r) => r.key),
          ),
        )
      : null;
    return records.filter((r) =>
      matches(expr, { record: r.data, now, ...ctx.expression, link: linkView(links?.get(r.key)) }),
    );
  };
}

function compileFilter(mapping: MappingDefinition): Expr | null {
  if (!mapping.filter?.trim()) return null;
  try {
    return prepareExpression(mapping.filter);
  } catch (err) {
    throw new TaskSetupError(`the filter of mapping '${mapping.id}' is invalid: ${(err as Error).message}`, {
      cause: err,
    });
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
  const heartbeat = setInterval(
    () => void store.executions.heartbeat(execution.id).catch(() => {}),
    HEARTBEAT_MS,
  );
  heartbeat.unref();
  const connectors: Connector[] = [];

  const multi = (mapping.assignments?.length ?? 0) > 0;
  const base = (
    begun.resume ? begun.resume.base : task.mode === 'incremental' && !multi ? begun.watermark : null
  ) as Cursor | null;
  let position = (begun.resume?.position ?? base) as Cursor | null;
  if (begun.resume)
    runLog.info({ resumedFrom: begun.resume.executionId }, 'resuming a run that stopped before it finished');

  try {
    const rt: ConnectorRuntime = {
      log: runLog,
      signal: abort.signal,
      onCall: o.onCall,
      saveSecret: secretSaver(store),
    };
    const make = o.connectorFactory ?? createConnector;
    const opened = new Map<string, Connector>();
    const connectorOf = async (connectionId: string) => {
      let c = opened.get(connectionId);
      if (!c) {
        c = make(await store.connections.get(connectionId), rt);
        opened.set(connectionId, c);
        connectors.push(c);
      }
      return c;
    };
    const assignments = assignmentsOf(mapping);
    const single = assignments.length === 1;
    const expression = { params: task.params ?? {}, job: await jobScope(store, task, execution.id) };
    const report = () => o.onProgress?.({ execution, counts: { ...counts }, total: null });
    const runStart = new Date();
    let pagesCommitted = 0;
    // Several assignments read in full (their filters select, e.g. by job.last_success); a resumed run
    // continues at the assignment and position it stopped at.
    const resumeAt = single ? 0 : Number((position as Record<string, unknown> | null)?.[ASSIGNMENT_KEY] ?? 0);
    let first: ProcessContext | null = null;

    for (const [index, assignment] of assignments.entries()) {
      if (index < resumeAt) continue;
      const source = await connectorOf(assignment.source.connectionId);
      const target = await connectorOf(assignment.target.connectionId);
      const filter = compileFilter(assignment);
      const ctx: ProcessContext = {
        signal: abort.signal,
        mapping: assignment,
        source,
        target,
        filter,
        map: compileMapping(assignment.fields),
        expression,
        store,
        executionId: execution.id,
        counts,
        log: runLog,
        hooks: o.hooks ?? {},
        scope: {
          sourceConnectionId: assignment.source.connectionId,
          sourceObject: assignment.source.object,
          targetConnectionId: assignment.target.connectionId,
          targetObject: assignment.target.object,
        },
      };
      first ??= ctx;
      const commit = async (outcome: PageOutcome, cursor: Cursor | null) => {
        if (cursor) position = single ? cursor : { ...cursor, [ASSIGNMENT_KEY]: index };
        const page = ++pagesCommitted;
        // A database restart mid-run costs a retry, not the run; the page number keeps a retried commit
        // whose first COMMIT did go through from recording the page twice.
        await withStoreRetry(() =>
          store.executions.commitPage({
            executionId: execution.id,
            taskId,
            counts,
            items: outcome.items,
            links: outcome.links,
            position: cursor ? { base, position: position as Cursor } : null,
            page,
          }),
        );
        await o.hooks?.afterCommit?.();
        report();
      };
      const after = single ? position : index === resumeAt ? withoutAssignment(position) : null;
      const keep = inMemoryFilter(ctx, filter);

      const pages = source
        .read(assignment.source.object, {
          keyField: assignment.source.key,
          // Only an incremental read orders by the modified column (and so skips rows where it is empty);
          // a full read goes by key and sees every row.
          modifiedField: task.mode === 'incremental' && single ? assignment.source.modifiedField : undefined,
          after: after ?? undefined,
          filter: filter ?? undefined,
          fields: sourceFields(assignment),
          paths: sourcePaths(assignment),
          expression,
        })
        [Symbol.asyncIterator]();
      // Read one page ahead so the source query overlaps the target's writes.
      let next = pages.next();
      for (;;) {
        const result = await next;
        if (result.done) break;
        next = pages.next();
        next.catch(() => {}); // surfaced when awaited on the next turn
        const page = result.value;
        counts.read += page.records.length;
        const records = filter && !page.filtered ? await keep(page.records, page.rest) : page.records;
        counts.filtered += page.records.length - records.length;
        await o.hooks?.afterRead?.();
        await commit(await processRecords(ctx, records), page.cursor);
      }

      // An incremental run only sees changed records; records that failed before get another try here.
      if (task.mode === 'incremental' && source.readByKeys) {
        const retry = await store.syncLinks.retryKeys(ctx.scope, { syncedBefore: runStart });
        for (let i = 0; i < retry.length; i += 500) {
          const found = await source.readByKeys(
            assignment.source.object,
            assignment.source.key,
            retry.slice(i, i + 500),
          );
          counts.read += found.length;
          const kept = filter ? await keep(found) : found;
          counts.filtered += found.length - kept.length;
          await commit(await processRecords(ctx, kept), null);
        }
      }
    }

    // Associations whose related record was not in the target yet may be writable now.
    if (first) await flushPendingAssociations(first);

    const status = counts.failed > 0 ? 'warning' : 'succeeded';
    await withStoreRetry(() =>
      store.executions.finish({
        executionId: execution.id,
        taskId,
        status,
        counts,
        completed: true,
        // A full run reads in the same order but may use another cursor shape; it leaves the watermark alone.
        ...(task.mode === 'incremental' && single ? { watermark: position ?? null } : {}),
      }),
    );
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
