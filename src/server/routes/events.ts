import type { FastifyInstance } from 'fastify';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { identify } from '../auth/auth-plugin.ts';
import { openEventStream } from '../live/event-stream.ts';
import { createRunFeed } from '../live/run-feed.ts';

/** How often an open stream checks that its session (or token) is still valid. */
const REAUTH_MS = 60_000;

/**
 * The live feed of runs for the dashboard: one server-sent-events stream per open tab, fed by one look
 * at the store a second (see `createRunFeed`).
 */
export async function eventRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const feed = createRunFeed(deps.store, deps.log, deps.liveFeed ?? {});
  app.addHook('onClose', async () => feed.close());
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['executions'],
        summary:
          'Live runs as server-sent events: `snapshot` (the runs queued or running now), then `run` at every begin, committed page and end',
      },
    },
    async (req, reply) => {
      // Runs are what every member of the workspace may read (viewers read tasks and history). The login
      // is checked again now and then, so a stream does not outlive a logout, a disabled user or an
      // expired session.
      const stream = openEventStream(app as unknown as FastifyInstance, req, reply);
      // One feed for the server, each stream told only its workspace's runs. A task never changes workspace,
      // so the answer per task is kept (as a promise: a task's events stay in order while it is asked).
      const owned = new Map<string, Promise<boolean>>();
      const own = (taskId: string) => {
        let known = owned.get(taskId);
        if (!known) {
          known = req.store.tasks.workspaceOf(taskId).then(
            () => true,
            () => false,
          );
          owned.set(taskId, known);
        }
        return known;
      };
      const active = await feed.active();
      const mine = await Promise.all(active.map((r) => own(r.taskId)));
      stream.send('snapshot', { runs: active.filter((_, i) => mine[i]) });
      const unsubscribe = feed.subscribe((event) => {
        void own(event.taskId).then((ok) => {
          if (ok && !stream.closed) stream.send('run', event);
        });
      });
      const reauth = setInterval(() => {
        identify(deps.store, req)
          .then((who) => {
            if (!who) stream.end();
          })
          .catch((err) => deps.log.warn({ err }, 'live feed: could not check the session'));
      }, REAUTH_MS);
      await stream.done;
      clearInterval(reauth);
      unsubscribe();
    },
  );
}
