import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { ROLES } from '../../core/users.ts';
import { WORKSPACE_ROLES } from '../../core/workspaces.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { hashPassword } from '../auth/passwords.ts';

/** Users (admin only): customers get `viewer` accounts to look into their interfaces. */
export async function userRoutes(app: Api, { store }: ServerDeps): Promise<void> {
  // Users are the instance's: only its administrator makes them; workspaces say what each may do where.
  const admin = { role: 'instance' as const };
  app.get('/api/users', { config: admin, schema: { tags: ['users'], summary: 'List users' } }, async () => ({
    users: await store.users.list(),
  }));
  app.post(
    '/api/users',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: z.object({
          username: z.string().min(2).max(100),
          name: z.string().min(1),
          role: z.enum(ROLES),
          password: z.string().min(10, 'at least 10 characters'),
          /** Where the user may work and as what; default: a viewer of the workspace the request is in. */
          workspaces: z
            .array(z.object({ id: z.string().min(1), role: z.enum(WORKSPACE_ROLES) }).strict())
            .optional(),
        }),
      },
    },
    async (req, reply) => {
      const workspaces =
        req.body.workspaces ??
        (req.body.role === 'admin' || !req.access.workspace
          ? []
          : [{ id: req.access.workspace.id, role: 'viewer' as const }]);
      for (const w of workspaces) await store.workspaces.get(w.id);
      const user = await store.users.create({
        ...req.body,
        workspaces,
        passwordHash: await hashPassword(req.body.password),
        mustChangePassword: true,
      });
      return reply.code(201).send(user);
    },
  );
  app.patch(
    '/api/users/:id',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'Change a user (name, role, password, disabled); a new password revokes their API tokens',
        params: IdParams,
        body: z.object({
          name: z.string().min(1).optional(),
          role: z.enum(ROLES).optional(),
          password: z.string().min(10, 'at least 10 characters').optional(),
          disabled: z.boolean().optional(),
        }),
      },
    },
    async (req) => {
      if (req.params.id === req.user?.id && (req.body.role === 'viewer' || req.body.disabled)) {
        throw new ValidationError('you cannot demote or disable yourself', {
          details: { field: req.body.role ? 'role' : 'disabled' },
        });
      }
      const { password, ...rest } = req.body;
      return store.users.update(req.params.id, {
        ...rest,
        ...(password ? { passwordHash: await hashPassword(password), mustChangePassword: true } : {}),
      });
    },
  );
  app.get(
    '/api/users/:id/tokens',
    {
      config: admin,
      schema: { tags: ['users'], summary: "A user's API tokens (name, expiry, last use)", params: IdParams },
    },
    async (req) => {
      await store.users.get(req.params.id);
      return { tokens: await store.users.listTokens(req.params.id) };
    },
  );
  app.delete(
    '/api/users/:id/tokens/:tokenId',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: "Revoke one of a user's API tokens",
        params: z.object({ id: z.string().min(1), tokenId: z.string().min(1) }),
      },
    },
    async (req) => {
      await store.users.get(req.params.id);
      if (!(await store.users.deleteToken(req.params.id, req.params.tokenId)))
        throw new NotFoundError(`user '${req.params.id}' has no API token '${req.params.tokenId}'`);
      return { ok: true };
    },
  );
  app.delete(
    '/api/users/:id',
    { config: admin, schema: { tags: ['users'], summary: 'Delete a user', params: IdParams } },
    async (req) => {
      if (req.params.id === req.user?.id) throw new ValidationError('you cannot delete yourself');
      await store.users.get(req.params.id);
      await store.users.delete(req.params.id);
      return { ok: true };
    },
  );
}
