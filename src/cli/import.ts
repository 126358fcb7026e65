import { basename, dirname, extname, join, resolve } from 'node:path';
import { JunctionError } from '../core/errors.ts';
import { executeImport, prepareImport } from '../import/import-file.ts';
import { openRunService } from './run-service.ts';
import type { Runtime } from './runtime.ts';

/** Options of `junction import <file>`. */
export interface ImportCommandOptions {
  file: string;
  mappingId: string;
  /** Import the valid rows even when some are invalid (those go to the error file). */
  validRowsOnly?: boolean;
  /** Only check the file and print the preview and problems. */
  dryRun?: boolean;
  /** Where to write the error file (default `<file>-errors.xlsx` beside the file). */
  errorFile?: string;
  out?: (line: string) => void;
}

/**
 * `junction import <file> --mapping <id>`: checks the file and every row, prints the problems and
 * writes them to an error file; imports (with a progress bar) when all rows are valid or with
 * `--valid-rows-only`. Exit code 0 all imported, 2 some rows failed, 1 nothing imported.
 */
export async function importCommand(rt: Runtime, o: ImportCommandOptions): Promise<number> {
  const out = o.out ?? ((line: string) => console.log(line));
  const file = resolve(o.file);
  const errorFilePath = resolve(
    o.errorFile ?? join(dirname(file), `${basename(file, extname(file))}-errors.xlsx`),
  );
  const ctx = { store: rt.store, log: rt.log, runs: await openRunService(rt, { queue: false }) };
  const prepared = await prepareImport(ctx, { file, mappingId: o.mappingId, errorFilePath });
  const v = prepared.validation;
  const s = prepared.sheet;
  out(
    `${basename(file)}: ${s.format}${s.sheetName ? ` sheet '${s.sheetName}'` : ` ${s.encoding}, '${s.delimiter === '\t' ? '\\t' : s.delimiter}'-separated`}; columns ${s.header.join(', ')}`,
  );
  out(
    `  ${v.rows} rows: ${v.valid} valid, ${v.invalid} invalid${v.filtered ? `, ${v.filtered} left out by the filter` : ''}`,
  );
  for (const p of v.problems.slice(0, 10))
    out(`  row ${p.row}: ${p.field ? `${p.field}: ` : ''}${p.message} (${p.code})`);
  if (v.problemCount > 10) out(`  … ${v.problemCount - 10} more problems`);
  if (prepared.errorFile) out(`  error file: ${prepared.errorFile}`);
  if (o.dryRun) return v.invalid ? 2 : 0;
  if (v.invalid && !o.validRowsOnly) {
    out(
      'nothing imported: fix the rows in the error file, or pass --valid-rows-only to import the valid rows',
    );
    return 1;
  }
  const progress = rt.screen.progress();
  const ac = new AbortController();
  const onSigint = () => ac.abort(new JunctionError('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const { execution, failedRows, errorFile } = await executeImport(ctx, prepared, {
      validRowsOnly: o.validRowsOnly,
      errorFilePath,
      signal: ac.signal,
      onProgress: (p) => progress.update(p.counts, p.total),
    });
    progress.stop();
    const c = execution.counts;
    out(
      `execution ${execution.id}: ${execution.status}; created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, failed ${c.failed}`,
    );
    if (execution.error) out(`  error ${execution.error.code}: ${execution.error.message}`);
    if (errorFile) out(`  ${failedRows} failed rows with their reasons: ${errorFile}`);
    return execution.status === 'succeeded' ? 0 : execution.status === 'warning' ? 2 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.stop();
  }
}
