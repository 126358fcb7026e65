import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { applyConfig } from '../config/apply-config.ts';
import { readConfigFile } from '../config/config-file.ts';
import { confinedFactory } from '../connectors/registry.ts';
import { JunctionError, NotFoundError, UsageError, ValidationError } from '../core/errors.ts';
import { formatMappingIssue } from '../core/mapping-issues.ts';
import { DEFAULT_WORKSPACE, WORKSPACE_ID } from '../core/workspaces.ts';
import type { Store } from '../store/store.ts';
import { demoPrepare } from './demo.ts';
import { importCommand } from './import.ts';
import { eraseCommand, exportPersonCommand } from './privacy-command.ts';
import { runCommand } from './run-command.ts';
import { openRunService } from './run-service.ts';
import { openRuntime } from './runtime.ts';
import { tasksCommand } from './tasks-command.ts';
import { triggersCommand } from './triggers-command.ts';

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
  junction run <task> [--dry-run] [--json] [--confirm-deletes]
                                 run one task now, with progress and a summary that lists failed
                                 records; --dry-run writes nothing anywhere and says what the run would
                                 do; --json prints one JSON object (executionId, status, dryRun, counts,
                                 failures). Exit code 0 ok, 2 some records failed (or the mass-deletion
                                 guard held deletions back), 1 the run failed; --confirm-deletes lets
                                 this run delete more than the guard allows (audited)
  junction apply <file> [--workspace <id>]
                                 create or update connections, mappings and tasks from YAML/JSON;
                                 --workspace puts them in that workspace (created if new) and refuses
                                 ids another workspace uses (default: the default workspace)
  junction import <file> --mapping <id> [--valid-rows-only] [--dry-run] [--error-file <path>]
                                 import a .xlsx/.csv through a mapping: validates every row first,
                                 writes failed rows with reasons to <file>-errors.xlsx
  junction erase --connection <id> --object <object> --key <key>
                                 erase a person in every linked system per the mappings' privacy
                                 policy and purge their run payloads (audited; run again to finish)
  junction export-person --connection <id> --object <object> --key <key>
                                 print what Junction and the linked systems hold about a person (JSON)
  junction migrate               bring the database schema up to date
  junction tasks [--json] [--workspace <id>]
                                 list tasks: mapping, schedule, last run and its status, next run
                                 (and their workspace when several workspaces have tasks)
  junction triggers install|remove <connection> <table>
                                 make a PostgreSQL business table notify Junction of changes (a
                                 statement trigger), so tasks scheduled onChange run within seconds

Usage mistakes exit with 64.

Environment: JUNCTION_DATA_DIR (default ./junction-data), DATABASE_URL (postgres://… for PostgreSQL),
JUNCTION_SECRET_KEY (seals connection secrets), JUNCTION_FILES_DIR, JUNCTION_UPLOADS_DIR,
JUNCTION_NODE_TUNING=off (Node's own memory settings), JUNCTION_ADMIN_PASSWORD, JUNCTION_DEMO, PORT, LOG_LEVEL,
LOG_FORMAT=json (JSON logs on a terminal too); scheduling: JUNCTION_SCHEDULER_TICK_MS,
JUNCTION_WORKER_POLL_MS, JUNCTION_RUN_LEASE_MS, JUNCTION_RETRY_DELAY_SECONDS, JUNCTION_WORKER_CONCURRENCY,
JUNCTION_CHANGE_POLL_MS, JUNCTION_CHANGE_COALESCE_MS.`;

/** Exit code of a usage mistake (sysexits' EX_USAGE): scripts tell it from a failed run. */
const EXIT_USAGE = 64;

/** The file a command reads, or `file not found: PATH`. */
function existingFile(path: string | undefined, usage: string): string {
  if (!path) throw new UsageError(`usage: ${usage}`);
  if (!existsSync(path) || !statSync(path).isFile()) throw new FileNotFoundError(`file not found: ${path}`);
  return path;
}

/**
 * The store as `--workspace` sees it: `apply` creates in it and refuses ids of other workspaces; without the
 * option, the default workspace. `isNew`: the workspace does not exist yet (apply makes it only once the
 * file has passed every check).
 */
async function workspaceView(store: Store, id: string | undefined): Promise<{ view: Store; isNew: boolean }> {
  const ws = await workspaceIdOption(store, id ?? DEFAULT_WORKSPACE);
  const known = await store.workspaces.get(ws).catch(() => null);
  return { view: store.inWorkspace(ws), isNew: !known };
}

/** `tasks --workspace`: an existing workspace, or one line naming the workspaces there are. */
async function existingWorkspace(store: Store, id: string): Promise<string> {
  const known = await store.workspaces.get(await workspaceIdOption(store, id)).catch(() => null);
  if (!known) throw new NotFoundError(`workspace '${id}' does not exist; ${await workspacesThere(store)}`);
  return id;
}

/** A `--workspace` value that can be a workspace id, or one line saying what one looks like and which there are. */
async function workspaceIdOption(store: Store, id: string): Promise<string> {
  if (!WORKSPACE_ID.test(id))
    throw new InvalidOptionError(
      `--workspace '${id}' is not a workspace id (lower-case letters, digits, - and _); ${await workspacesThere(store)}`,
    );
  return id;
}

/** Workspace ids the refusal of a mistyped `--workspace` names (a hub has few; a long list is cut short). */
const LISTED_WORKSPACES = 10;

/** The end of that refusal: the workspaces there are, so the right id is in the same line. */
async function workspacesThere(store: Store): Promise<string> {
  const ids = (await store.workspaces.list()).map((w) => w.id);
  const shown = ids.slice(0, LISTED_WORKSPACES).join(', ');
  return ids.length > LISTED_WORKSPACES
    ? `existing workspaces: ${shown} and ${ids.length - LISTED_WORKSPACES} more (the dashboard's Workspaces page lists them all)`
    : `existing workspaces: ${shown}`;
}

/**
 * An option's value is not one the command can take (a workspace id with capitals): a usage mistake (exit 64)
 * told in one line, without the usage text, which says nothing about the value.
 */
class InvalidOptionError extends JunctionError {
  override readonly code = 'invalid_option';
}

/** A file the command was told to read does not exist. */
class FileNotFoundError extends JunctionError {
  override readonly code = 'file_not_found';
}

function parse(rest: string[]) {
  try {
    return parseArgs({
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
        json: { type: 'boolean' },
        'confirm-deletes': { type: 'boolean' },
        connection: { type: 'string' },
        object: { type: 'string' },
        key: { type: 'string' },
        'error-file': { type: 'string' },
        workspace: { type: 'string' },
      },
    });
  } catch (err) {
    // parseArgs' own words ("Unknown option '--jsn'") are the message.
    throw new UsageError((err as Error).message);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    // Asked for, the usage is the command's output; missing a command, it is a usage mistake (stderr, 64).
    if (command) console.log(USAGE);
    else console.error(USAGE);
    return command ? 0 : EXIT_USAGE;
  }
  const { values, positionals } = parse(rest);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // The hub (Fastify, the API, the dashboard) and the worker are loaded only by the commands that run them, so a
  // `junction run` process does not carry the server's code (bench: peak RSS of a run).
  if (command === 'start') {
    const choice = values.demo ? 'yes' : values['no-demo'] ? 'no' : 'offer';
    const { startHub } = await import('./start.ts');
    return startHub({ worker: !values['no-worker'], prepare: demoPrepare(choice) });
  }
  if (command === 'demo') {
    const { startHub } = await import('./start.ts');
    return startHub({ worker: true, prepare: demoPrepare('yes') });
  }
  if (command === 'worker') {
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0))
      throw new UsageError('--concurrency takes a whole number above 0');
    const { startWorker } = await import('./worker.ts');
    return startWorker({ concurrency });
  }
  const known = [
    'migrate',
    'apply',
    'run',
    'import',
    'run-now',
    'tasks',
    'erase',
    'export-person',
    'triggers',
  ];
  if (!known.includes(command)) throw new UsageError(`unknown command '${command}'`);
  // Usage and missing files are told before the store is opened.
  const file =
    command === 'apply'
      ? existingFile(positionals[0], 'junction apply <file>')
      : command === 'import'
        ? existingFile(positionals[0], 'junction import <file> --mapping <id>')
        : undefined;
  if (command === 'import' && !values.mapping)
    throw new UsageError('usage: junction import <file> --mapping <id> [--valid-rows-only] [--dry-run]');
  if ((command === 'run' || command === 'run-now') && !positionals[0])
    throw new UsageError(
      `usage: junction ${command} <task>${command === 'run' ? ' [--dry-run] [--json]' : ''}`,
    );

  const rt = await openRuntime();
  try {
    switch (command) {
      case 'migrate':
        console.log(`database is up to date (${rt.store.dialect})`);
        return 0;
      case 'apply': {
        const config = readConfigFile(file as string);
        const target = await workspaceView(rt.store, values.workspace);
        // The mapping check describes SQL sources with the same file confinement as the hub.
        const s = await applyConfig(target.view, config, {
          connectorFactory: confinedFactory(rt.files),
          createWorkspace: target.isNew,
        });
        // A mistyped --workspace makes a new one: said, with the limits it got, so it does not go unnoticed.
        if (target.isNew && values.workspace) {
          const { limits } = await rt.store.workspaces.get(values.workspace);
          console.log(
            `created workspace '${values.workspace}' (intervals ${limits.minIntervalMinutes}–${limits.maxIntervalMinutes} min, ${limits.maxConcurrentRuns === null ? 'no limit on concurrent runs' : `at most ${limits.maxConcurrentRuns} runs at once`}; change them on the Workspaces page)`,
          );
        }
        console.log(
          `applied ${s.connections.length} connections, ${s.mappings.length} mappings, ${s.tasks.length} tasks`,
        );
        for (const w of s.warnings) console.log(`warning: mapping '${w.mapping}': ${formatMappingIssue(w)}`);
        return 0;
      }
      case 'run':
        return await runCommand(rt, {
          taskId: positionals[0] as string,
          dryRun: Boolean(values['dry-run']),
          json: Boolean(values.json),
          confirmDeletes: Boolean(values['confirm-deletes']),
        });
      case 'import':
        return await importCommand(rt, {
          file: file as string,
          mappingId: values.mapping as string,
          validRowsOnly: values['valid-rows-only'],
          dryRun: values['dry-run'],
          errorFile: values['error-file'],
        });
      case 'run-now': {
        const taskId = positionals[0] as string;
        if (rt.store.dialect !== 'postgres')
          throw new ValidationError(
            'run-now queues for workers and needs PostgreSQL; with SQLite use `junction run <task>`',
          );
        const service = await openRunService(rt, { queue: true });
        try {
          console.log(`queued run of ${taskId}: job ${await service.enqueue(taskId, 'manual')}`);
        } finally {
          await service.stop();
        }
        return 0;
      }
      case 'erase':
        return await eraseCommand(rt, values);
      case 'export-person':
        return await exportPersonCommand(rt, values);
      case 'triggers':
        return await triggersCommand(rt, positionals);
      default:
        return await tasksCommand(rt, {
          json: Boolean(values.json),
          workspace:
            values.workspace === undefined ? undefined : await existingWorkspace(rt.store, values.workspace),
        });
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
    if (err instanceof UsageError) {
      // The mistake last, where the eye is after a long usage text.
      console.error(`${USAGE}\n\n${err.message}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    if (err instanceof InvalidOptionError) {
      console.error(`error (${err.code}): ${err.message}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const code = err instanceof JunctionError ? err.code : 'internal_error';
    // `apply` finds every problem at once: one line each, with its mapping and place.
    const problems = err instanceof JunctionError ? err.details?.problems : undefined;
    if (Array.isArray(problems) && problems.length > 1)
      console.error(`error (${code}): ${problems.length} problems\n  ${problems.join('\n  ')}`);
    else console.error(`error (${code}): ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
