import { join } from 'node:path';
import cookie from '@fastify/cookie';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { fileAccessOf, readEnvironment } from '../config/environment.ts';
import type { FileAccess } from '../connectors/file-access.ts';
import { confinedFactory } from '../connectors/registry.ts';
import { ValidationError } from '../core/errors.ts';
import { MAX_JSON_DEPTH, nestsAtMost } from '../core/json-depth.ts';
import type { ConnectorFactory } from '../engine/open-mapping.ts';
import { createValidationQueue, type ValidationQueue } from '../import/validation-queue.ts';
import type { RunService } from '../runs/run-service.ts';
import type { Store } from '../store/store.ts';
import { installAuth } from './auth/auth-plugin.ts';
import { installErrorHandler } from './errors.ts';
import { installEventStreams } from './live/event-stream.ts';
import type { Metrics } from './metrics.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { connectionRoutes } from './routes/connections.ts';
import { errorRoutes } from './routes/errors.ts';
import { eventRoutes } from './routes/events.ts';
import { executionRoutes } from './routes/executions.ts';
import { fileRoutes } from './routes/files.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/imports.ts';
import { mappingRoutes } from './routes/mappings.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { recordRoutes } from './routes/records.ts';
import { settingsRoutes } from './routes/settings.ts';
import { systemRoutes } from './routes/systems.ts';
import { taskRoutes } from './routes/tasks.ts';
import { userRoutes } from './routes/users.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { workspaceRoutes } from './routes/workspaces.ts';
import { registerWeb } from './web.ts';

declare module 'fastify' {
  interface FastifyInstance {
    routeList: { method: string; url: string; public: boolean }[];
  }
}

/** Everything the HTTP layer needs; the server owns none of it. */
export interface ServerDeps {
  store: Store;
  log: Logger;
  /** Every run the API starts (run now, retry, dry run, imports, webhooks) goes through this service. */
  runs: RunService;
  metrics: Metrics;
  /** Tells /healthz whether the scheduler loop is alive (absent: no scheduler in this process). */
  schedulerAlive?: () => boolean;
  /** Fastify `trustProxy`: true or the proxies' addresses, comma-separated (JUNCTION_TRUST_PROXY). Default off. */
  trustProxy?: boolean | string;
  /** Key that signs OAuth `state` values; stable across restarts and servers when derived from the secret key. */
  oauthStateKey?: Buffer;
  /** Set cookies with `Secure` (behind HTTPS). */
  secureCookies?: boolean;
  /** Bearer token that opens /metrics to a scraper without a user (JUNCTION_METRICS_TOKEN); logins always can. */
  metricsToken?: string | undefined;
  connectorFactory?: ConnectorFactory;
  /**
   * Which files connections may read (JUNCTION_FILES_DIR); every connector the server makes gets it.
   * Default: the environment's (`<JUNCTION_DATA_DIR>/files`).
   */
  files?: FileAccess;
  /** Folder for uploaded imports and their error files (default `<first files folder>/imports`). */
  importsDir?: string;
  /**
   * Junction's own folder for connection files and samples uploaded from the dashboard (JUNCTION_UPLOADS_DIR;
   * it must be one of `files`' folders). Absent: the server takes no such uploads.
   */
  uploadsDir?: string;
  /** Where import validations wait for one of the few slots (default: two at a time in this server). */
  importValidation?: ValidationQueue;
  /**
   * How often the live run feed looks at the store (default 1 s), and how often an open stream checks its
   * login and membership again (`reauthMs`, default 1 min); tests may look more often.
   */
  liveFeed?: { intervalMs?: number; reauthMs?: number };
  /** Extra plugins (scheduler settings, OAuth, webhooks, the dashboard) register here. */
  plugins?: ((app: FastifyInstance, deps: ServerDeps) => Promise<void>)[];
}

/**
 * Security headers on every answer: a CSP the dashboard passes (its own scripts, styles and API only;
 * the favicon is a data: URI), no framing anywhere (clickjacking), `nosniff`, no referrer leaving the hub.
 * HSTS is left to the TLS-terminating proxy, which knows whether HTTPS is in front.
 */
const SECURITY_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
};

/** Builds the Fastify app: /api (schema-validated, authenticated), /docs (OpenAPI), /healthz, /metrics. */
export async function buildServer(given: ServerDeps): Promise<FastifyInstance> {
  // Every route's connectors (test, describe, previews, imports, deletions) are confined to the files folders.
  const files = given.files ?? fileAccessOf(readEnvironment());
  const deps: ServerDeps = {
    ...given,
    files,
    connectorFactory: confinedFactory(files, given.connectorFactory),
    importsDir: given.importsDir ?? join(files.folders[0] ?? readEnvironment().dataDir, 'imports'),
    // One set of slots for every upload that opens a file (imports, connection files, samples).
    importValidation: given.importValidation ?? createValidationQueue(),
  };
  const app: FastifyInstance = Fastify({
    // Request lines only at warn: a busy dashboard would otherwise drown the run logs.
    loggerInstance: deps.log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 10 * 1024 * 1024,
    // Only behind a proxy the operator names: otherwise X-Forwarded-For would let anyone pick their IP
    // (and dodge the login limit) or their host (and bend OAuth redirect URIs).
    trustProxy: deps.trustProxy ?? false,
  });
  // Every route, for the OpenAPI completeness test and the startup banner.
  const routes: { method: string; url: string; public: boolean }[] = [];
  app.decorate('routeList', routes);
  app.addHook('onRoute', (r) => {
    const open =
      Boolean((r.config as { public?: boolean } | undefined)?.public) || !r.url.startsWith('/api/');
    for (const method of [r.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: r.url, public: open });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // A body nested thousands of levels deep parses fine but overflows the stack wherever it is stored
  // or serialised again: refuse it before validation (400, not 500).
  app.addHook('preValidation', async (request) => {
    if (!nestsAtMost(request.body))
      throw new ValidationError(`the request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
  await app.register(helmet, SECURITY_HEADERS);
  await app.register(cookie);
  // preHandler: the login limit keys on the username, so the body must be parsed first.
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Junction API',
        version: '0.1.0',
        description: 'Connections, mappings, tasks, executions and sync links of a Junction hub.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'junction_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  installAuth(app, deps.store);
  installEventStreams(app);

  const api = app.withTypeProvider<ZodTypeProvider>();
  await auditRoutes(api, deps);
  await healthRoutes(api, deps);
  await authRoutes(api, deps);
  await connectionRoutes(api, deps);
  await systemRoutes(api, deps);
  await mappingRoutes(api, deps);
  await taskRoutes(api, deps);
  await executionRoutes(api, deps);
  await eventRoutes(api, deps);
  await errorRoutes(api, deps);
  await recordRoutes(api, deps);
  await importRoutes(api, deps);
  await fileRoutes(api, deps);
  await userRoutes(api, deps);
  await workspaceRoutes(api, deps);
  await oauthRoutes(api, deps);
  await privacyRoutes(api, deps);
  await webhookRoutes(app, deps);
  await settingsRoutes(api, deps);
  for (const plugin of deps.plugins ?? []) await plugin(app, deps);
  await registerWeb(app);

  // The API's reference: Swagger UI served from this hub (no CDN; helmet's CSP holds: no inline script),
  // the document itself at /docs/json. Open like the document always was: it holds no data.
  app.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/'))
      route.config = { ...(route.config as object | undefined), public: true };
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // No call to validator.swagger.io (the CSP refuses images from elsewhere anyway).
    uiConfig: { validatorUrl: null, deepLinking: true, docExpansion: 'list' },
    logLevel: 'warn',
    // Swagger UI applies a few inline styles: on its own pages only, styles (never scripts) may be inline.
    transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  });
  return app;
}
