import { timingSafeEqual } from 'node:crypto';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { identify } from '../auth/auth-plugin.ts';
import { PasswordChangeRequiredError, UnauthenticatedError } from '../errors.ts';

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
  app.get(
    '/metrics',
    {
      // Not open to anyone: task and connection ids, counts and upstream status codes are the operator's.
      // Prometheus sends `Authorization: Bearer <JUNCTION_METRICS_TOKEN>` (or any user's API token).
      config: { public: true },
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (a login, an API token or the JUNCTION_METRICS_TOKEN bearer token)',
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
      },
    },
    async (_req, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}
