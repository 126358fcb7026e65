import type { Logger } from 'pino';
import type { Connector, Cursor, SourceRecord } from '../connectors/connector.ts';
import type { LimiterProvider } from '../connectors/rate-limiter.ts';
import type { ConnectorRuntime } from '../connectors/registry.ts';
import { createConnector } from '../connectors/registry.ts';
import type { DryRunItem, DryRunResult } from '../core/dry-run.ts';
import { JunctionError } from '../core/errors.ts';
import type { Expr } from '../core/expression/ast.ts';
import { matches, prepareExpression } from '../core/expression/index.ts';
import { compileMapping } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Connection, Execution, ExecutionCounts, ExecutionTrigger, Task } from '../core/types.ts';
import { ZERO_COUNTS } from '../core/types.ts';
import type { SendMail } from '../notify/mailer.ts';
import { type LifecycleOptions, runExecution } from '../runs/execution-lifecycle.ts';
import { limitersFor, workspaceShareOf } from '../runs/limiters.ts';
import type { RunPosition } from '../store/repositories/executions.ts';
import type { Store } from '../store/store.ts';
import { withStoreRetry } from '../store/transient.ts';
import { assignmentsOf, jobScope, linkView, usesLink } from './assignments.ts';
import { flushPendingAssociations } from './associations.ts';
import { type PageOutcome, type ProcessContext, processRecords } from './process-records.ts';
import { type DeletionGuardHit, propagateSourceDeletions } from './source-deletions.ts';
import { secretSaver, sourceFields, sourcePaths } from './source-fields.ts';
import { type PageJournal, pageJournal } from './write-journal.ts';

export type { DryRunItem, DryRunResult };

export interface RunOptions {
  store: Store;
  log: Logger;
  trigger?: ExecutionTrigger;
  owner?: string;
  signal?: AbortSignal;
  /** The run lease (RunConfig.leaseMs; default 2 min). */
  leaseMs?: number;
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
  /** Connection budgets (default: the store's, shared across processes on PostgreSQL). */
  limiters?: LimiterProvider;
  /** Replaces the SMTP transport for the outcome mail (tests). */
  send?: SendMail;
  /** Tests only: called between the steps of a page, to crash the process at a chosen point. */
  hooks?: RunHooks;
  /** An admin confirmed deletions beyond the task's mass-deletion guard for this run. */
  confirmDeletes?: boolean;
  /** Refused for a full workspace, the caller asks again within `holdMs`: it keeps its place in line. */
  waitInLine?: { holdMs: number } | undefined;
}

/** Points between the steps of a page (see failpoints.ts). */
export interface RunHooks {
  afterRead?: () => void | Promise<void>;
  afterWrite?: () => void | Promise<void>;
  afterMarks?: () => void | Promise<void>;
  afterCommit?: () => void | Promise<void>;
}

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
 * when the filter reads `link.*` (one store query per page), the task's params and `job.*`. Run, dry run,
 * preview and import all select records through this one function.
 */
export function inMemoryFilter(
  ctx: Pick<ProcessContext, 'store' | 'scope' | 'expression'>,
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

/** The mapping's filter, compiled; an invalid one is a setup error of the task. */
export function compileFilter(mapping: MappingDefinition): Expr | null {
  if (!mapping.filter?.trim()) return null;
  try {
    return prepareExpression(mapping.filter);
  } catch (err) {
    throw new TaskSetupError(`the filter of mapping '${mapping.id}' is invalid: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The link scope of one assignment: the pair of objects its sync links connect. */
export function scopeOf(mapping: MappingDefinition): ProcessContext['scope'] {
  return {
    sourceConnectionId: mapping.source.connectionId,
    sourceObject: mapping.source.object,
    targetConnectionId: mapping.target.connectionId,
    targetObject: mapping.target.object,
  };
}

/** Where a run of the task starts: a crashed run's resume point, else (incremental, one assignment) the watermark. */
function startOf(
  task: Task,
  mapping: MappingDefinition,
  checkpoint: { resume: RunPosition | null; watermark: Record<string, unknown> | null },
): { base: Cursor | null; position: Cursor | null } {
  const multi = (mapping.assignments?.length ?? 0) > 0;
  const base = (
    checkpoint.resume
      ? checkpoint.resume.base
      : task.mode === 'incremental' && !multi
        ? checkpoint.watermark
        : null
  ) as Cursor | null;
  return { base, position: (checkpoint.resume?.position ?? base) as Cursor | null };
}

/** What one pass over a task's assignments needs: the real run and the dry run differ only in these. */
interface SyncSetup {
  store: Store;
  log: Logger;
  task: Task;
  mapping: MappingDefinition;
  signal: AbortSignal;
  counts: ExecutionCounts;
  connectorOf: (connectionId: string) => Promise<Connector>;
  expression: NonNullable<ProcessContext['expression']>;
  start: { base: Cursor | null; position: Cursor | null };
  executionId: string;
  hooks: RunHooks;
  /** Plan instead of writing: no target call that changes data, no marks, no links, no associations. */
  dryRun: boolean;
  fence: () => Promise<void>;
  commit: (outcome: PageOutcome, position: RunPosition | null) => Promise<void>;
  /** Stop reading once this many records were read (dry runs over the API). */
  maxRecords?: number;
  /** Deletions beyond the mass-deletion guard were confirmed for this run. */
  confirmDeletes: boolean;
  /** The task's write journal (real runs); settled after every page commit. */
  journal?: PageJournal;
}

/**
 * The page pipeline of a task, as DESIGN §4 describes: for each assignment read pages → filter → map →
 * hash-diff → write in batches (or plan them) → mark → commit a checkpoint per page; then retry what an
 * incremental run did not read, and flush associations. Returns the position reached and whether
 * `maxRecords` cut the read short.
 */
async function syncAssignments(
  s: SyncSetup,
): Promise<{ position: Cursor | null; truncated: boolean; warning: DeletionGuardHit | null }> {
  const { task, mapping, counts, store } = s;
  const assignments = assignmentsOf(mapping);
  const single = assignments.length === 1;
  const base = s.start.base;
  let position = s.start.position;
  const runStart = new Date();
  // Several assignments read in full (their filters select, e.g. by job.last_success); a resumed run
  // continues at the assignment and position it stopped at.
  const resumeAt = single ? 0 : Number((position as Record<string, unknown> | null)?.[ASSIGNMENT_KEY] ?? 0);
  let first: ProcessContext | null = null;
  let warning: DeletionGuardHit | null = null;
  const planned = new Map<string, string>();
  const full = () => s.maxRecords !== undefined && counts.read >= s.maxRecords;

  for (const [index, assignment] of assignments.entries()) {
    if (index < resumeAt) continue;
    const source = await s.connectorOf(assignment.source.connectionId);
    const target = await s.connectorOf(assignment.target.connectionId);
    const filter = compileFilter(assignment);
    const ctx: ProcessContext = {
      signal: s.signal,
      mapping: assignment,
      source,
      target,
      filter,
      map: compileMapping(assignment.fields),
      expression: s.expression,
      store,
      executionId: s.executionId,
      counts,
      log: s.log,
      hooks: s.hooks,
      scope: scopeOf(assignment),
      dryRun: s.dryRun,
      planned,
      fence: s.fence,
      ...(s.journal ? { journal: s.journal } : {}),
    };
    first ??= ctx;
    const commit = async (outcome: PageOutcome, cursor: Cursor | null) => {
      if (cursor) position = single ? cursor : { ...cursor, [ASSIGNMENT_KEY]: index };
      await s.commit(outcome, cursor ? { base, position: position as Cursor } : null);
      await s.journal?.settle();
      await s.hooks.afterCommit?.();
    };
    const after = single ? position : index === resumeAt ? withoutAssignment(position) : null;
    const keep = inMemoryFilter(ctx, filter);
    // Source deletions are found by a full run of the mapping's own assignment that read from the start.
    const findDeletions = index === 0 && task.mode === 'full' && !after && assignment.deletes !== 'ignore';
    // The keys read that a later step needs. Finding source deletions compares every key read, and so does a dry
    // run's retry (it leaves links as they were). A real run's retry skips the records it processed by their links
    // (synced since the run began), so it needs only the keys the filter dropped: keeping every key cost a
    // 1 000 000-row incremental run ~55 MB of heap (bench: peak RSS).
    const everyKey = findDeletions || s.dryRun;
    const seen = new Set<string>();

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
        expression: s.expression,
      })
      [Symbol.asyncIterator]();
    // Read one page ahead so the source query overlaps the target's writes.
    let next = pages.next();
    for (;;) {
      const result = await next;
      if (result.done) break;
      const page = result.value;
      counts.read += page.records.length;
      if (everyKey) for (const r of page.records) seen.add(r.key);
      const records = filter && !page.filtered ? await keep(page.records, page.rest) : page.records;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: its true, <= and || mutants are equivalent — the loop adds only keys the filter dropped, and every key when all are kept anyway; the condition only saves the loop
      if (!everyKey && records.length < page.records.length) {
        const kept = new Set(records);
        for (const r of page.records) if (!kept.has(r)) seen.add(r.key);
      }
      counts.filtered += page.records.length - records.length;
      if (full()) {
        await commit(await processRecords(ctx, records), page.cursor);
        await pages.return?.(undefined); // releases the source's cursor
        return { position, truncated: true, warning };
      }
      next = pages.next();
      next.catch(() => {}); // surfaced when awaited on the next turn
      await s.hooks.afterRead?.();
      await commit(await processRecords(ctx, records), page.cursor);
    }

    if (findDeletions) {
      warning = await propagateSourceDeletions(ctx, {
        task,
        seen,
        readUnfiltered: !filter,
        confirmed: s.confirmDeletes,
        commit: (outcome) => commit(outcome, null),
      });
    }

    // An incremental run only sees changed records; records that failed before get another try here.
    if (task.mode === 'incremental' && source.readByKeys) {
      // Records this run already handled are not read twice (a dry run leaves their links as they were).
      const retry = (await store.syncLinks.retryKeys(ctx.scope, { syncedBefore: runStart })).filter(
        (k) => !seen.has(k),
      );
      for (let i = 0; i < retry.length && !full(); i += 500) {
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
  if (first && !s.dryRun) {
    await s.fence();
    await flushPendingAssociations(first);
  }
  return { position, truncated: false, warning };
}

/**
 * The store as the task's workspace sees it: a run reads and writes only there, so a mapping that names
 * another workspace's connection or related mapping (an id reused after a delete, a hand-edited file) finds
 * nothing (`not_found`) instead of another customer's system or links.
 */
export async function storeOfTask(store: Store, taskId: string): Promise<Store> {
  if (store.workspaceId !== undefined) return store;
  return store.inWorkspace(await store.tasks.workspaceOf(taskId));
}

/** Opens each connection's connector once for a run and closes them all at its end. */
function connectorPool(store: Store, rt: ConnectorRuntime, make: RunOptions['connectorFactory']) {
  const opened = new Map<string, Connector>();
  return {
    async connectorOf(connectionId: string): Promise<Connector> {
      let c = opened.get(connectionId);
      if (!c) {
        c = (make ?? createConnector)(await store.connections.get(connectionId), rt);
        opened.set(connectionId, c);
      }
      return c;
    },
    async close() {
      await Promise.allSettled([...opened.values()].map((c) => c.close?.()));
    },
  };
}

/**
 * Runs one task once through the one execution lifecycle (runs/execution-lifecycle.ts). Returns the
 * finished execution; never leaves it "running" unless the process itself dies, and then the next run
 * closes it and resumes from its last checkpoint.
 */
export async function runTask(taskId: string, given: RunOptions): Promise<Execution> {
  const store = await storeOfTask(given.store, taskId);
  const o: RunOptions = { ...given, store };
  const task: Task = await store.tasks.get(taskId);
  const mapping = await store.mappings.get(task.mappingId);
  const lifecycle: LifecycleOptions = {
    store,
    log: o.log,
    taskId,
    trigger: o.trigger ?? 'manual',
    owner: o.owner,
    leaseMs: o.leaseMs,
    ownerIsGone: o.ownerIsGone,
    signal: o.signal,
    onBegin: o.onBegin,
    onProgress: o.onProgress,
    onFinish: o.onFinish,
    send: o.send,
    waitInLine: o.waitInLine,
  };
  return runExecution(lifecycle, async (run) => {
    const pool = connectorPool(
      store,
      {
        log: run.log,
        signal: run.signal,
        onCall: o.onCall,
        saveSecret: secretSaver(store),
        limiters: o.limiters ?? limitersFor(store),
        // Tasks sharing an outside account are served in turn (a change-driven task beside an initial sync),
        // workspaces by their share first.
        party: taskId,
        workspace: await workspaceShareOf(store),
      },
      o.connectorFactory,
    );
    try {
      const start = startOf(task, mapping, { resume: run.begun.resume, watermark: run.begun.watermark });
      const single = assignmentsOf(mapping).length === 1;
      const { position, warning } = await syncAssignments({
        store,
        log: run.log,
        task,
        mapping,
        signal: run.signal,
        counts: run.counts,
        connectorOf: pool.connectorOf,
        expression: { params: task.params ?? {}, job: await jobScope(store, task, run.execution.id) },
        start,
        executionId: run.execution.id,
        hooks: o.hooks ?? {},
        dryRun: false,
        confirmDeletes: o.confirmDeletes ?? false,
        fence: run.fence,
        journal: pageJournal(store, taskId),
        commit: (outcome, p) => run.commit({ items: outcome.items, links: outcome.links, position: p }),
      });
      if (warning) run.log.warn({ details: warning.details }, warning.message);
      // A full run reads in the same order but may use another cursor shape; it leaves the watermark alone.
      return {
        ...(task.mode === 'incremental' && single ? { watermark: position ?? null } : {}),
        ...(warning ? { warning: { code: warning.code, message: warning.message } } : {}),
      };
    } finally {
      await pool.close();
    }
  });
}

/**
 * What the next run of the task would do, record by record, computed by the very pipeline the run uses
 * (same start point, params, `job.*`, `link.*`, relations, assignments, initial matching) with the writes
 * replaced by a plan: no target call that changes data, no marks, no sync links, no execution.
 */
export async function dryRunTask(
  store: Store,
  taskId: string,
  o: Pick<RunOptions, 'log' | 'connectorFactory' | 'onCall' | 'limiters' | 'signal' | 'confirmDeletes'> & {
    maxRecords?: number;
    maxItems?: number;
  },
): Promise<DryRunResult> {
  store = await storeOfTask(store, taskId);
  const task = await store.tasks.get(taskId);
  const mapping = await store.mappings.get(task.mappingId);
  const checkpoint = await store.executions.checkpoint(taskId);
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort(o.signal?.reason);
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent — a signal aborts once, so its listener runs once either way
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const pool = connectorPool(
    store,
    {
      log: o.log,
      signal: ac.signal,
      onCall: o.onCall,
      limiters: o.limiters ?? limitersFor(store),
      party: taskId,
      workspace: await workspaceShareOf(store),
    },
    o.connectorFactory,
  );
  const counts: ExecutionCounts = { ...ZERO_COUNTS };
  const items: DryRunItem[] = [];
  const maxItems = o.maxItems ?? Number.POSITIVE_INFINITY;
  try {
    const { truncated, warning } = await syncAssignments({
      store,
      log: o.log,
      task,
      mapping,
      signal: ac.signal,
      counts,
      connectorOf: pool.connectorOf,
      expression: { params: task.params ?? {}, job: await jobScope(store, task, '') },
      start: startOf(task, mapping, {
        resume: checkpoint?.inProgress ?? null,
        watermark: (checkpoint?.watermark ?? null) as Record<string, unknown> | null,
      }),
      executionId: '',
      hooks: {},
      dryRun: true,
      confirmDeletes: o.confirmDeletes ?? false,
      fence: async () => {},
      commit: async (outcome) => {
        for (const it of outcome.items) {
          if (items.length >= maxItems) break;
          if (
            it.action !== 'create' &&
            it.action !== 'update' &&
            it.action !== 'fail' &&
            it.action !== 'delete'
          )
            continue;
          items.push({
            sourceKey: it.sourceKey,
            action: it.action,
            externalId: it.targetId || null,
            payload: it.payload,
            ...(it.action === 'fail' ? { code: it.code ?? 'failed', message: it.message ?? '' } : {}),
          });
        }
      },
      ...(o.maxRecords !== undefined ? { maxRecords: o.maxRecords } : {}),
    });
    return {
      dryRun: true,
      counts,
      items,
      truncated,
      ...(warning ? { warning: { code: warning.code, message: warning.message } } : {}),
    };
  } finally {
    // Stryker disable next-line StringLiteral: equivalent — a listener left behind aborts a controller already aborted below
    o.signal?.removeEventListener('abort', onOuterAbort);
    ac.abort();
    await pool.close();
  }
}
