import type { Execution, Schedule, Task } from '../core/types.ts';
import { nextRunFor } from '../scheduler/due.ts';
import type { Runtime } from './runtime.ts';

/** One row of `junction tasks --json`. */
export interface TaskRow {
  task: string;
  /** The workspace the task belongs to. */
  workspace: string;
  /**
   * False when no workspace of that id exists (there is no foreign key: a task saved while its workspace
   * was being deleted stays, and still runs).
   */
  workspaceExists: boolean;
  name: string;
  mapping: string;
  schedule: Schedule | null;
  enabled: boolean;
  lastRun: { executionId: string; startedAt: string | null; status: Execution['status'] } | null;
  nextRun: string | null;
}

function scheduleText(s: Schedule | null): string {
  if (!s) return 'manual';
  const timed =
    'everyMinutes' in s
      ? `every ${s.everyMinutes} min`
      : 'cron' in s
        ? `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`
        : '';
  if (!s.onChange) return timed;
  return timed ? `on change, ${timed}` : 'on change';
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Local time as `2026-11-30 14:05`, the way people read it on a terminal. */
function localTime(d: Date | null | undefined): string {
  if (!d) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Lays rows out in aligned columns under a header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * `junction tasks [--json] [--workspace <id>]`: every task with its schedule, last run and next run. The
 * caller has checked that `workspace` exists (main.ts, one line naming the workspaces there are).
 */
export async function tasksCommand(
  rt: Runtime,
  o: { json: boolean; out?: (text: string) => void; workspace?: string | undefined },
): Promise<number> {
  const out = o.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  const rows: {
    workspace: string;
    exists: boolean;
    task: Task;
    last: Execution | undefined;
    next: Date | null;
  }[] = [];
  // Without --workspace, every task of the hub (the terminal is the operator's, not a customer's), each
  // with the workspace its row names: also one whose workspace row is gone, as it still runs.
  const store = o.workspace === undefined ? rt.store : rt.store.inWorkspace(o.workspace);
  const known = new Set((await rt.store.workspaces.list()).map((w) => w.id));
  for (const task of await store.tasks.list()) {
    const workspace = o.workspace ?? (await store.tasks.workspaceOf(task.id));
    const [last] = await store.executions.list({ taskId: task.id, limit: 1 });
    rows.push({
      workspace,
      exists: known.has(workspace),
      task,
      last,
      next: await nextRunFor(rt.store, task),
    });
  }
  rows.sort((a, b) => cmp(a.workspace, b.workspace) || cmp(a.task.id, b.task.id));
  if (o.json) {
    const json: TaskRow[] = rows.map(({ workspace, exists, task, last, next }) => ({
      task: task.id,
      workspace,
      workspaceExists: exists,
      name: task.name,
      mapping: task.mappingId,
      schedule: task.schedule,
      enabled: task.enabled,
      lastRun: last
        ? { executionId: last.id, startedAt: last.startedAt?.toISOString() ?? null, status: last.status }
        : null,
      nextRun: next?.toISOString() ?? null,
    }));
    out(JSON.stringify({ tasks: json }));
    return 0;
  }
  if (!rows.length) {
    // In a workspace, the hint names the command that fills that workspace, not the default one.
    out(
      o.workspace === undefined
        ? 'no tasks yet — add some in the dashboard or with `junction apply <file>`'
        : `no tasks in workspace '${o.workspace}' yet — add some in the dashboard or with \`junction apply --workspace ${o.workspace} <file>\``,
    );
    return 0;
  }
  // The workspace column only when it tells tasks apart or one is gone: a single-customer hub's table stays
  // as it was.
  const manyWorkspaces = new Set(rows.map((r) => r.workspace)).size > 1 || rows.some((r) => !r.exists);
  const header = ['TASK', 'MAPPING', 'SCHEDULE', 'ENABLED', 'LAST RUN', 'STATUS', 'NEXT RUN'];
  out(
    table(
      manyWorkspaces ? ['WORKSPACE', ...header] : header,
      rows.map(({ workspace, exists, task, last, next }) => [
        ...(manyWorkspaces ? [exists ? workspace : `${workspace} (no such workspace)`] : []),
        task.id,
        task.mappingId,
        scheduleText(task.schedule),
        task.enabled ? 'yes' : 'no',
        localTime(last?.startedAt),
        last?.status ?? 'never run',
        task.enabled && task.schedule ? localTime(next) : '—',
      ]),
    ),
  );
  return 0;
}
