import { z } from 'zod';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** The record view: every system a source record is in, its key there and its last status. */
export async function recordRoutes(app: Api, _deps: ServerDeps): Promise<void> {
  app.get(
    '/api/records/failing/count',
    {
      schema: {
        tags: ['records'],
        summary:
          'How many records fail to sync now (sync links with status failed or retry), over every mapping',
        response: { 200: z.object({ failed: z.number().int(), retry: z.number().int() }) },
      },
    },
    // From the links, not the items: a record that failed once and went through since is no open error.
    async (req) => req.store.syncLinks.failingCounts(),
  );
  app.get(
    '/api/records/:sourceKey/links',
    {
      schema: {
        tags: ['records'],
        summary: 'Sync links of a source record (optionally narrowed to one source connection and object)',
        params: z.object({ sourceKey: z.string().min(1) }),
        querystring: z.object({ connection: z.string().optional(), object: z.string().optional() }),
      },
    },
    async (req) => {
      const { connection, object } = req.query;
      const links =
        connection && object
          ? await req.store.syncLinks.forSourceRecord(connection, object, req.params.sourceKey)
          : (await req.store.syncLinks.forSourceKey(req.params.sourceKey)).filter(
              (l) =>
                (!connection || l.sourceConnectionId === connection) &&
                (!object || l.sourceObject === object),
            );
      return { sourceKey: req.params.sourceKey, links };
    },
  );
}
