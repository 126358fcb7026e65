import type { Logger } from 'pino';
import type { Connector, SourceRecord } from '../connectors/connector.ts';
import { type ConnectorRuntime, createConnector } from '../connectors/registry.ts';
import { JunctionError } from '../core/errors.ts';
import { matches, prepareExpression } from '../core/expression/index.ts';
import { compileMapping } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Execution, ExecutionCounts, ExecutionItem } from '../core/types.ts';
import { ZERO_COUNTS } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import type { ConnectorFactory } from './open-mapping.ts';
import { currentOwner, ownerIsGone } from './owner.ts';
import { itemOf } from './plan.ts';
import { type PageOutcome, processRecords } from './process-records.ts';

/** One page of records that come from outside a connector (an uploaded file). */
export interface ImportPage {
  records: SourceRecord[];
  /** Records refused before the run (validation): recorded as failed items, never sent. */
  rejected: { key: string; row: number; code: string; message: string; payload: unknown }[];
  /** The file row of each record, by source key: `row 12` goes in front of its item message and link remark. */
  rowOf: Map<string, number>;
}

/** An execution item as a page records it. */
export type ImportItem = Omit<ExecutionItem, 'executionId'>;

/** What an import run needs besides its pages. */
export interface RunImportOptions {
  store: Store;
  log: Logger;
  /** The task the execution is recorded under (executions always belong to a task). */
  taskId: string;
  mapping: MappingDefinition;
  pages: AsyncIterable<ImportPage>;
  /** Records expected, for progress bars. */
  total?: number | null;
  signal?: AbortSignal;
  onBegin?: (execution: Execution) => void;
  onProgress?: (p: { execution: Execution; counts: ExecutionCounts; total: number | null }) => void;
  /** Called with the items of each page's records (not the rejected ones) once committed, e.g. to collect failed rows. */
  onItems?: (page: ImportPage, items: ImportItem[]) => void;
  onCall?: ConnectorRuntime['onCall'];
  connectorFactory?: ConnectorFactory;
}

const HEARTBEAT_MS = 10_000;

/** Records come from the pages, not from a connection, so the source side is a stub that is never read. */
function pageSource(): Connector {
  return {
    system: 'spreadsheet',
    limits: { batchSize: 500 },
    describe: async () => [],
    read: () => {
      throw new JunctionError('an import reads its records from the uploaded file');
    },
    write: async () => {
      throw new JunctionError('an import source cannot be written');
    },
    check: async () => ({ ok: true, message: 'uploaded file' }),
  };
}

/** Puts the file row in front of every item message and failed link's remark: people fix rows, not keys. */
function label(outcome: PageOutcome, rowOf: Map<string, number>): PageOutcome {
  for (const item of outcome.items) {
    const row = rowOf.get(item.sourceKey);
    if (row !== undefined) item.message = item.message ? `row ${row}: ${item.message}` : `row ${row}`;
  }
  for (const link of outcome.links) {
    const row = rowOf.get(link.sourceKey);
    if (row !== undefined && link.remark) link.remark = `row ${row}: ${link.remark}`;
  }
  return outcome;
}

/**
 * Runs a mapping over records handed in page by page (an import) as one execution with trigger
 * `import`: filter → map → hash-diff → write → record items and links, exactly as a task run does
 * through `processRecords`, minus reading a source connection, write-back marks and resume points.
 */
export async function runImport(o: RunImportOptions): Promise<Execution> {
  const { store, mapping } = o;
  const begun = await store.executions.begin({
    taskId: o.taskId,
    trigger: 'import',
    owner: currentOwner(),
    staleAfterMs: 120_000,
    ownerIsGone,
  });
  const execution = begun.execution;
  o.onBegin?.(execution);
  const log = o.log.child({ executionId: execution.id, taskId: o.taskId, import: true });
  const counts: ExecutionCounts = { ...ZERO_COUNTS };
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const heartbeat = setInterval(
    () => void store.executions.heartbeat(execution.id).catch(() => {}),
    HEARTBEAT_MS,
  );
  heartbeat.unref();
  let target: Connector | null = null;
  try {
    const filter = mapping.filter?.trim() ? prepareExpression(mapping.filter) : null;
    target = (o.connectorFactory ?? createConnector)(
      await store.connections.get(mapping.target.connectionId),
      {
        log,
        signal: abort.signal,
        onCall: o.onCall,
      },
    );
    const ctx = {
      mapping,
      source: pageSource(),
      target,
      filter,
      map: compileMapping(mapping.fields),
      store,
      executionId: execution.id,
      counts,
      log,
      hooks: {},
      scope: {
        sourceConnectionId: mapping.source.connectionId,
        sourceObject: mapping.source.object,
        targetConnectionId: mapping.target.connectionId,
        targetObject: mapping.target.object,
      },
    };
    for await (const page of o.pages) {
      abort.signal.throwIfAborted();
      counts.read += page.records.length + page.rejected.length;
      const now = new Date();
      const kept = filter
        ? page.records.filter((r) => matches(filter, { record: r.data, now }))
        : page.records;
      counts.filtered += page.records.length - kept.length;
      const { items, links } = label(await processRecords(ctx, kept), page.rowOf);
      const ofRecords = items.length;
      for (const r of page.rejected) {
        counts.failed++;
        items.push(
          itemOf(r.key, 'fail', { code: r.code, message: `row ${r.row}: ${r.message}`, payload: r.payload }),
        );
      }
      await store.executions.commitPage({
        executionId: execution.id,
        taskId: o.taskId,
        counts,
        items,
        links,
        position: null,
      });
      o.onItems?.(page, items.slice(0, ofRecords));
      o.onProgress?.({ execution, counts: { ...counts }, total: o.total ?? null });
    }
    const status = counts.failed > 0 ? 'warning' : 'succeeded';
    await store.executions.finish({
      executionId: execution.id,
      taskId: o.taskId,
      status,
      counts,
      completed: true,
    });
    log.info({ counts, status }, 'import finished');
  } catch (err) {
    const cancelled = abort.signal.aborted;
    const code = err instanceof JunctionError ? err.code : cancelled ? 'cancelled' : 'internal_error';
    log.error({ err, code }, 'import failed');
    await store.executions.finish({
      executionId: execution.id,
      taskId: o.taskId,
      status: cancelled ? 'cancelled' : 'failed',
      counts,
      error: { code, message: (err as Error).message ?? String(err) },
      completed: true,
    });
  } finally {
    clearInterval(heartbeat);
    o.signal?.removeEventListener('abort', onOuterAbort);
    await target?.close?.();
  }
  return store.executions.get(execution.id);
}
