import { z } from 'zod';
import { type Api, Paging } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** Routes whose successful changes are configuration changes worth an audit entry. */
const AUDITED = /^\/api\/(connections|mappings|tasks|users|settings|workspaces|auth\/tokens|tokens)(\/|$)/;
/** Actions on those routes that change no configuration (running, testing, previewing): not audited. */
const NOT_CHANGES = /\/(run|dry-run|test|preview|describe|check)$/;

/**
 * The audit log: `GET /api/audit` for admins (paged, by kind and time), and the one place that records
 * who changed the configuration and who logged in. Entries name people by their user name and records by
 * route and id; a failed login keeps no user name (a password typed into the wrong field stays out).
 */
export async function auditRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const { store, log } = deps;
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route || req.method === 'GET' || req.method === 'HEAD') return;
    const record = (kind: string, details: Record<string, unknown>) =>
      // Inside a workspace the entry is the workspace's; a login (no workspace yet) and the instance
      // administrator's own business (users, settings, workspaces) are the instance's, whichever workspace
      // the administrator has open.
      (req.store && req.routeOptions.config?.role !== 'instance' ? req.store : store).audit
        .record({ kind, connectionId: '', subject: `${req.method} ${route}`, details })
        .catch((err) => log.error({ err, kind }, 'writing an audit entry failed'));
    if (route === '/api/auth/login') {
      if (reply.statusCode === 200)
        await record('login', { by: (req.body as { username?: string } | undefined)?.username ?? null });
      else if (reply.statusCode === 401) await record('login_failed', { status: 401 });
      return;
    }
    if (reply.statusCode >= 400 || !AUDITED.test(route) || NOT_CHANGES.test(route)) return;
    await record('change', {
      by: req.user?.username ?? null,
      id: (req.params as { id?: string } | undefined)?.id ?? null,
      status: reply.statusCode,
    });
  });

  app.get(
    '/api/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['audit'],
        summary:
          'Audit log, newest first: privacy deletions, erasures, exports, confirmed mass deletions, logins, configuration changes',
        querystring: Paging.extend({
          kind: z.string().optional(),
          from: z.coerce.date().optional(),
          to: z.coerce.date().optional(),
        }),
      },
    },
    async (req) => ({
      entries: await req.store.audit.list({ ...req.query, withInstance: req.access.instanceAdmin }),
    }),
  );
}
