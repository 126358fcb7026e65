import { parseArgs } from 'node:util';
import { applyConfig } from '../config/apply-config.ts';
import { readConfigFile } from '../config/config-file.ts';
import { JunctionError } from '../core/errors.ts';
import type { Execution } from '../core/types.ts';
import { failpointHooks } from '../engine/failpoints.ts';
import { ownerIsGone } from '../engine/owner.ts';
import { enqueueRun, openBoss } from '../scheduler/queue.ts';
import { runAndNotify } from '../scheduler/run-and-notify.ts';
import { demoPrepare } from './demo.ts';
import { importCommand } from './import.ts';
import { createProgressReporter } from './progress.ts';
import { openRuntime } from './runtime.ts';
import { startHub } from './start.ts';
import { startWorker } from './worker.ts';

const USAGE = `junction — connector hub

Usage:
  junction start [--no-worker] [--demo | --no-demo]
                                 run the hub: scheduler for every enabled task (Ctrl-C stops it);
                                 --no-worker (PostgreSQL): serve and schedule only, workers run the tasks;
                                 a new data folder offers the demo workspace on a terminal, --demo
                                 (or JUNCTION_DEMO=1) loads it without asking, --no-demo never offers it
  junction demo                  run the hub with the demo workspace: a training provider's database
                                 and the HubSpot, Brevo and Abacus emulators, synced every minute or two
  junction worker [--concurrency N]  take queued runs (PostgreSQL); start as many as you like
  junction run-now <task>        queue a run for the workers (PostgreSQL) and print the job id
  junction run <task>            run one task now, with progress and a summary
  junction apply <file>          create or update connections, mappings and tasks from YAML/JSON
  junction import <file> --mapping <id> [--valid-rows-only] [--dry-run] [--error-file <path>]
                                 import a .xlsx/.csv through a mapping: validates every row first,
                                 writes failed rows with reasons to <file>-errors.xlsx
  junction migrate               bring the database schema up to date
  junction tasks                 list tasks and their last run

Environment: JUNCTION_DATA_DIR (default ./junction-data), DATABASE_URL (postgres://… for PostgreSQL),
JUNCTION_SECRET_KEY (seals connection secrets), JUNCTION_ADMIN_PASSWORD, JUNCTION_DEMO, PORT, LOG_LEVEL; scheduling: JUNCTION_SCHEDULER_TICK_MS,
JUNCTION_WORKER_POLL_MS, JUNCTION_RUN_LEASE_MS, JUNCTION_RETRY_DELAY_SECONDS, JUNCTION_WORKER_CONCURRENCY.`;

function summary(e: Execution): string {
  const c = e.counts;
  const secs =
    e.startedAt && e.finishedAt ? ((e.finishedAt.getTime() - e.startedAt.getTime()) / 1000).toFixed(1) : '?';
  const lines = [
    `execution ${e.id}: ${e.status} in ${secs}s`,
    `  read ${c.read}, filtered out ${c.filtered}, created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, deleted ${c.deleted}, failed ${c.failed}`,
  ];
  if (e.error) lines.push(`  error ${e.error.code}: ${e.error.message}`);
  if (e.resumedFrom) lines.push(`  resumed the unfinished execution ${e.resumedFrom}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      'no-worker': { type: 'boolean' },
      demo: { type: 'boolean' },
      'no-demo': { type: 'boolean' },
      concurrency: { type: 'string' },
      mapping: { type: 'string' },
      'valid-rows-only': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'error-file': { type: 'string' },
    },
  });
  if (!command || command === 'help' || command === '--help' || command === '-h' || values.help) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'start') {
    const choice = values.demo ? 'yes' : values['no-demo'] ? 'no' : 'offer';
    return startHub({ worker: !values['no-worker'], prepare: demoPrepare(choice) });
  }
  if (command === 'demo') return startHub({ worker: true, prepare: demoPrepare('yes') });
  if (command === 'worker')
    return startWorker({ concurrency: values.concurrency ? Number(values.concurrency) : undefined });

  const rt = await openRuntime();
  try {
    switch (command) {
      case 'migrate':
        console.log(`database is up to date (${rt.store.dialect})`);
        return 0;
      case 'apply': {
        const file = positionals[0];
        if (!file) throw new JunctionError('usage: junction apply <file>');
        const s = await applyConfig(rt.store, readConfigFile(file));
        console.log(
          `applied ${s.connections.length} connections, ${s.mappings.length} mappings, ${s.tasks.length} tasks`,
        );
        return 0;
      }
      case 'run': {
        const taskId = positionals[0];
        if (!taskId) throw new JunctionError('usage: junction run <task>');
        await rt.store.executions.closeStale({ staleAfterMs: 120_000, ownerIsGone });
        const progress = createProgressReporter();
        const ac = new AbortController();
        process.once('SIGINT', () => ac.abort(new Error('interrupted')));
        const execution = await runAndNotify(taskId, {
          store: rt.store,
          log: rt.log,
          trigger: 'cli',
          signal: ac.signal,
          onProgress: (p) => progress.update(p.counts, p.total),
          hooks: failpointHooks(),
        });
        progress.stop();
        console.log(summary(execution));
        return execution.status === 'succeeded' ? 0 : execution.status === 'warning' ? 2 : 1;
      }
      case 'import': {
        const file = positionals[0];
        if (!file || !values.mapping)
          throw new JunctionError(
            'usage: junction import <file> --mapping <id> [--valid-rows-only] [--dry-run]',
          );
        return await importCommand(rt, {
          file,
          mappingId: values.mapping,
          validRowsOnly: values['valid-rows-only'],
          dryRun: values['dry-run'],
          errorFile: values['error-file'],
        });
      }
      case 'run-now': {
        const taskId = positionals[0];
        if (!taskId) throw new JunctionError('usage: junction run-now <task>');
        if (rt.store.dialect !== 'postgres' || !rt.env.databaseUrl) {
          throw new JunctionError(
            'run-now queues for workers and needs PostgreSQL; with SQLite use `junction run <task>`',
          );
        }
        await rt.store.tasks.get(taskId);
        const boss = await openBoss(rt.env.databaseUrl, { supervise: false });
        try {
          console.log(
            `queued run of ${taskId}: job ${await enqueueRun(boss, taskId, { trigger: 'manual' })}`,
          );
        } finally {
          await boss.stop({ graceful: false, close: true, wait: true });
        }
        return 0;
      }
      case 'tasks': {
        for (const t of await rt.store.tasks.list()) {
          const [last] = await rt.store.executions.list({ taskId: t.id, limit: 1 });
          console.log(
            `${t.id}\t${t.enabled ? 'enabled' : 'disabled'}\t${last ? `${last.status} ${last.finishedAt?.toISOString() ?? ''}` : 'never run'}`,
          );
        }
        return 0;
      }
      default:
        console.error(`unknown command '${command}'\n\n${USAGE}`);
        return 1;
    }
  } finally {
    await rt.store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    const code = err instanceof JunctionError ? err.code : 'internal_error';
    console.error(`error (${code}): ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
