import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { identify, resolveAccess } from '../auth/auth-plugin.ts';
import { openEventStream } from '../live/event-stream.ts';
import { createRunFeed } from '../live/run-feed.ts';

/** How often an open stream checks that its session (or token) and its workspace membership still hold. */
const REAUTH_MS = 60_000;

/**
 * Whether the stream's reader may still read its workspace's runs: logged in (session or token alive, user
 * enabled) and still a member of the workspace with a role there (a token: its workspace still exists and
 * its owner is still a member). A member removed from the workspace stops hearing its runs.
 */
async function stillAllowed(store: Store, req: FastifyRequest, workspaceId: string | undefined) {
  const who = await identify(store, req);
  if (!who || workspaceId === undefined) return false;
  try {
    const access = await resolveAccess(store, who.user, workspaceId, who.token ?? null);
    return access.workspace?.id === workspaceId && access.role !== null;
  } catch (err) {
    if (err instanceof NotFoundError) return false; // no longer a member, or the workspace is gone
    throw err;
  }
}

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
      // Runs are what every member of the workspace may read (viewers read tasks and history). The login and
      // the membership are checked again now and then, so a stream does not outlive a logout, a disabled
      // user, an expired session, a removal from the workspace or the workspace's deletion.
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
      const workspaceId = req.access.workspace?.id;
      const reauth = setInterval(() => {
        stillAllowed(deps.store, req, workspaceId)
          .then((ok) => {
            if (!ok) stream.end();
          })
          .catch((err) => deps.log.warn({ err }, 'live feed: could not check the session'));
      }, deps.liveFeed?.reauthMs ?? REAUTH_MS);
      await stream.done;
      clearInterval(reauth);
      unsubscribe();
    },
  );
}
