import { z } from 'zod';
import { ImportTaskNotRunnableError, isImportTask } from '../../core/import-task.ts';
import { TaskSchema } from '../../core/task.ts';
import type { Task } from '../../core/types.ts';
import { nextRunFor } from '../../scheduler/due.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** Runs of each task listed with it (newest first): the tasks page shows them without another request. */
const RECENT_RUNS = 5;

/** The API's body of a task: the task's one schema, its id taken from the path. */
export const TaskBody = TaskSchema.omit({ id: true });

/** Tasks: CRUD, next/last run, run now, dry run. */
export async function taskRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const { store } = deps;
  // The scheduler's own rule (settings' time zone, coalescing), so the API shows when it will really run.
  const view = async (task: Task) => {
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
    async () => ({
      tasks: await Promise.all((await store.tasks.list()).map(view)),
    }),
  );
  app.get(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'One task', params: IdParams } },
    async (req) => view(await store.tasks.get(req.params.id)),
  );
  app.put(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'Create or replace a task', params: IdParams, body: TaskBody } },
    async (req) => {
      await store.mappings.get(req.body.mappingId);
      const task: Task = { id: req.params.id, ...req.body };
      if (isImportTask(task) && (task.schedule || task.enabled))
        throw new ImportTaskNotRunnableError(
          `'${task.id}' records imports into its mapping: it takes no schedule and stays disabled`,
          { details: { field: task.schedule ? 'schedule' : 'enabled', taskId: task.id } },
        );
      await store.tasks.save(task);
      return view(task);
    },
  );
  app.delete(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'Delete a task and its history', params: IdParams } },
    async (req) => {
      await store.tasks.get(req.params.id);
      await store.tasks.delete(req.params.id);
      return { ok: true };
    },
  );
  app.post(
    '/api/tasks/:id/run',
    {
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
      schema: {
        tags: ['tasks'],
        summary: 'What the next run would create, update or fail — without writing',
        params: IdParams,
        body: z
          .object({ maxRecords: z.number().int().min(1).max(100_000).default(10_000) })
          .default({ maxRecords: 10_000 }),
      },
    },
    async (req) => deps.runs.dryRun(req.params.id, { maxRecords: req.body.maxRecords, maxItems: 200 }),
  );
}
