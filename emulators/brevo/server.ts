/**
 * The Fastify app: `api-key` authentication, the per-key rate limit and fault injection as a request
 * hook in front of the route plugins, and one error handler that answers in Brevo's `{ code, message }`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type HeldRequests, injectFaults } from '../shared/lifecycle.ts';
import { type BrevoErrorCode, BrevoHttpError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { ImportProcesses } from './processes.ts';
import type { KeyRateLimiter } from './rate-limit.ts';
import { accountRoutes, listRoutes } from './routes-account.ts';
import { contactRoutes } from './routes-contacts.ts';
import { importRoutes, processRoutes } from './routes-import.ts';
import { listDetailRoutes } from './routes-lists.ts';
import type { BrevoState } from './store.ts';

/** Request counts, for tests that assert how a client used the API. */
export interface EmulatorStats {
  /** Every request received, including refused ones. */
  total: number;
  /** Requests per route, e.g. `PUT /v3/contacts/{identifier}`. */
  byRoute: Record<string, number>;
  /** Requests answered 429 (window spent or storm). */
  rateLimited: number;
  /** Requests that may change state (every POST, PUT and DELETE). */
  writes: number;
  /** Requests failed on purpose with a 5xx. */
  serverErrors: number;
  /** Requests held until the socket was closed. */
  timeouts: number;
}

/** A fresh, zeroed stats object. */
export function emptyStats(): EmulatorStats {
  return { total: 0, byRoute: {}, rateLimited: 0, writes: 0, serverErrors: 0, timeouts: 0 };
}

/** What the hook and routes share. */
export interface ServerDeps {
  state: BrevoState;
  /** Contact imports running as background processes. */
  imports: ImportProcesses;
  faults: FaultInjector;
  limiter: KeyRateLimiter;
  stats: EmulatorStats;
  /** Accepted API keys; undefined accepts any non-empty key. */
  apiKeys: readonly string[] | undefined;
  /** Releases requests held by the timeout fault, so that close() does not wait for them. */
  held: HeldRequests;
}

function routeKey(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (!pattern) return `${request.method} ${request.url.split('?')[0]}`;
  return `${request.method} ${pattern.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`;
}

function sendError(reply: FastifyReply, status: number, code: BrevoErrorCode, message: string) {
  return reply.code(status).send({ code, message });
}

function registerHooks(app: FastifyInstance, deps: ServerDeps): void {
  app.addHook('onRequest', async (request, reply) => {
    const key = routeKey(request);
    deps.stats.total++;
    deps.stats.byRoute[key] = (deps.stats.byRoute[key] ?? 0) + 1;
    if (request.method !== 'GET') deps.stats.writes++;

    const header = request.headers['api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (!apiKey || (deps.apiKeys && !deps.apiKeys.includes(apiKey))) {
      return sendError(reply, 401, 'unauthorized', 'Key not found');
    }

    const decision = deps.faults.current.rateLimitStorm
      ? { allowed: false, headers: deps.limiter.exhausted() }
      : deps.limiter.take(apiKey);
    reply.headers(decision.headers);
    if (!decision.allowed) {
      deps.stats.rateLimited++;
      return sendError(reply, 429, 'too_many_requests', 'The expected rate limit is exceeded.');
    }

    return injectFaults(request, reply, deps, (failure) =>
      sendError(reply, failure, 'internal_error', 'Internal server error'),
    );
  });
}

/** Builds the Fastify app with every Brevo route the emulator serves. */
export function buildServer(deps: ServerDeps, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 10 * 1024 * 1024 });
  registerHooks(app, deps);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof BrevoHttpError) return sendError(reply, error.statusCode, error.code, error.message);
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return sendError(reply, 400, 'invalid_parameter', `Invalid request: ${error.message}`);
    }
    request.log.error(error);
    return sendError(reply, 500, 'internal_error', 'Internal server error');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      'document_not_found',
      `No route for ${request.method} ${request.url.split('?')[0]}`,
    ),
  );

  app.register(listRoutes(deps.state), { prefix: '/v3/contacts' });
  app.register(listDetailRoutes(deps.state), { prefix: '/v3/contacts' });
  app.register(contactRoutes(deps.state, deps.faults), { prefix: '/v3/contacts' });
  app.register(importRoutes(deps.state, deps.imports), { prefix: '/v3/contacts' });
  app.register(processRoutes(deps.imports), { prefix: '/v3/processes' });
  app.register(accountRoutes(), { prefix: '/v3' });
  return app;
}
