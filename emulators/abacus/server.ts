/**
 * The Fastify app: bearer-token checks, the rate limit and fault injection as hooks in front of the
 * entity API, the OAuth routes beside it, and one error handler answering `{ error: { code, message } }`.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type HeldRequests, injectFaults } from '../shared/lifecycle.ts';
import { authRoutes, type TokenIssuer } from './auth.ts';
import { AbacusHttpError, errorBody } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { RollingWindowLimiter } from './rate-limit.ts';
import { entityRoutes } from './routes-entity.ts';
import type { EmulatorState } from './store.ts';

/** Request counts, for tests that assert how a client used the API. */
export interface EmulatorStats {
  /** Every request received, including refused ones. */
  total: number;
  /** Requests per route key, e.g. `POST /api/entity/v1/mandants/{mandant}/Subjects`. */
  byRoute: Record<string, number>;
  /** Tokens issued by the token endpoint. */
  tokensIssued: number;
  /** Entity API calls refused with 401 (missing, unknown or expired token). */
  unauthorized: number;
  /** Calls answered 429. */
  rateLimited: number;
  /** POST, PATCH and DELETE calls to the entity API received. */
  writes: number;
  /** Calls failed on purpose with a 5xx. */
  serverErrors: number;
  /** Calls held until the socket was closed. */
  timeouts: number;
}

/** A fresh, zeroed stats object. */
export function emptyStats(): EmulatorStats {
  return {
    total: 0,
    byRoute: {},
    tokensIssued: 0,
    unauthorized: 0,
    rateLimited: 0,
    writes: 0,
    serverErrors: 0,
    timeouts: 0,
  };
}

/** What the hooks and routes share. */
export interface ServerDeps {
  state: EmulatorState;
  issuer: TokenIssuer;
  faults: FaultInjector;
  limiter: RollingWindowLimiter;
  stats: EmulatorStats;
  pageSize: number;
  /** Releases requests held by the timeout fault, so that close() does not wait for them. */
  held: HeldRequests;
}

const ENTITY_PATH = /^\/api\/entity\/v1\/mandants\/[^/?]+(?:\/([^/?(]+)(\([^)]*\))?)?/;

function routeKey(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '';
  const m = ENTITY_PATH.exec(path);
  if (!m) return `${request.method} ${path}`;
  return `${request.method} /api/entity/v1/mandants/{mandant}${m[1] ? `/${m[1]}` : ''}${m[2] ? '({key})' : ''}`;
}

const UNAUTHORIZED: Record<string, string> = {
  missing:
    'No bearer token was sent. Request one at the token_endpoint of /.well-known/openid-configuration.',
  unknown: 'The access token is not valid.',
  expired: 'The access token has expired.',
};

function registerHooks(app: FastifyInstance, deps: ServerDeps): void {
  app.addHook('onRequest', async (request, reply) => {
    const key = routeKey(request);
    deps.stats.total++;
    deps.stats.byRoute[key] = (deps.stats.byRoute[key] ?? 0) + 1;
    if (!key.includes('/api/entity/')) return undefined;
    if (request.method !== 'GET') deps.stats.writes++;

    const auth = deps.issuer.check(request.headers.authorization);
    if (auth.status !== 'ok') {
      deps.stats.unauthorized++;
      reply.header('www-authenticate', `Bearer error="invalid_token"`);
      return reply.code(401).send(errorBody('Unauthorized', UNAUTHORIZED[auth.status] ?? 'Unauthorized'));
    }
    const decision = deps.faults.current.rateLimitStorm
      ? ({ allowed: false, retryAfterSeconds: 1 } as const)
      : deps.limiter.take(auth.clientId);
    if (!decision.allowed) {
      deps.stats.rateLimited++;
      reply.header('retry-after', String(decision.retryAfterSeconds));
      return reply
        .code(429)
        .send(errorBody('TooManyRequests', 'Too many requests; retry after the time given in Retry-After.'));
    }
    return injectFaults(request, reply, deps, (failure) => {
      const code = { 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable' }[failure];
      return reply.code(failure).send(errorBody(code, `Injected ${failure}.`));
    });
  });
}

/** Builds the Fastify app with the OAuth and entity routes. */
export function buildServer(deps: ServerDeps, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 10 * 1024 * 1024 });
  registerHooks(app, deps);
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/oauth/') && reply.statusCode === 200) deps.stats.tokensIssued++;
    return payload;
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof AbacusHttpError)
      return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.target));
    if (error.statusCode !== undefined && error.statusCode < 500)
      return reply.code(400).send(errorBody('BadRequest', error.message));
    request.log.error(error);
    return reply.code(500).send(errorBody('InternalServerError', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody('NotFound', `No resource for ${request.method} ${request.url.split('?')[0]}.`)),
  );
  app.register(authRoutes(deps.issuer));
  app.register(entityRoutes(deps.state, { pageSize: deps.pageSize }));
  return app;
}
