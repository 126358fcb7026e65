import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { askedWorkspace, identify, resolveAccess } from '../auth/auth-plugin.ts';
import { PasswordChangeRequiredError, UnauthenticatedError } from '../errors.ts';
import { metricsOf } from '../metrics.ts';

/** /healthz (store reachable, scheduler alive) and /metrics (Prometheus). */
export async function healthRoutes(app: Api, deps: ServerDeps): Promise<void> {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['ops'], summary: 'Liveness and readiness' } },
    async (_req, reply) => {
      let store = 'ok';
      try {
        await deps.store.db.selectFrom('tasks').select('id').limit(1).execute();
      } catch {
        store = 'unreachable';
      }
      const scheduler = deps.schedulerAlive ? (deps.schedulerAlive() ? 'ok' : 'stopped') : 'not running here';
      const ok = store === 'ok' && scheduler !== 'stopped';
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', store, scheduler, dialect: deps.store.dialect });
    },
  );
  const metricsToken = deps.metricsToken ? Buffer.from(deps.metricsToken) : null;
  /** Scrapes by a workspace's user or token, and whose (null: one who belongs to none); the rest see all. */
  const workspaceOf = new WeakMap<FastifyRequest, string | null>();
  app.get(
    '/metrics',
    {
      // Not open to anyone: task and connection ids, counts and upstream status codes are the operator's.
      // Prometheus sends `Authorization: Bearer <JUNCTION_METRICS_TOKEN>` (or any user's API token).
      config: { public: true },
      schema: {
        tags: ['ops'],
        summary:
          "Prometheus metrics (a login, an API token or the JUNCTION_METRICS_TOKEN bearer token); a workspace's users and tokens get its tasks' and connections' series only",
      },
      onRequest: async (req) => {
        const auth = req.headers.authorization;
        if (metricsToken && auth?.startsWith('Bearer ')) {
          const sent = Buffer.from(auth.slice('Bearer '.length));
          if (sent.length === metricsToken.length && timingSafeEqual(sent, metricsToken)) return;
        }
        const who = await identify(deps.store, req);
        if (!who) throw new UnauthenticatedError('log in, or send an API token or the metrics token');
        if (who.user.mustChangePassword)
          throw new PasswordChangeRequiredError(
            'change your one-time password first (POST /api/auth/password)',
          );
        // The series name tasks and connections of every workspace: a workspace's people see their own.
        const access = await resolveAccess(deps.store, who.user, askedWorkspace(req), who.token ?? null);
        if (!access.instanceAdmin) workspaceOf.set(req, access.workspace?.id ?? null);
      },
    },
    async (req, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      const text = await deps.metrics.registry.metrics();
      const workspace = workspaceOf.get(req);
      if (workspace === undefined) return text;
      const store = workspace === null ? null : deps.store.inWorkspace(workspace);
      return metricsOf(text, {
        tasks: new Set(store ? (await store.tasks.list()).map((t) => t.id) : []),
        connections: new Set(store ? (await store.connections.list()).map((c) => c.id) : []),
      });
    },
  );
}
