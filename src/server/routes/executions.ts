import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EXECUTION_STATUSES, ITEM_ACTIONS } from '../../core/types.ts';
import { type Api, IdParams, Paging } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { openEventStream } from '../live/event-stream.ts';
import { retryRecords } from './errors.ts';

const FINISHED = new Set(['succeeded', 'warning', 'failed', 'cancelled']);

/** Executions: history with filters, detail, items, live progress (SSE), retry failed. */
export async function executionRoutes(app: Api, deps: ServerDeps): Promise<void> {
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
    async (req) => ({ executions: await req.store.executions.list(req.query) }),
  );
  app.get(
    '/api/executions/:id',
    { schema: { tags: ['executions'], summary: 'One execution with item counts', params: IdParams } },
    async (req) => {
      const execution = await req.store.executions.get(req.params.id);
      return { ...execution, itemCount: await req.store.executions.itemCount(execution.id) };
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
      await req.store.executions.get(req.params.id);
      const items = await req.store.executions.items(req.params.id, req.query);
      return { items, total: await req.store.executions.itemCount(req.params.id, req.query.action) };
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
      let execution = await req.store.executions.get(req.params.id);
      const stream = openEventStream(app as unknown as FastifyInstance, req, reply);
      let last = '';
      // Polls the store, so progress shows whichever process or worker runs the task.
      while (!stream.closed) {
        const snapshot = JSON.stringify({ status: execution.status, counts: execution.counts });
        if (snapshot !== last) {
          stream.send('progress', { id: execution.id, status: execution.status, counts: execution.counts });
          last = snapshot;
        }
        if (FINISHED.has(execution.status)) {
          stream.send('end', execution);
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
        execution = await req.store.executions.get(req.params.id);
      }
      stream.end();
    },
  );
  app.post(
    '/api/executions/:id/retry',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['executions'],
        summary: "Retry the run's failed records: mark them and run the task now",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const execution = await req.store.executions.get(req.params.id);
      const keys: string[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await req.store.executions.items(execution.id, { action: 'fail', limit: 1000, offset });
        keys.push(...page.map((i) => i.sourceKey));
        if (page.length < 1000) break;
      }
      const started = await retryRecords(
        { store: req.store, runs: deps.runs },
        execution.taskId,
        keys,
        req.user?.username,
      );
      return reply.code(202).send(started);
    },
  );
}
