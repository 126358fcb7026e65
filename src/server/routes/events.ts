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
      // Runs are what every logged-in user may read (viewers read tasks and history): the login the
      // auth hook checked is the whole scope. It is checked again now and then, so a stream does not
      // outlive a logout, a disabled user or an expired session.
      const stream = openEventStream(app as unknown as FastifyInstance, req, reply);
      stream.send('snapshot', { runs: await feed.active() });
      const unsubscribe = feed.subscribe((event) => stream.send('run', event));
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
