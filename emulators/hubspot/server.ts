/**
 * The Fastify app: authentication, rate limiting and fault injection as request hooks in front of the
 * route plugins, and one error handler that answers in HubSpot's error shape.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type HeldRequests, injectFaults } from '../shared/lifecycle.ts';
import { associationRoutes } from './associations.ts';
import { errorBody, HubSpotHttpError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { OAuthServer } from './oauth.ts';
import type { RollingWindowLimiter } from './rate-limit.ts';
import { associationLabelRoutes, associationRecordRoutes } from './routes-association-records.ts';
import { batchRoutes } from './routes-batch.ts';
import { objectRoutes } from './routes-objects.ts';
import { pipelineRoutes } from './routes-pipelines.ts';
import { propertyRoutes } from './routes-properties.ts';
import { searchRoutes } from './routes-search.ts';
import type { EmulatorState } from './store.ts';

/** Request counts, for tests that assert how a client used the API. */
export interface EmulatorStats {
  /** Every request received, including refused ones. */
  total: number;
  /** Requests per route key, e.g. `POST /crm/v3/objects/contacts/batch/upsert`. */
  byRoute: Record<string, number>;
  /** Requests answered 429 (window exhausted or storm). */
  rateLimited: number;
  /** Create, update, upsert, archive and GDPR-delete requests received. */
  writes: number;
  /** Write requests answered with an error status (429, 4xx, 5xx): received, but nothing written. */
  refusedWrites: number;
  /**
   * Conflicts answered: 409s, plus batch inputs failed with CONFLICT in a 207. Each is a create of a
   * unique value (an e-mail) another record already holds — what a replayed create looks like to HubSpot.
   */
  conflicts: number;
  /** Requests failed on purpose with a 5xx. */
  serverErrors: number;
  /** Requests held until the socket was closed. */
  timeouts: number;
}

/** A fresh, zeroed stats object. */
export function emptyStats(): EmulatorStats {
  return {
    total: 0,
    byRoute: {},
    rateLimited: 0,
    writes: 0,
    refusedWrites: 0,
    conflicts: 0,
    serverErrors: 0,
    timeouts: 0,
  };
}

/** What the hooks and routes share. */
export interface ServerDeps {
  state: EmulatorState;
  faults: FaultInjector;
  limiter: RollingWindowLimiter;
  stats: EmulatorStats;
  /** Accepted Bearer tokens; undefined accepts any non-empty token. */
  tokens: readonly string[] | undefined;
  /** Releases requests held by the timeout fault, so that close() does not wait for them. */
  held: HeldRequests;
  /** The OAuth app, when the emulator plays one: its issued tokens are accepted until they expire. */
  oauth?: OAuthServer | undefined;
}

/** How the answer to an operation the emulator does not serve begins. */
export const NOT_EMULATED = 'The HubSpot emulator does not serve';

const correlationIds = new WeakMap<FastifyRequest, string>();

/** The correlation id of a request, also sent as `X-HubSpot-Correlation-Id`. */
export function correlationId(request: FastifyRequest): string {
  let id = correlationIds.get(request);
  if (!id) {
    id = randomUUID();
    correlationIds.set(request, id);
  }
  return id;
}

const WRITE_ROUTE =
  /^(POST \/crm\/v3\/objects\/[^/]+(\/batch\/(create|update|upsert|archive)|\/gdpr-delete)?|(PATCH|DELETE) \/crm\/v3\/objects\/[^/]+\/\{objectId\})$/;

function routeKey(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (!pattern) return `${request.method} ${request.url.split('?')[0]}`;
  const params = request.params as Record<string, string>;
  const path = pattern.replace(/:(\w+)/g, (_, name: string) =>
    name === 'objectType' || name === 'action' ? (params[name] ?? name) : `{${name}}`,
  );
  return `${request.method} ${path}`;
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  category: string,
  message: string,
) {
  return reply.code(status).send(errorBody(correlationId(request), category, message));
}

function registerHooks(app: FastifyInstance, deps: ServerDeps): void {
  app.addHook('onRequest', async (request, reply) => {
    const key = routeKey(request);
    deps.stats.total++;
    deps.stats.byRoute[key] = (deps.stats.byRoute[key] ?? 0) + 1;
    if (WRITE_ROUTE.test(key)) deps.stats.writes++;
    reply.header('X-HubSpot-Correlation-Id', correlationId(request));

    // The OAuth pages authenticate by client id and secret, not by bearer token.
    if (request.url.startsWith('/oauth/')) return undefined;
    const auth = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const issued = token && deps.oauth ? deps.oauth.check(token) : { kind: 'unknown' as const };
    if (issued.kind === 'expired') {
      reply.headers(deps.limiter.peek(undefined));
      return reply
        .code(401)
        .send(
          errorBody(
            correlationId(request),
            'EXPIRED_AUTHENTICATION',
            `The OAuth token used to make this call expired ${issued.agoSeconds} second(s) ago.`,
          ),
        );
    }
    if (!token || (issued.kind !== 'valid' && deps.tokens && !deps.tokens.includes(token))) {
      reply.headers(deps.limiter.peek(undefined));
      const message = token
        ? 'The access token used to make this call is not valid. Check that it is a current private app or OAuth access token.'
        : 'Authentication credentials not found. This API supports OAuth 2.0 authentication and private app access tokens sent as "Authorization: Bearer <token>".';
      return sendError(request, reply, 401, 'INVALID_AUTHENTICATION', message);
    }

    const storm = deps.faults.current.rateLimitStorm;
    const decision = storm
      ? { allowed: false, headers: deps.limiter.peek(token, true) }
      : deps.limiter.take(token);
    reply.headers(decision.headers);
    if (!decision.allowed) {
      deps.stats.rateLimited++;
      return reply.code(429).send({
        status: 'error',
        message: `You have reached your ${(decision.policy ?? 'TEN_SECONDLY_ROLLING').toLowerCase()} limit.`,
        errorType: 'RATE_LIMIT',
        correlationId: correlationId(request),
        policyName: decision.policy ?? 'TEN_SECONDLY_ROLLING',
        category: 'RATE_LIMITS',
      });
    }

    return injectFaults(request, reply, deps, (failure) => {
      const message = { 500: 'internal error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[failure];
      return sendError(request, reply, failure, 'INTERNAL_ERROR', message);
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 409) deps.stats.conflicts++;
    if (reply.statusCode >= 400 && WRITE_ROUTE.test(routeKey(request))) deps.stats.refusedWrites++;
  });
}

/** Builds the Fastify app with every HubSpot route the emulator serves. */
export function buildServer(deps: ServerDeps, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 10 * 1024 * 1024 });
  registerHooks(app, deps);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const id = correlationId(request);
    if (error instanceof HubSpotHttpError) {
      return reply.code(error.statusCode).send(errorBody(id, error.category, error.message, error.extra));
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.code(400).send(errorBody(id, 'VALIDATION_ERROR', `Invalid input JSON: ${error.message}`));
    }
    request.log.error(error);
    return reply.code(500).send(errorBody(id, 'INTERNAL_ERROR', 'internal error'));
  });
  // Operations of HubSpot's documents the emulator leaves out are listed, with the reason, in the
  // out-of-scope table of emulators/hubspot/README.md; they and unknown paths answer in HubSpot's shape.
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      404,
      'OBJECT_NOT_FOUND',
      `${NOT_EMULATED} ${request.method} ${request.url.split('?')[0]} (see the out-of-scope table in emulators/hubspot/README.md)`,
    ),
  );

  if (deps.oauth) app.register(deps.oauth.routes());
  app.register(associationRoutes(deps.state), { prefix: '/crm/v4/associations' });
  app.register(associationRecordRoutes(deps.state), { prefix: '/crm/v4/objects' });
  // The v4 schema document says /crm/associations/v4/…/labels; HubSpot's SDK and guides call the same
  // routes under /crm/v4/associations/…/labels, and HubSpot answers both.
  app.register(associationLabelRoutes(deps.state), { prefix: '/crm/associations/v4' });
  app.register(associationLabelRoutes(deps.state), { prefix: '/crm/v4/associations' });
  app.register(pipelineRoutes(deps.state), { prefix: '/crm/v3/pipelines' });
  app.register(propertyRoutes(deps.state), { prefix: '/crm/v3/properties' });
  app.register(searchRoutes(deps.state), { prefix: '/crm/v3/objects' });
  app.register(batchRoutes(deps.state, deps.faults, deps.stats), { prefix: '/crm/v3/objects' });
  app.register(objectRoutes(deps.state, deps.faults), { prefix: '/crm/v3/objects' });
  return app;
}
