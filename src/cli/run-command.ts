import { JunctionError } from '../core/errors.ts';
import { type Execution, type ExecutionCounts, type ExecutionStatus, ZERO_COUNTS } from '../core/types.ts';
import { failpointHooks } from '../engine/failpoints.ts';
import type { DryRunResult } from '../engine/run-task.ts';
import { openRunService } from './run-service.ts';
import type { Runtime } from './runtime.ts';

/** One failed record as `junction run` reports it. */
export interface RunFailure {
  key: string;
  code: string;
  message: string;
}

/** The one JSON object `junction run --json` prints: a contract scripts depend on (README, "CLI"). */
export interface RunReport {
  executionId: string | null;
  status: ExecutionStatus;
  dryRun: boolean;
  counts: ExecutionCounts;
  /** The first 20 failed records. */
  failures: RunFailure[];
  /** Why the run as a whole failed (absent when it did not). */
  error?: { code: string; message: string };
}

const JSON_FAILURES = 20;
const SHOWN_FAILURES = 10;

/** Exit code of a run: 0 ok, 2 some records failed, 1 the run failed. */
export function exitCodeOf(status: ExecutionStatus): number {
  return status === 'succeeded' ? 0 : status === 'warning' ? 2 : 1;
}

function dryReport(r: DryRunResult): { report: RunReport; more: number } {
  const failed = r.items.filter((i) => i.action === 'fail');
  return {
    report: {
      executionId: null,
      status: r.counts.failed > 0 || r.warning ? 'warning' : 'succeeded',
      ...(r.warning ? { error: r.warning } : {}),
      dryRun: true,
      counts: r.counts,
      failures: failed
        .slice(0, JSON_FAILURES)
        .map((i) => ({ key: i.sourceKey, code: i.code ?? 'failed', message: i.message ?? '' })),
    },
    more: Math.max(0, r.counts.failed - JSON_FAILURES),
  };
}

async function runReport(rt: Runtime, e: Execution): Promise<RunReport> {
  const failed = await rt.store.executions.items(e.id, { action: 'fail', limit: JSON_FAILURES });
  return {
    executionId: e.id,
    status: e.status,
    dryRun: false,
    counts: e.counts,
    failures: failed.map((i) => ({ key: i.sourceKey, code: i.code ?? 'failed', message: i.message ?? '' })),
    ...(e.error ? { error: e.error } : {}),
  };
}

/** The human summary: counts, the run's error, and the first failed records. */
function summary(r: RunReport, e: Execution | null, dry: DryRunResult | null): string {
  const c = r.counts;
  const secs =
    e?.startedAt && e.finishedAt
      ? ((e.finishedAt.getTime() - e.startedAt.getTime()) / 1000).toFixed(1)
      : null;
  const lines = [
    r.dryRun
      ? `dry run of the next run (nothing was written)${dry?.truncated ? ' — stopped early' : ''}: it would end ${r.status}`
      : `execution ${r.executionId}: ${r.status}${secs ? ` in ${secs}s` : ''}`,
    r.dryRun
      ? `  read ${c.read}, filtered out ${c.filtered}, would create ${c.created}, update ${c.updated}, leave unchanged ${c.unchanged}, delete ${c.deleted}, fail ${c.failed}`
      : `  read ${c.read}, filtered out ${c.filtered}, created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, deleted ${c.deleted}, failed ${c.failed}`,
  ];
  if (r.error)
    lines.push(`  ${r.status === 'warning' ? 'warning' : 'error'} ${r.error.code}: ${r.error.message}`);
  if (e?.resumedFrom) lines.push(`  resumed the unfinished execution ${e.resumedFrom}`);
  if (r.failures.length) {
    lines.push(r.dryRun ? '  would fail:' : '  failed records:');
    for (const f of r.failures.slice(0, SHOWN_FAILURES)) lines.push(`    ${f.key}  ${f.code}: ${f.message}`);
    const more = c.failed - Math.min(SHOWN_FAILURES, r.failures.length);
    if (more > 0) lines.push(`    … and ${more} more`);
  }
  return lines.join('\n');
}

/**
 * `junction run <task> [--dry-run] [--json]`: runs the task here through the run service (the hub's lease,
 * the shared connection budgets), or with `--dry-run` plans the next run without writing anything.
 */
export async function runCommand(
  rt: Runtime,
  o: {
    taskId: string;
    dryRun: boolean;
    json: boolean;
    confirmDeletes?: boolean;
    out?: (text: string) => void;
  },
): Promise<number> {
  const out = o.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  try {
    return await runOrPlan(rt, o, out);
  } catch (err) {
    if (!o.json) throw err;
    // A script reading --json gets its one object even when the run could not start at all.
    const error = {
      code: err instanceof JunctionError ? err.code : 'internal_error',
      message: (err as Error).message,
    };
    const report: RunReport = {
      executionId: null,
      status: 'failed',
      dryRun: o.dryRun,
      counts: { ...ZERO_COUNTS },
      failures: [],
      error,
    };
    out(JSON.stringify(report));
    return 1;
  }
}

async function runOrPlan(
  rt: Runtime,
  o: { taskId: string; dryRun: boolean; json: boolean; confirmDeletes?: boolean },
  out: (text: string) => void,
): Promise<number> {
  await rt.store.tasks.get(o.taskId); // not_found before anything starts
  const service = await openRunService(rt, { queue: false, runOptions: { hooks: failpointHooks() } });
  const ac = new AbortController();
  const onSigint = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    if (o.dryRun) {
      const dry = await service.dryRun(o.taskId, { signal: ac.signal, confirmDeletes: o.confirmDeletes });
      const { report } = dryReport(dry);
      out(o.json ? JSON.stringify(report) : summary(report, null, dry));
      return exitCodeOf(report.status);
    }
    await service.closeStale();
    const progress = o.json ? null : rt.screen.progress();
    let execution: Execution;
    try {
      execution = await service.run(o.taskId, {
        trigger: 'cli',
        signal: ac.signal,
        confirmDeletes: o.confirmDeletes,
        onProgress: (p) => progress?.update(p.counts, p.total),
      });
    } finally {
      progress?.stop();
    }
    const report = await runReport(rt, execution);
    out(o.json ? JSON.stringify(report) : summary(report, execution, null));
    return exitCodeOf(execution.status);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await service.stop();
  }
}
