/**
 * The Fastify app: `/webservice/rest/server.php` (GET and POST, urlencoded or multipart bodies parsed the
 * way PHP fills `$_GET`/`$_POST`), the rate limit and fault injection in front of it, and the test-only
 * `/_emulator/*` routes beside it.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RollingWindowLimiter } from '../abacus/rate-limit.ts';
import { type HeldRequests, injectFaults } from '../shared/lifecycle.ts';
import { adminRoutes } from './admin-routes.ts';
import type { FaultInjector } from './faults.ts';
import { mergeRequestVariables, type PhpArray, parsePhpQuery, setPhpParam } from './php-params.ts';
import { type RestDeps, runWebServiceCall } from './rest-server.ts';

/** The path of Moodle's REST server. */
export const REST_PATH = '/webservice/rest/server.php';

/** Request counts, for tests that assert how a client used the web service. */
export interface EmulatorStats {
  /** Every web service request received, including refused ones. */
  total: number;
  /** Calls per `wsfunction` (calls naming no function count under `''`). */
  byFunction: Record<string, number>;
  /** Calls of functions that change the site (create, update, delete, enrol, unenrol), answered or not. */
  writes: number;
  /** Calls answered with a Moodle exception (HTTP 200 with `exception`). */
  exceptions: number;
  /** Calls refused for an unknown or missing token. */
  invalidTokens: number;
  /** Calls answered 429. */
  rateLimited: number;
  /** Calls failed on purpose with a 5xx. */
  serverErrors: number;
  /** Calls held until the socket was closed. */
  timeouts: number;
}

/** A fresh, zeroed stats object. */
export function emptyStats(): EmulatorStats {
  return {
    total: 0,
    byFunction: {},
    writes: 0,
    exceptions: 0,
    invalidTokens: 0,
    rateLimited: 0,
    serverErrors: 0,
    timeouts: 0,
  };
}

/** What the routes and hooks share. */
export interface ServerDeps extends RestDeps {
  faults: FaultInjector;
  limiter: RollingWindowLimiter;
  stats: EmulatorStats;
  /** Releases requests held by the timeout fault, so that close() does not wait for them. */
  held: HeldRequests;
  /** Restores the emulator to its initial state (for `POST /_emulator/reset`). */
  reset(): void;
}

// `array_merge($_GET, $_POST)`; bodies PHP does not parse into $_POST arrive here as undefined.
function requestVariables(request: FastifyRequest): PhpArray {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const post = request.body instanceof Map ? (request.body as PhpArray) : new Map<string, never>();
  return mergeRequestVariables(parsePhpQuery(query), post);
}

// An HTML page as a web server or proxy in front of Moodle sends with a 5xx.
function serverErrorPage(reply: FastifyReply, status: 500 | 502 | 503) {
  const title = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status];
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>\n`);
}

function registerParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parsePhpQuery(String(body)));
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    const type = String(req.headers['content-type']);
    new Response(body as Buffer, { headers: { 'content-type': type } })
      .formData()
      .then((form) => {
        const out: PhpArray = new Map();
        for (const [key, v] of form) if (typeof v === 'string') setPhpParam(out, key, v);
        done(null, out);
      })
      .catch((err: Error) => done(err, undefined));
  });
  // PHP ignores bodies of other types (JSON included) when it fills $_POST.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, undefined));
}

/** Builds the Fastify app. */
export function buildServer(deps: ServerDeps, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 10 * 1024 * 1024 });
  registerParsers(app);

  app.route({
    method: ['GET', 'POST'],
    url: REST_PATH,
    preHandler: async (request, reply) => {
      deps.stats.total++;
      const vars = requestVariables(request);
      const token = vars.get('wstoken');
      const decision = deps.faults.current.rateLimitStorm
        ? ({ allowed: false, retryAfterSeconds: 1 } as const)
        : deps.limiter.take(typeof token === 'string' ? token : '');
      if (!decision.allowed) {
        deps.stats.rateLimited++;
        return reply
          .code(429)
          .header('retry-after', String(decision.retryAfterSeconds))
          .type('text/plain; charset=utf-8')
          .send('Too Many Requests\n');
      }
      return injectFaults(request, reply, deps, (status) => serverErrorPage(reply, status));
    },
    handler: async (request, reply) => {
      const vars = requestVariables(request);
      const origin = `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
      const answer = runWebServiceCall(vars, origin, deps);
      const name = answer.functionName ?? '';
      deps.stats.byFunction[name] = (deps.stats.byFunction[name] ?? 0) + 1;
      if (answer.writes) deps.stats.writes++;
      if (answer.error) deps.stats.exceptions++;
      if (answer.error?.errorcode === 'invalidtoken') deps.stats.invalidTokens++;
      return reply
        .code(200)
        .type(answer.contentType)
        .header('cache-control', 'private, must-revalidate, pre-check=0, post-check=0, max-age=0')
        .header('expires', 'Thu, 01 Jan 1970 00:00:00 GMT')
        .header('pragma', 'no-cache')
        .header('accept-ranges', 'none')
        .send(answer.body);
    },
  });

  app.register(adminRoutes(deps), { prefix: '/_emulator' });
  return app;
}
