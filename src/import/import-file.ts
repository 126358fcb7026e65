import type { Logger } from 'pino';
import type { FieldDescription, SourceRecord } from '../connectors/connector.ts';
import { CONNECTORS, createConnector } from '../connectors/registry.ts';
import { keyOf } from '../connectors/spreadsheet/index.ts';
import type { SpreadsheetConfig } from '../connectors/spreadsheet/schemas.ts';
import { type OpenSheetOptions, openSheet, type Sheet } from '../connectors/spreadsheet/sheet.ts';
import { importTaskId } from '../core/import-task.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Execution, ExecutionCounts, Task } from '../core/types.ts';
import type { ConnectorFactory } from '../engine/open-mapping.ts';
import type { ImportPage } from '../engine/run-import.ts';
import type { RunService } from '../runs/run-service.ts';
import type { Store } from '../store/store.ts';
import { mappingColumns } from './columns.ts';
import { writeErrorFile } from './error-file.ts';
import { ImportError } from './errors.ts';
import { type RowProblem, RowValidator, reasonText } from './row-validator.ts';

/** The first rows of a file as the mapping turns them into target records. */
export interface ImportPreviewRow {
  row: number;
  source: Record<string, unknown>;
  payload: Record<string, unknown>;
  problems: RowProblem[];
}

/** The outcome of checking every row before anything is written. */
export interface ImportValidation {
  rows: number;
  valid: number;
  invalid: number;
  /** Rows the mapping's filter leaves out (neither checked nor imported). */
  filtered: number;
  /** The first problems (at most 200); the error file holds them all. */
  problems: RowProblem[];
  problemCount: number;
  preview: ImportPreviewRow[];
}

/** A file checked against a mapping, ready to import. */
export interface PreparedImport {
  mapping: MappingDefinition;
  sheet: Sheet;
  validation: ImportValidation;
  /** Reason per invalid row number. */
  reasons: Map<number, string>;
  targetFields: FieldDescription[];
  /** Where the error file of the invalid rows was written (null: every row is valid). */
  errorFile: string | null;
}

/** Shared by both steps. */
export interface ImportContext {
  store: Store;
  log: Logger;
  connectorFactory?: ConnectorFactory | undefined;
  /** Runs the import as an execution (the run service: one lifecycle for runs and imports). */
  runs: Pick<RunService, 'runImport'>;
}

const PAGE_ROWS = 500;
const KEPT_PROBLEMS = 200;

/**
 * An import works in its mapping's workspace: from the terminal (the whole store) the import's task and run
 * are recorded there, and the mapping's connections are looked up there only.
 */
async function inMappingWorkspace(ctx: ImportContext, mappingId: string): Promise<ImportContext> {
  if (ctx.store.workspaceId !== undefined) return ctx;
  return { ...ctx, store: ctx.store.inWorkspace(await ctx.store.mappings.workspaceOf(mappingId)) };
}

/** The disabled, unscheduled task under which imports into a mapping are recorded (executions belong to tasks). */
export async function ensureImportTask(store: Store, mapping: MappingDefinition): Promise<string> {
  const id = importTaskId(mapping.id);
  try {
    await store.tasks.get(id);
  } catch {
    const task: Task = {
      id,
      name: `Import: ${mapping.name}`,
      mappingId: mapping.id,
      schedule: null,
      enabled: false,
      mode: 'full',
      notify: { on: [], to: [] },
      params: {},
    };
    await store.tasks.save(task);
  }
  return id;
}

/** Field types of the target object, for the type check; an unreachable target only skips that check. */
async function targetFieldsOf(ctx: ImportContext, mapping: MappingDefinition): Promise<FieldDescription[]> {
  const ac = new AbortController();
  const target = (ctx.connectorFactory ?? createConnector)(
    await ctx.store.connections.get(mapping.target.connectionId),
    { log: ctx.log, signal: ac.signal },
  );
  try {
    return (await target.describe()).find((o) => o.name === mapping.target.object)?.fields ?? [];
  } catch (err) {
    ctx.log.warn({ err }, 'target fields unavailable; the import skips the type check');
    return [];
  } finally {
    ac.abort();
    await target.close?.();
  }
}

/**
 * Step 1 of an import, which writes nothing: checks the mapping is an import mapping (its source is a
 * spreadsheet connection), opens and checks the file, checks every column the mapping reads is there,
 * validates every row, keeps a preview of the first rows, and writes the invalid rows to `errorFilePath`.
 */
export async function prepareImport(
  ctx: ImportContext,
  o: {
    file: string;
    mappingId: string;
    errorFilePath?: string;
    previewRows?: number;
    limits?: OpenSheetOptions['limits'];
  },
): Promise<PreparedImport> {
  ctx = await inMappingWorkspace(ctx, o.mappingId);
  const mapping = await ctx.store.mappings.get(o.mappingId);
  const source = await ctx.store.connections.get(mapping.source.connectionId);
  if (!CONNECTORS[source.system]?.uploads) {
    throw new ImportError(
      'import_mapping_invalid',
      `mapping '${mapping.id}' reads from '${source.id}' (${source.system}); an import needs a mapping whose source takes uploaded files (a spreadsheet connection)`,
    );
  }
  const config = source.config as SpreadsheetConfig;
  const sheet = await openSheet(o.file, {
    sheet: mapping.source.object,
    delimiter: config.delimiter,
    encoding: config.encoding,
    limits: { ...config.limits, ...o.limits },
  });
  const missing = mappingColumns(mapping).filter((c) => !sheet.header.includes(c));
  if (missing.length) {
    throw new ImportError(
      'columns_missing',
      `the file has no column ${missing.map((c) => `'${c}'`).join(', ')}; its columns are ${sheet.header.join(', ')}`,
      {
        details: { missing, header: sheet.header },
      },
    );
  }
  const targetFields = await targetFieldsOf(ctx, mapping);
  const validator = new RowValidator(mapping, targetFields);
  const validation: ImportValidation = {
    rows: 0,
    valid: 0,
    invalid: 0,
    filtered: 0,
    problems: [],
    problemCount: 0,
    preview: [],
  };
  const reasons = new Map<number, string>();
  const previewRows = o.previewRows ?? 10;
  for await (const row of sheet.rows()) {
    validation.rows++;
    const v = validator.check(row);
    if (v.kind === 'filtered') validation.filtered++;
    else if (v.kind === 'valid') validation.valid++;
    else {
      validation.invalid++;
      validation.problemCount += v.problems.length;
      for (const p of v.problems) if (validation.problems.length < KEPT_PROBLEMS) validation.problems.push(p);
      reasons.set(v.row, reasonText(v.problems));
    }
    if (validation.preview.length < previewRows && v.kind !== 'filtered') {
      validation.preview.push({
        row: v.row,
        source: v.data,
        payload: v.payload,
        problems: v.kind === 'invalid' ? v.problems : [],
      });
    }
  }
  let errorFile: string | null = null;
  if (reasons.size && o.errorFilePath) {
    await writeErrorFile(sheet, reasons, o.errorFilePath);
    errorFile = o.errorFilePath;
  }
  return { mapping, sheet, validation, reasons, targetFields, errorFile };
}

/** The pages of an import: valid rows as records, invalid ones as rejected, `PAGE_ROWS` rows a page. */
async function* importPages(prepared: PreparedImport): AsyncGenerator<ImportPage> {
  const validator = new RowValidator(prepared.mapping, prepared.targetFields);
  let page: ImportPage = { records: [], rejected: [], rowOf: new Map() };
  let size = 0;
  for await (const row of prepared.sheet.rows()) {
    const v = validator.check(row);
    if (v.kind === 'invalid') {
      const first = v.problems[0];
      page.rejected.push({
        key: v.key ?? `row ${v.row}`,
        row: v.row,
        code: first?.code ?? 'invalid_row',
        message: reasonText(v.problems),
        payload: v.payload,
      });
    } else {
      // Filtered rows go in too: the run applies the filter again and counts them.
      const key =
        v.kind === 'valid' ? v.key : (keyOf(row.data[prepared.mapping.source.key]) ?? `row ${row.row}`);
      const record: SourceRecord = { key, data: row.data };
      page.records.push(record);
      page.rowOf.set(key, row.row);
    }
    if (++size >= PAGE_ROWS) {
      yield page;
      page = { records: [], rejected: [], rowOf: new Map() };
      size = 0;
    }
  }
  if (size) yield page;
}

/** What an import run produced. */
export interface ImportResult {
  execution: Execution;
  /** Rows that failed (validation or target), with their reason. */
  failedRows: number;
  /** The error file with every failed row (null when none failed or no path was given). */
  errorFile: string | null;
}

/**
 * Step 2: imports a prepared file as an execution (trigger `import`) of the mapping's import task. With
 * invalid rows it refuses (`import_has_invalid_rows`, nothing written) unless `validRowsOnly`; then the
 * invalid rows are recorded as failed items and the valid ones written. Rows the target rejects join
 * the error file, which is rewritten at `errorFilePath` with every failed row.
 */
export async function executeImport(
  ctx: ImportContext,
  prepared: PreparedImport,
  o: {
    validRowsOnly?: boolean;
    errorFilePath?: string;
    signal?: AbortSignal;
    onBegin?: (execution: Execution) => void;
    onProgress?: (p: { counts: ExecutionCounts; total: number | null }) => void;
  } = {},
): Promise<ImportResult> {
  ctx = await inMappingWorkspace(ctx, prepared.mapping.id);
  const { validation, mapping } = prepared;
  if (validation.invalid > 0 && !o.validRowsOnly) {
    throw new ImportError(
      'import_has_invalid_rows',
      `${validation.invalid} of ${validation.rows} rows are invalid; nothing was imported. Fix them or import only the valid rows`,
      {
        details: { invalid: validation.invalid, rows: validation.rows },
      },
    );
  }
  const taskId = await ensureImportTask(ctx.store, mapping);
  const reasons = new Map(prepared.reasons);
  const execution = await ctx.runs.runImport({
    taskId,
    mapping,
    pages: importPages(prepared),
    total: validation.rows,
    signal: o.signal,
    connectorFactory: ctx.connectorFactory,
    onBegin: o.onBegin,
    onProgress: (p) => o.onProgress?.({ counts: p.counts, total: p.total }),
    onItems: (page, items) => {
      for (const item of items) {
        const row = page.rowOf.get(item.sourceKey);
        if (item.action === 'fail' && row !== undefined && !reasons.has(row)) {
          reasons.set(row, (item.message ?? item.code ?? 'failed').replace(/^row \d+: /, ''));
        }
      }
    },
  });
  let errorFile: string | null = null;
  if (reasons.size && o.errorFilePath) {
    await writeErrorFile(prepared.sheet, reasons, o.errorFilePath);
    errorFile = o.errorFilePath;
  }
  return { execution, failedRows: reasons.size, errorFile };
}
