import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import type { User } from '../../core/users.ts';
import {
  DEFAULT_WORKSPACE,
  lowerRole,
  roleAtLeast,
  type Workspace,
  type WorkspaceRole,
} from '../../core/workspaces.ts';
import type { Store } from '../../store/store.ts';
import { CsrfError, ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from '../errors.ts';

export const SESSION_COOKIE = 'junction_session';
/** Body limit of public routes (login, OAuth callback, health) unless one sets its own (webhooks). */
export const PUBLIC_BODY_LIMIT = 16 * 1024;
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Who the request acts as, and where: the workspace it works in and the role it has there. */
export interface Access {
  /** The instance administrator (and only through a session or an admin token): users, workspaces, settings. */
  instanceAdmin: boolean;
  /** The workspace the request works in; null for a user who belongs to none (only their own account). */
  workspace: Workspace | null;
  /** The role in that workspace (a token's, capped by its owner's there). */
  role: WorkspaceRole | null;
  /** Every workspace the user may switch to, with their role there (the dashboard's switcher). */
  workspaces: (Workspace & { role: WorkspaceRole })[];
}

/**
 * What a route needs: a role in the request's workspace, `instance` (the instance administrator) or `self`
 * (any logged-in user, about their own account).
 */
export type RouteRole = WorkspaceRole | 'instance' | 'self';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    /** How the user was authenticated; cookie sessions need the CSRF header on changes. */
    authKind: 'session' | 'token' | null;
    /** The workspace and role the request acts with (set for every authenticated route). */
    access: Access;
    /**
     * The store as the request's workspace sees it: every route reads and writes through it, so another
     * workspace's objects are "does not exist" (404) without a route having to remember it.
     */
    store: Store;
  }
  interface FastifyContextConfig {
    /** No login needed (login itself, health, webhooks). */
    public?: boolean;
    /** What the route needs; default: viewer for GET, admin (of the workspace) for everything else. */
    role?: RouteRole;
  }
}

/** Header naming the workspace a request works in (the dashboard sends its switcher's choice). */
export const WORKSPACE_HEADER = 'x-junction-workspace';
/** The workspace a request names: the header (the dashboard's switcher), else `?workspace=` (EventSource). */
export function askedWorkspace(request: FastifyRequest): string | undefined {
  const header = request.headers[WORKSPACE_HEADER];
  const query = (request.query as { workspace?: unknown } | undefined)?.workspace;
  return typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
}

/** A workspace no one has: the view of a user without any (it sees nothing). */
const NO_WORKSPACE = '\u0000none';

/**
 * Works out the request's workspace and role. Asked for a workspace the user is no member of (or that does
 * not exist), the answer is the same 404 either way, so workspaces of others cannot be discovered.
 */
export async function resolveAccess(
  store: Store,
  user: User,
  asked: string | undefined,
  token: { role: WorkspaceRole; workspaceId: string } | null,
): Promise<Access> {
  const ownerAdmin = user.role === 'admin';
  // Only an admin token of the instance administrator keeps the instance's rights; a viewer token of theirs reads.
  const instanceAdmin = ownerAdmin && (!token || token.role === 'admin');
  const workspaces = ownerAdmin
    ? (await store.workspaces.list()).map((w) => ({ ...w, role: 'admin' as const }))
    : await store.workspaces.membershipsOf(user.id);
  const notFound = (id: string) => new NotFoundError(`workspace '${id}' does not exist`);
  // A token acts in its one workspace; naming another is answered as if it did not exist.
  if (token && asked !== undefined && asked !== token.workspaceId) throw notFound(asked);
  const wanted =
    token?.workspaceId ??
    asked ??
    (workspaces.find((w) => w.id === DEFAULT_WORKSPACE) ?? workspaces[0])?.id ??
    undefined;
  const found = wanted === undefined ? undefined : workspaces.find((w) => w.id === wanted);
  if (wanted !== undefined && !found && (asked !== undefined || token)) throw notFound(wanted);
  if (!found) return { instanceAdmin, workspace: null, role: null, workspaces };
  const { role: memberRole, ...workspace } = found;
  const role = token ? lowerRole(token.role, memberRole) : memberRole;
  return {
    instanceAdmin,
    workspace,
    role,
    // A token knows its one workspace, not the others its owner may open.
    workspaces: token ? [{ ...workspace, role }] : workspaces,
  };
}

/** What a user with a one-time password may still do. */
const PASSWORD_CHANGE_ROUTES = new Set([
  'GET /api/auth/me',
  'POST /api/auth/password',
  'POST /api/auth/logout',
]);

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts a session: sets the cookie and returns the CSRF token the client must echo on changes. */
export async function startSession(
  store: Store,
  reply: FastifyReply,
  user: User,
  secure: boolean,
): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await store.users.createSession({
    idHash: sha256(id),
    userId: user.id,
    csrfToken,
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
  });
  reply.setCookie(SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: SESSION_TTL_MS / 1000,
  });
  return csrfToken;
}

/** Days an API token lives unless its creator asks for another lifetime. */
export const DEFAULT_TOKEN_DAYS = 90;

/**
 * Makes an API token `jt_<id>.<secret>`; only the secret's hash is stored. It expires after
 * `expiresInDays` (default 90; null: never).
 */
export async function issueApiToken(
  store: Store,
  userId: string,
  name: string,
  expiresInDays: number | null = DEFAULT_TOKEN_DAYS,
  /** The role the token acts with (checked by the caller against the owner's in the workspace). */
  role: WorkspaceRole = 'viewer',
  /** The one workspace the token acts in. */
  workspaceId: string = DEFAULT_WORKSPACE,
): Promise<{ id: string; token: string; expiresAt: string | null }> {
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = expiresInDays === null ? null : new Date(Date.now() + expiresInDays * 86_400_000);
  const saved = await store.users.createToken({
    id,
    userId,
    name,
    tokenHash: sha256(secret),
    expiresAt,
    role,
    workspaceId,
  });
  return { id, token: `jt_${id}.${secret}`, expiresAt: saved.expiresAt };
}

/** Who sent the request (session cookie or API token), or null. */
export async function identify(
  store: Store,
  request: FastifyRequest,
): Promise<{
  user: User;
  kind: 'session' | 'token';
  csrf?: string;
  token?: { role: WorkspaceRole; workspaceId: string };
} | null> {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer jt_')) {
    const [id, secret] = auth.slice('Bearer jt_'.length).split('.');
    if (!id || !secret) return null;
    const found = await store.users.findToken(id);
    return found && safeEqual(found.tokenHash, sha256(secret))
      ? { user: found.user, kind: 'token', token: { role: found.role, workspaceId: found.workspaceId } }
      : null;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const session = await store.users.findSession(sha256(cookie));
  return session ? { user: session.user, kind: 'session', csrf: session.csrfToken } : null;
}

/**
 * Authenticates every /api request (session cookie or API token), enforces roles, and requires the
 * session's CSRF token in `x-csrf-token` for cookie-authenticated changes.
 */
export function installAuth(app: FastifyInstance, store: Store): void {
  // Anyone can reach a public route: it reads no more than a small body, whatever the API's limit.
  app.addHook('onRoute', (route) => {
    if ((route.config as { public?: boolean } | undefined)?.public && route.bodyLimit === undefined)
      route.bodyLimit = PUBLIC_BODY_LIMIT;
  });
  app.decorateRequest('user', null);
  app.decorateRequest('authKind', null);
  // Set for every authenticated route below; public routes (login, health, webhooks) have neither.
  app.decorateRequest('access', null as unknown as Access);
  app.decorateRequest('store', null as unknown as Store);
  // onRequest: refuse before the body is even parsed or validated.
  app.addHook('onRequest', async (request) => {
    // Decided on the *matched route*, never on the raw URL: the router decodes `/%61pi/…` to `/api/…`.
    // Every route needs a login unless it says `public`; unmatched requests fall through to 404/static files.
    const config = request.routeOptions.config;
    if (request.routeOptions.url === undefined || config?.public) return;
    const who = await identify(store, request);
    if (!who) throw new UnauthenticatedError('log in or send an API token');
    request.user = who.user;
    request.authKind = who.kind;
    // A one-time (generated) password only opens the door to changing it.
    if (
      who.user.mustChangePassword &&
      !PASSWORD_CHANGE_ROUTES.has(`${request.method} ${request.routeOptions.url}`)
    ) {
      throw new PasswordChangeRequiredError('change your one-time password first (POST /api/auth/password)');
    }
    const access = await resolveAccess(store, who.user, askedWorkspace(request), who.token ?? null);
    request.access = access;
    // The user as this request acts: a viewer token of the administrator is no administrator.
    request.user = { ...who.user, role: access.instanceAdmin ? 'admin' : 'viewer' };
    request.store = store.inWorkspace(access.workspace?.id ?? NO_WORKSPACE);
    const reading = request.method === 'GET' || request.method === 'HEAD';
    const needed: RouteRole = config?.role ?? (reading ? 'viewer' : 'admin');
    if (needed === 'instance' && !access.instanceAdmin)
      throw new ForbiddenError('this needs the instance administrator');
    if (needed !== 'instance' && needed !== 'self') {
      if (!access.workspace || !access.role)
        throw new ForbiddenError('you belong to no workspace yet: ask the administrator to add you to one');
      if (!roleAtLeast(access.role, needed))
        throw new ForbiddenError(`this needs the ${needed} role in workspace '${access.workspace.id}'`, {
          details: { needed, role: access.role },
        });
    }
    if (!reading && who.kind === 'session') {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !who.csrf || !safeEqual(sent, who.csrf))
        throw new CsrfError('missing or wrong x-csrf-token header');
    }
  });
}
