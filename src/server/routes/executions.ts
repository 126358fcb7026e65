import { z } from 'zod';
import { EXECUTION_STATUSES, ITEM_ACTIONS } from '../../core/types.ts';
import { type Api, IdParams, Paging } from '../api.ts';
import type { ServerDeps } from '../app.ts';

const FINISHED = new Set(['succeeded', 'warning', 'failed', 'cancelled']);

/** Executions: history with filters, detail, items, live progress (SSE), the error log, retry failed. */
export async function executionRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const { store } = deps;
  app.get(
    '/api/executions',
    {
      schema: {
        tags: ['executions'],
        summary: 'Sync history, newest first',
        querystring: Paging.extend({
          taskId: z.string().optional(),
          status: z.enum(EXECUTION_STATUSES).optional(),
          from: z.coerce.date().optional(),
          to: z.coerce.date().optional(),
        }),
      },
    },
    async (req) => ({ executions: await store.executions.list(req.query) }),
  );
  app.get(
    '/api/executions/:id',
    { schema: { tags: ['executions'], summary: 'One execution with item counts', params: IdParams } },
    async (req) => {
      const execution = await store.executions.get(req.params.id);
      return { ...execution, itemCount: await store.executions.itemCount(execution.id) };
    },
  );
  app.get(
    '/api/executions/:id/items',
    {
      schema: {
        tags: ['executions'],
        summary: 'The objects of a run with action, message and payload',
        params: IdParams,
        querystring: Paging.extend({ action: z.enum(ITEM_ACTIONS).optional() }),
      },
    },
    async (req) => {
      await store.executions.get(req.params.id);
      const items = await store.executions.items(req.params.id, req.query);
      return { items, total: await store.executions.itemCount(req.params.id, req.query.action) };
    },
  );
  app.get(
    '/api/executions/:id/events',
    {
      schema: {
        tags: ['executions'],
        summary: 'Live progress as server-sent events (counts until the run ends)',
        params: IdParams,
      },
    },
    async (req, reply) => {
      let execution = await store.executions.get(req.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let closed = false;
      req.raw.on('close', () => {
        closed = true;
      });
      let last = '';
      // Polls the store, so progress shows whichever process or worker runs the task.
      while (!closed) {
        const snapshot = JSON.stringify({ status: execution.status, counts: execution.counts });
        if (snapshot !== last) {
          send('progress', { id: execution.id, status: execution.status, counts: execution.counts });
          last = snapshot;
        }
        if (FINISHED.has(execution.status)) {
          send('end', execution);
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
        execution = await store.executions.get(req.params.id);
      }
      res.end();
    },
  );
  app.post(
    '/api/executions/:id/retry',
    {
      schema: {
        tags: ['executions'],
        summary: "Retry the run's failed records: mark them and run the task now",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const execution = await store.executions.get(req.params.id);
      const task = await store.tasks.get(execution.taskId);
      const mapping = await store.mappings.get(task.mappingId);
      const keys: string[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await store.executions.items(execution.id, { action: 'fail', limit: 1000, offset });
        keys.push(...page.map((i) => i.sourceKey));
        if (page.length < 1000) break;
      }
      const marked = await store.syncLinks.markForRetry(
        {
          sourceConnectionId: mapping.source.connectionId,
          sourceObject: mapping.source.object,
          targetConnectionId: mapping.target.connectionId,
          targetObject: mapping.target.object,
        },
        keys,
      );
      const started = marked
        ? await deps.runs.runNow(task.id, 'manual')
        : { executionId: null, queued: false };
      return reply.code(202).send({ marked, ...started });
    },
  );
  app.get(
    '/api/errors',
    {
      schema: {
        tags: ['executions'],
        summary: 'Error log across all tasks, newest first, with the payloads that should have been sent',
        querystring: Paging.extend({ taskId: z.string().optional(), code: z.string().optional() }),
      },
    },
    async (req) => ({
      groups: await store.executions.failureCodes({
        ...(req.query.taskId ? { taskId: req.query.taskId } : {}),
      }),
      items: await store.executions.failedItems(req.query),
    }),
  );
}
