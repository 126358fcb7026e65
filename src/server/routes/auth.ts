import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { roleAtLeast, WORKSPACE_ROLES } from '../../core/workspaces.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import {
  DEFAULT_TOKEN_DAYS,
  issueApiToken,
  SESSION_COOKIE,
  sha256,
  startSession,
} from '../auth/auth-plugin.ts';
import {
  createLoginGuard,
  type LoginAttempt,
  type LoginGuard,
  LoginThrottledError,
} from '../auth/login-guard.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import {
  ForbiddenError,
  InvalidCredentialsError,
  PasswordUnchangedError,
  TokenRoleTooHighError,
  UnauthenticatedError,
  WrongCurrentPasswordError,
} from '../errors.ts';

const publicUser = (u: {
  id: string;
  username: string;
  name: string;
  role: string;
  mustChangePassword: boolean;
}) => ({
  id: u.id,
  username: u.username,
  name: u.name,
  role: u.role,
  mustChangePassword: u.mustChangePassword,
});

declare module '../app.ts' {
  interface ServerDeps {
    /** Failed-login limits per username and for the whole hub (default: `createLoginGuard()`). */
    loginGuard?: LoginGuard;
  }
}

/** Login, logout, who am I, own password, own API tokens. */
export async function authRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const { store, secureCookies } = deps;
  const loginGuard = deps.loginGuard ?? createLoginGuard();
  app.post(
    '/api/auth/login',
    {
      config: {
        // Public: its body limit is PUBLIC_BODY_LIMIT (16 KB), see installAuth.
        public: true,
        // Per address and per username, so neither many addresses nor many accounts get more guesses.
        rateLimit: {
          max: 10,
          timeWindow: '1 minute',
          keyGenerator: (req) =>
            `${req.ip}|${String((req.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Log in (sets the session cookie)',
        body: z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }),
      },
    },
    async (req, reply) => {
      // Before any password is hashed: per username across addresses, and on the whole hub.
      let attempt: LoginAttempt;
      try {
        attempt = loginGuard.begin(req.body.username);
      } catch (err) {
        if (err instanceof LoginThrottledError)
          reply.header('retry-after', String(err.details?.retryAfterSeconds ?? 1));
        throw err;
      }
      const found = await store.users.findForLogin(req.body.username);
      // Verify even for unknown users so timing does not tell which usernames exist.
      const ok = await verifyPassword(
        req.body.password,
        found?.passwordHash ??
          'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      );
      if (!found || !ok || found.user.disabled)
        throw new InvalidCredentialsError('wrong username or password');
      attempt.succeeded();
      const csrfToken = await startSession(store, reply, found.user, Boolean(secureCookies));
      return { user: publicUser(found.user), csrfToken };
    },
  );
  app.post(
    '/api/auth/logout',
    { config: { role: 'self' }, schema: { tags: ['auth'], summary: 'Log out' } },
    async (req, reply) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) await store.users.deleteSession(sha256(cookie));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );
  app.get(
    '/api/auth/me',
    {
      config: { role: 'self' },
      schema: {
        tags: ['auth'],
        summary:
          'The logged-in user, the CSRF token of the session, and the workspaces they may work in (with their role in each)',
      },
    },
    async (req) => {
      if (!req.user) throw new UnauthenticatedError('not logged in');
      const cookie = req.cookies[SESSION_COOKIE];
      const session = cookie ? await store.users.findSession(sha256(cookie)) : null;
      const { access } = req;
      return {
        user: publicUser(req.user),
        csrfToken: session?.csrfToken ?? null,
        instanceAdmin: access.instanceAdmin,
        workspace: access.workspace
          ? { id: access.workspace.id, name: access.workspace.name, role: access.role }
          : null,
        workspaces: access.workspaces.map((w) => ({ id: w.id, name: w.name, role: w.role })),
      };
    },
  );
  /**
   * The account itself (password, tokens, sessions) is managed logged in, never with an API token: a
   * leaked read-only token must not mint a replacement that outlives its revocation, end its owner's
   * sessions, or guess the owner's password.
   */
  const sessionOnly = async (req: FastifyRequest) => {
    if (req.authKind !== 'session')
      throw new ForbiddenError('the account is managed logged in to the dashboard, not with an API token');
  };
  app.post(
    '/api/auth/password',
    {
      config: { role: 'self' },
      preHandler: sessionOnly,
      schema: {
        tags: ['auth'],
        summary: 'Change own password (ends the other sessions and revokes every own API token)',
        body: z.object({
          currentPassword: z.string().min(1),
          newPassword: z.string().min(10, 'at least 10 characters'),
        }),
      },
    },
    async (req, reply) => {
      const user = req.user;
      if (!user) throw new UnauthenticatedError('not logged in');
      // The current password is a login: the same guard against guessing (per user and hub-wide).
      let attempt: LoginAttempt;
      try {
        attempt = loginGuard.begin(user.username);
      } catch (err) {
        if (err instanceof LoginThrottledError)
          reply.header('retry-after', String(err.details?.retryAfterSeconds ?? 1));
        throw err;
      }
      const found = await store.users.findForLogin(user.username);
      if (!found || !(await verifyPassword(req.body.currentPassword, found.passwordHash))) {
        throw new WrongCurrentPasswordError('the current password is wrong', {
          details: { field: 'currentPassword' },
        });
      }
      attempt.succeeded();
      // Keeping the one-time password (or any old one) is no change: it may have been seen in a terminal.
      if (await verifyPassword(req.body.newPassword, found.passwordHash)) {
        throw new PasswordUnchangedError('the new password must differ from the current one', {
          details: { field: 'newPassword' },
        });
      }
      // Other sessions (a browser left logged in elsewhere) end, and so do all API tokens; this session goes on.
      const cookie = req.cookies[SESSION_COOKIE];
      await store.users.update(
        user.id,
        { passwordHash: await hashPassword(req.body.newPassword), mustChangePassword: false },
        cookie ? { keepSession: sha256(cookie) } : {},
      );
      return { ok: true };
    },
  );
  app.get(
    '/api/auth/tokens',
    {
      config: { role: 'self' },
      preHandler: sessionOnly,
      schema: { tags: ['auth'], summary: 'Own API tokens (without their secrets)' },
    },
    async (req) => {
      return { tokens: await store.users.listTokens(req.user?.id ?? '') };
    },
  );
  app.post(
    '/api/auth/tokens',
    {
      config: { role: 'self' },
      preHandler: sessionOnly,
      schema: {
        tags: ['auth'],
        summary:
          'Create an API token (shown once); it expires after `expiresInDays` (default 90, null: never)',
        body: z.object({
          name: z.string().trim().min(1).max(100),
          expiresInDays: z.number().int().min(1).max(3650).nullable().default(DEFAULT_TOKEN_DAYS),
          /** The role the token acts with in its workspace: the owner's there (default) or lower. */
          role: z.enum(WORKSPACE_ROLES).optional(),
          /** The one workspace the token acts in (default: the current one). */
          workspace: z.string().min(1).optional(),
        }),
      },
    },
    async (req, reply) => {
      const user = req.user;
      if (!user) throw new UnauthenticatedError('not logged in');
      const wanted = req.body.workspace ?? req.access.workspace?.id;
      const where = req.access.workspaces.find((w) => w.id === wanted);
      if (!where)
        throw wanted
          ? new NotFoundError(`workspace '${wanted}' does not exist`)
          : new ValidationError('you belong to no workspace a token could act in', {
              details: { field: 'workspace' },
            });
      const role = req.body.role ?? where.role;
      if (!roleAtLeast(where.role, role))
        throw new TokenRoleTooHighError(
          `a token cannot have a role above your own in '${where.id}' (${where.role})`,
          { details: { field: 'role', role: where.role } },
        );
      const t = await issueApiToken(store, user.id, req.body.name, req.body.expiresInDays, role, where.id);
      return reply
        .code(201)
        .send({ id: t.id, token: t.token, role, workspaceId: where.id, expiresAt: t.expiresAt });
    },
  );
  app.get(
    '/api/auth/sessions',
    {
      config: { role: 'self' },
      preHandler: sessionOnly,
      schema: { tags: ['auth'], summary: 'Own login sessions (the current one marked)' },
    },
    async (req) => {
      const cookie = req.cookies[SESSION_COOKIE];
      return {
        sessions: await store.users.listSessions(req.user?.id ?? '', cookie ? sha256(cookie) : undefined),
      };
    },
  );
  app.delete(
    '/api/auth/sessions/:id',
    {
      config: { role: 'self' },
      preHandler: sessionOnly,
      schema: {
        tags: ['auth'],
        summary: 'End one of the own sessions (log out a browser elsewhere)',
        params: z.object({ id: z.string() }),
      },
    },
    async (req) => {
      if (!(await store.users.endSession(req.user?.id ?? '', req.params.id)))
        throw new NotFoundError(`you have no session '${req.params.id}'`);
      return { ok: true };
    },
  );
  app.delete(
    '/api/auth/tokens/:id',
    {
      config: { role: 'self' },
      preHandler: sessionOnly,
      schema: { tags: ['auth'], summary: 'Revoke an own API token', params: z.object({ id: z.string() }) },
    },
    async (req) => {
      if (!(await store.users.deleteToken(req.user?.id ?? '', req.params.id)))
        throw new NotFoundError(`you have no API token '${req.params.id}'`);
      return { ok: true };
    },
  );
}
