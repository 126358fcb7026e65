import type { Logger } from 'pino';
import type { Connector, SourceRecord } from '../connectors/connector.ts';
import { type ConnectorRuntime, createConnector } from '../connectors/registry.ts';
import { JunctionError } from '../core/errors.ts';
import { compileMapping } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Execution, ExecutionCounts, ExecutionItem } from '../core/types.ts';
import { runExecution } from '../runs/execution-lifecycle.ts';
import { limitersFor, workspaceShareOf } from '../runs/limiters.ts';
import type { Store } from '../store/store.ts';
import type { ConnectorFactory } from './open-mapping.ts';
import { itemOf } from './plan.ts';
import { type PageOutcome, type ProcessContext, processRecords } from './process-records.ts';
import { compileFilter, inMemoryFilter, scopeOf } from './run-task.ts';

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
  /** The run lease (RunConfig.leaseMs). */
  leaseMs?: number;
}

// Stryker disable all: equivalent — the page pipeline never asks an import's source to describe, read, write or check
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
// Stryker restore all

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
 * `import`, through the one execution lifecycle and page pipeline of task runs (filter → map → hash-diff
 * → write → record items and links), minus reading a source connection, write-back marks and resume points.
 */
export async function runImport(o: RunImportOptions): Promise<Execution> {
  const { store, mapping } = o;
  return runExecution(
    {
      store,
      log: o.log,
      taskId: o.taskId,
      trigger: 'import',
      leaseMs: o.leaseMs,
      signal: o.signal,
      resumable: false,
      total: o.total ?? null,
      onBegin: o.onBegin,
      onProgress: o.onProgress,
      logFields: { import: true },
    },
    async (run) => {
      const filter = compileFilter(mapping);
      const target = (o.connectorFactory ?? createConnector)(
        await store.connections.get(mapping.target.connectionId),
        {
          log: run.log,
          signal: run.signal,
          onCall: o.onCall,
          limiters: limitersFor(store),
          party: o.taskId,
          workspace: await workspaceShareOf(store, o.taskId),
        },
      );
      try {
        const ctx: ProcessContext = {
          signal: run.signal,
          mapping,
          source: pageSource(),
          target,
          filter,
          map: compileMapping(mapping.fields),
          expression: { params: {}, job: { last_success: null, last_run: null } },
          store,
          executionId: run.execution.id,
          counts: run.counts,
          log: run.log,
          hooks: {},
          scope: scopeOf(mapping),
          fence: run.fence,
        };
        const keep = inMemoryFilter(ctx, filter);
        const counts = run.counts;
        for await (const page of o.pages) {
          run.signal.throwIfAborted();
          counts.read += page.records.length + page.rejected.length;
          const kept = await keep(page.records);
          counts.filtered += page.records.length - kept.length;
          const { items, links } = label(await processRecords(ctx, kept), page.rowOf);
          const ofRecords = items.length;
          for (const r of page.rejected) {
            counts.failed++;
            items.push(
              itemOf(r.key, 'fail', {
                code: r.code,
                message: `row ${r.row}: ${r.message}`,
                payload: r.payload,
              }),
            );
          }
          await run.commit({ items, links, position: null });
          o.onItems?.(page, items.slice(0, ofRecords));
        }
        return {};
      } finally {
        await target.close?.();
      }
    },
  );
}
