import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { refuseImportTask } from '../../core/import-task.ts';
import { recordDisplayName } from '../../core/record-name.ts';
import { RESOLUTION_STATES } from '../../store/repositories/error-worklist.ts';
import type { Store } from '../../store/store.ts';
import { type Api, Paging } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** A record of a task: the address of one worklist row. */
const RecordRef = z.object({ taskId: z.string().min(1), sourceKey: z.string().min(1) });

const WorklistQuery = Paging.extend({
  taskId: z.string().optional(),
  code: z.string().optional(),
  since: z.coerce.date().optional(),
  state: z.enum(['open', ...RESOLUTION_STATES]).default('open'),
});

/**
 * Marks these records of a task for another try and runs the task now (the run's "retry failed" and the
 * error log's "retry selected" both come here).
 */
export async function retryRecords(
  deps: Pick<ServerDeps, 'store' | 'runs'>,
  taskId: string,
  keys: string[],
  by?: string,
): Promise<{ marked: number; executionId: string | null; queued: boolean }> {
  const task = await deps.store.tasks.get(taskId);
  refuseImportTask(task);
  const mapping = await deps.store.mappings.get(task.mappingId);
  const marked = await deps.store.syncLinks.markForRetry(
    {
      sourceConnectionId: mapping.source.connectionId,
      sourceObject: mapping.source.object,
      targetConnectionId: mapping.target.connectionId,
      targetObject: mapping.target.object,
    },
    keys,
  );
  if (!marked) return { marked, executionId: null, queued: false };
  return { marked, ...(await deps.runs.runNow(task.id, 'manual', by ? { by } : {})) };
}

/** Groups record references by task, keeping each task's keys once. */
function byTask(records: { taskId: string; sourceKey: string }[]): Map<string, string[]> {
  const tasks = new Map<string, Set<string>>();
  for (const r of records) tasks.set(r.taskId, (tasks.get(r.taskId) ?? new Set()).add(r.sourceKey));
  return new Map([...tasks].map(([task, keys]) => [task, [...keys]]));
}

async function knownTasks(store: Store, ids: Iterable<string>): Promise<void> {
  for (const id of ids) await store.tasks.get(id); // NotFoundError names the unknown task
}

/** The error log as a worklist: open failures per record and task, resolve or ignore them, retry them. */
export async function errorRoutes(app: Api, deps: ServerDeps): Promise<void> {
  app.get(
    '/api/errors',
    {
      schema: {
        tags: ['errors'],
        summary:
          'The error log: one row per record and task whose latest result there is a failure (latest failure, attempts, since when), newest first; `total` without a filter is the open errors count',
        querystring: WorklistQuery,
      },
    },
    async (req) => {
      const { limit, offset, ...filter } = req.query;
      const { errors, total } = await req.store.errors.list({ ...filter, limit, offset });
      const { code: _code, ...withoutCode } = filter;
      return {
        total,
        codes: await req.store.errors.codes(withoutCode),
        errors: errors.map((e) => ({ ...e, name: recordDisplayName(e.payload) })),
      };
    },
  );
  app.get(
    '/api/errors/count',
    {
      schema: {
        tags: ['errors'],
        summary: 'How many records fail now (open rows of the error log): the dashboard\'s "open errors"',
        response: { 200: z.object({ open: z.number().int() }) },
      },
    },
    async (req) => ({ open: await req.store.errors.count() }),
  );
  app.post(
    '/api/errors/resolve',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['errors'],
        summary:
          'Mark records of tasks resolved or ignored, with a note (`reopen` takes the mark off); a later failure opens them again',
        body: z
          .object({
            records: z.array(RecordRef).min(1).max(1000),
            state: z.enum([...RESOLUTION_STATES, 'reopen']),
            note: z.string().trim().max(2000).optional(),
          })
          .strict(),
      },
    },
    async (req) => {
      const tasks = byTask(req.body.records);
      await knownTasks(req.store, tasks.keys());
      let changed = 0;
      for (const [taskId, sourceKeys] of tasks) {
        changed +=
          req.body.state === 'reopen'
            ? await req.store.errors.reopen({ taskId, sourceKeys })
            : await req.store.errors.resolve({
                taskId,
                sourceKeys,
                state: req.body.state,
                note: req.body.note || null,
                by: req.user?.username ?? null,
              });
      }
      return { changed };
    },
  );
  app.post(
    '/api/errors/retry',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['errors'],
        summary: 'Retry these records: mark them for another try and run each of their tasks now',
        body: z.object({ records: z.array(RecordRef).min(1).max(1000) }).strict(),
      },
    },
    async (req, reply) => {
      const tasks = byTask(req.body.records);
      await knownTasks(req.store, tasks.keys());
      const runs = [];
      for (const [taskId, keys] of tasks) {
        const started = await retryRecords(
          { store: req.store, runs: deps.runs },
          taskId,
          keys,
          req.user?.username,
        );
        runs.push({ taskId, ...started });
      }
      if (runs.every((r) => r.marked === 0))
        throw new NotFoundError('none of these records has a sync link to retry', {
          details: { records: req.body.records.length },
        });
      return reply.code(202).send({ runs });
    },
  );
}
