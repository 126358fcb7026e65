import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

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
  app.get(
    '/metrics',
    { config: { public: true }, schema: { tags: ['ops'], summary: 'Prometheus metrics' } },
    async (_req, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}
