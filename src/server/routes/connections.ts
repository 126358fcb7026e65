import { pino } from 'pino';
import { z } from 'zod';
import {
  maskConfig,
  prepareConnection,
  unreadableUrlPasswordIssues,
} from '../../connectors/connection-secret.ts';
import { assertMayName, createFileAccess } from '../../connectors/file-access.ts';
import { CONNECTORS, createConnector, systemNames } from '../../connectors/registry.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { limitersFor } from '../../runs/limiters.ts';
import type { Store } from '../../store/store.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';

const ConnectionBody = z.object({
  name: z.string().min(1),
  system: z.enum(systemNames()),
  config: z.record(z.string(), z.unknown()).default({}),
  /** Secret fields to set; omitted fields keep their stored value, `null` clears one. */
  secret: z.record(z.string(), z.unknown().nullable()).optional(),
});

/** Connections: the API shows whether each secret field is set, never its value. */
export async function connectionRoutes(
  app: Api,
  { log, connectorFactory, files = createFileAccess({ folders: [] }) }: ServerDeps,
): Promise<void> {
  const view = async (store: Store, id: string) => {
    const c = await store.connections.get(id);
    return {
      id: c.id,
      name: c.name,
      system: c.system,
      config: maskConfig(c.config),
      secret: Object.fromEntries(Object.keys(c.secret).map((k) => [k, 'set'])),
      /** Where the secret may go; pointing the connection elsewhere needs the secret again. */
      secretDestination: c.secretDestination ?? null,
    };
  };

  app.get(
    '/api/connections',
    { schema: { tags: ['connections'], summary: 'List connections' } },
    async (req) => ({
      connections: (await req.store.connections.list()).map((c) => ({ ...c, config: maskConfig(c.config) })),
    }),
  );
  app.get(
    '/api/connections/:id',
    { schema: { tags: ['connections'], summary: 'One connection', params: IdParams } },
    async (req) => view(req.store, req.params.id),
  );
  app.put(
    '/api/connections/:id',
    {
      schema: {
        tags: ['connections'],
        summary: 'Create or replace a connection',
        params: IdParams,
        body: ConnectionBody,
      },
    },
    async (req) => {
      const { store } = req;
      const def = CONNECTORS[req.body.system];
      if (!def)
        throw new ValidationError(`system '${req.body.system}' has no connector yet`, {
          details: { field: 'system' },
        });
      const config = def.configSchema.safeParse(req.body.config);
      const unreadable = unreadableUrlPasswordIssues(req.body.config);
      if (!config.success || unreadable.length) {
        const issues = [
          ...unreadable,
          ...(config.error?.issues ?? []).map((i) => ({
            field: ['config', ...i.path.map(String)].join('.'),
            message: i.message,
          })),
        ];
        throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
          details: { issues },
        });
      }
      // A file outside the workspace's files folder is refused now, not first when the connection is used.
      const own = files.forWorkspace(store.workspaceId);
      for (const path of def.localFiles?.(config.data) ?? []) assertMayName(own, path);
      const stored = await store.connections.get(req.params.id).catch((err) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      // URL passwords move into the secret; a changed destination needs the secret entered again.
      const connection = prepareConnection({ id: req.params.id, ...req.body }, stored);
      const checked = def.secretSchema.safeParse(connection.secret);
      if (!checked.success) {
        const issues = checked.error.issues.map((i) => ({
          field: ['secret', ...i.path.map(String)].join('.'),
          message: i.message,
        }));
        throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
          details: { issues },
        });
      }
      await store.connections.save(connection);
      return view(store, req.params.id);
    },
  );
  app.delete(
    '/api/connections/:id',
    { schema: { tags: ['connections'], summary: 'Delete a connection', params: IdParams } },
    async (req) => {
      await req.store.connections.get(req.params.id);
      await req.store.connections.delete(req.params.id);
      return { ok: true };
    },
  );

  const withConnector = async <T>(
    store: Store,
    id: string,
    fn: (c: ReturnType<typeof createConnector>) => Promise<T>,
  ) => {
    const connection = await store.connections.get(id);
    const ac = new AbortController();
    const connector = (connectorFactory ?? createConnector)(connection, {
      log: log ?? pino({ level: 'silent' }),
      signal: ac.signal,
      // The store's budgets (shared by every process on PostgreSQL), drawn for the connection's workspace.
      limiters: limitersFor(store),
    });
    try {
      return await fn(connector);
    } finally {
      ac.abort();
      await connector.close?.();
    }
  };
  app.post(
    '/api/connections/:id/test',
    { schema: { tags: ['connections'], summary: 'Test a connection', params: IdParams } },
    async (req) => withConnector(req.store, req.params.id, (c) => c.check()),
  );
  app.get(
    '/api/connections/:id/describe',
    {
      // Live calls with the stored credentials, and the whole schema of the business database: admins only.
      config: { role: 'admin' },
      schema: {
        tags: ['connections'],
        summary: 'Objects and fields of the system (for the mapping editor)',
        params: IdParams,
      },
    },
    async (req) => ({ objects: await withConnector(req.store, req.params.id, (c) => c.describe()) }),
  );
}
