import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role, User } from '../../core/users.ts';
import type { Store } from '../../store/store.ts';
import { CsrfError, ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from '../errors.ts';

export const SESSION_COOKIE = 'junction_session';
/** Body limit of public routes (login, OAuth callback, health) unless one sets its own (webhooks). */
export const PUBLIC_BODY_LIMIT = 16 * 1024;
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    /** How the user was authenticated; cookie sessions need the CSRF header on changes. */
    authKind: 'session' | 'token' | null;
  }
  interface FastifyContextConfig {
    /** No login needed (login itself, health, webhooks). */
    public?: boolean;
    /** Role needed; default: viewer for GET, admin for everything else. */
    role?: Role;
  }
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
  /** The role the token acts with (checked by the caller against the owner's); absent: the owner's. */
  role?: Role,
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
    ...(role ? { role } : {}),
  });
  return { id, token: `jt_${id}.${secret}`, expiresAt: saved.expiresAt };
}

/** Who sent the request (session cookie or API token), or null. */
export async function identify(
  store: Store,
  request: FastifyRequest,
): Promise<{ user: User; kind: 'session' | 'token'; csrf?: string } | null> {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer jt_')) {
    const [id, secret] = auth.slice('Bearer jt_'.length).split('.');
    if (!id || !secret) return null;
    const found = await store.users.findToken(id);
    return found && safeEqual(found.tokenHash, sha256(secret)) ? { user: found.user, kind: 'token' } : null;
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
    const reading = request.method === 'GET' || request.method === 'HEAD';
    const needed: Role = config?.role ?? (reading ? 'viewer' : 'admin');
    if (needed === 'admin' && who.user.role !== 'admin')
      throw new ForbiddenError('this needs the admin role');
    if (!reading && who.kind === 'session') {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !who.csrf || !safeEqual(sent, who.csrf))
        throw new CsrfError('missing or wrong x-csrf-token header');
    }
  });
}
