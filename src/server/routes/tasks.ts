import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { isImportTask, refuseImportSchedule } from '../../core/import-task.ts';
import { MAX_INTERVAL_MINUTES, TaskSchema } from '../../core/task.ts';
import type { Schedule, Task } from '../../core/types.ts';
import { bindSchedule, type WorkspaceLimits } from '../../core/workspaces.ts';
import { nextRunFor } from '../../scheduler/due.ts';
import type { Store } from '../../store/store.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import type { Access } from '../auth/auth-plugin.ts';
import { ForbiddenError } from '../errors.ts';

/** Runs of each task listed with it (newest first): the tasks page shows them without another request. */
const RECENT_RUNS = 5;

/** The API's body of a task: the task's one schema, its id taken from the path. Unknown keys are refused. */
export const TaskBody = TaskSchema.omit({ id: true });

/** What GET adds to a task (see `view`): not the task's, so a save of what was loaded leaves it out. */
const VIEW_FIELDS = ['kind', 'nextRunAt', 'lastExecution', 'recentExecutions'] as const;

/**
 * A client may save a task as it loaded it (GET's answer, with its id and the fields the view adds): those
 * are taken out before the body is checked. Any other key the task does not have is refused by name; so is
 * an id that is not the path's.
 */
async function withoutViewFields(req: { body: unknown; params: unknown }): Promise<void> {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const own = { ...(body as Record<string, unknown>) };
  for (const key of VIEW_FIELDS) delete own[key];
  if (own.id === (req.params as { id?: unknown }).id) delete own.id;
  req.body = own;
}

/**
 * The range a request's schedule save is bound by: its workspace's, for the workspace's own people (admins,
 * operators, their tokens); none for the instance administrator, who sets the range and may leave it.
 */
const boundBy = (access: Access): WorkspaceLimits | null =>
  !access.instanceAdmin && access.workspace ? access.workspace.limits : null;

/** Tasks: CRUD, next/last run, run now, dry run. */
export async function taskRoutes(app: Api, deps: ServerDeps): Promise<void> {
  // The scheduler's own rule (settings' time zone, coalescing), so the API shows when it will really run.
  const view = async (store: Store, task: Task) => {
    const recent = await store.executions.list({ taskId: task.id, limit: RECENT_RUNS });
    const [last] = recent;
    const next = await nextRunFor(store, task).catch(() => null);
    // An import's task runs only with an uploaded file: the dashboard offers it no "run now" or schedule.
    const kind = isImportTask(task) ? ('import' as const) : ('sync' as const);
    return {
      ...task,
      kind,
      nextRunAt: next?.toISOString() ?? null,
      lastExecution: last ?? null,
      recentExecutions: recent,
    };
  };

  app.get(
    '/api/tasks',
    { schema: { tags: ['tasks'], summary: 'List tasks with next and last run' } },
    async (req) => ({
      tasks: await Promise.all((await req.store.tasks.list()).map((t) => view(req.store, t))),
    }),
  );
  app.get(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'One task', params: IdParams } },
    async (req) => view(req.store, await req.store.tasks.get(req.params.id)),
  );
  app.put(
    '/api/tasks/:id',
    {
      preValidation: withoutViewFields,
      schema: {
        tags: ['tasks'],
        summary:
          'Create or replace a task (a key the task does not have is refused; what GET adds to it is ignored)',
        params: IdParams,
        body: TaskBody,
      },
    },
    async (req) => {
      const { store, access } = req;
      await store.mappings.get(req.body.mappingId);
      // A task waits only for tasks of its own workspace (another's timing is not its to know).
      for (const other of req.body.after ?? []) if (other !== req.params.id) await store.tasks.get(other);
      const task: Task = { id: req.params.id, ...req.body };
      if (task.schedule) {
        const previous = await store.tasks.get(task.id).catch(() => null);
        task.schedule = bindSchedule(task.schedule, previous?.schedule, boundBy(access));
      }
      refuseImportSchedule(task);
      await store.tasks.save(task);
      return view(store, task);
    },
  );
  app.patch(
    '/api/tasks/:id/schedule',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['tasks'],
        summary:
          "Set a task's interval and/or a change-driven task's change gap (operators too), within the range its workspace allows",
        params: IdParams,
        body: z
          .object({
            everyMinutes: z.number().positive().optional(),
            changeGapMinutes: z.number().positive().max(MAX_INTERVAL_MINUTES).optional(),
          })
          .strict(),
      },
    },
    async (req) => {
      const { store, access } = req;
      const task = await store.tasks.get(req.params.id);
      const { everyMinutes, changeGapMinutes } = req.body;
      const current = task.schedule;
      const onChange = current?.onChange === true;
      if (everyMinutes === undefined && changeGapMinutes === undefined)
        throw new ValidationError('give everyMinutes, changeGapMinutes or both', {
          details: { field: 'everyMinutes' },
        });
      // Only a change-driven task has a gap; stored on another it would wait for nothing.
      if (changeGapMinutes !== undefined && !onChange)
        throw new ValidationError('only a task that runs on changes has a change gap', {
          details: { field: 'changeGapMinutes' },
        });
      // A change-driven task keeps waking on changes; the interval is its safety net. Without a new interval
      // the task keeps its own (interval, cron or none).
      let schedule: Schedule =
        everyMinutes !== undefined
          ? { everyMinutes, ...(onChange ? { onChange } : {}) }
          : (current as Schedule);
      refuseImportSchedule({ ...task, schedule });
      if (changeGapMinutes !== undefined) schedule = { ...schedule, changeGapMinutes };
      // Bound as PUT's save is: what the task keeps (an interval or cron, its change gap) must lie within the
      // range too, so an operator's save cannot leave a schedule a workspace admin's PUT would be refused.
      const next: Task = { ...task, schedule: bindSchedule(schedule, current, boundBy(access)) };
      await store.tasks.save(next);
      return view(store, next);
    },
  );
  app.delete(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'Delete a task and its history', params: IdParams } },
    async (req) => {
      await req.store.tasks.get(req.params.id);
      await req.store.tasks.delete(req.params.id);
      return { ok: true };
    },
  );
  app.post(
    '/api/tasks/:id/run',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['tasks'],
        summary: 'Run the task now (confirmDeletes: allow deletions beyond the mass-deletion guard, audited)',
        params: IdParams,
        body: z
          .object({ confirmDeletes: z.boolean().optional() })
          .strict()
          // No body at all is an ordinary "run now".
          .nullish(),
      },
    },
    async (req, reply) => {
      await req.store.tasks.get(req.params.id);
      // Running is an operator's; letting a run delete beyond the mass-deletion guard is the workspace admin's.
      if (req.body?.confirmDeletes && req.access.role !== 'admin')
        throw new ForbiddenError('confirming deletions beyond the guard needs the admin role', {
          details: { needed: 'admin', role: req.access.role },
        });
      const started = await deps.runs.runNow(req.params.id, 'manual', {
        confirmDeletes: req.body?.confirmDeletes ?? false,
        by: req.user?.username ?? 'api',
      });
      return reply.code(202).send(started);
    },
  );
  app.post(
    '/api/tasks/:id/dry-run',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['tasks'],
        summary: 'What the next run would create, update or fail — without writing',
        params: IdParams,
        body: z
          .object({ maxRecords: z.number().int().min(1).max(100_000).default(10_000) })
          .default({ maxRecords: 10_000 }),
      },
    },
    async (req) => {
      await req.store.tasks.get(req.params.id);
      return deps.runs.dryRun(req.params.id, { maxRecords: req.body.maxRecords, maxItems: 200 });
    },
  );
}
