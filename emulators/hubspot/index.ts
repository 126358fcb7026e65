/**
 * HubSpot CRM v3 emulator: a local Fastify app that answers like api.hubapi.com for contacts,
 * companies and deals, keeps its state in memory and injects faults on demand.
 *
 * @example
 * const hs = createHubSpotEmulator({ tokens: ['pat-test'], rateLimit: { max: 100, intervalMs: 10_000 } });
 * const baseUrl = await hs.listen();
 * await fetch(`${baseUrl}/crm/v3/objects/contacts`, { headers: { authorization: 'Bearer pat-test' } });
 * await hs.close();
 */
import type { FastifyInstance } from 'fastify';
import { type HeldRequests, serverLifecycle } from '../shared/lifecycle.ts';
import { FaultInjector, type HubSpotFaults } from './faults.ts';
import { type OAuthAppOptions, OAuthServer } from './oauth.ts';
import { type RateLimitOptions, RollingWindowLimiter } from './rate-limit.ts';
import { buildServer, type EmulatorStats, emptyStats } from './server.ts';
import { EmulatorState } from './store.ts';
import { WebhookDelivery, type WebhookOptions } from './webhooks.ts';

export type { HubSpotFaults } from './faults.ts';
export type { OAuthAppOptions, OAuthServer } from './oauth.ts';
export { MAX_BATCH_INPUTS } from './object-writes.ts';
export type { RateLimitOptions } from './rate-limit.ts';
export { SEARCH_LIMITS } from './routes-search.ts';
export type { EmulatorStats } from './server.ts';
export type { EmulatorState, StoredObject } from './store.ts';
export { type Delivery, signatureV3, type WebhookDelivery, type WebhookOptions } from './webhooks.ts';

/** Options of `createHubSpotEmulator`. */
export interface HubSpotEmulatorOptions {
  /** Accepted Bearer tokens; when omitted any non-empty Bearer token is accepted. */
  tokens?: string[];
  /** Rolling window per token; default 100 calls per 10 s. `max: Infinity` disables it. */
  rateLimit?: RateLimitOptions;
  /** Faults in force from the start; change them later with `setFaults`. */
  faults?: Partial<HubSpotFaults>;
  /** Fastify request logging (pino); off by default. */
  logger?: boolean;
  /** Play an OAuth app: authorize page, token endpoint, expiring access tokens. */
  oauth?: OAuthAppOptions;
  /** Deliver signed webhooks on record changes; `clientSecret` defaults to the OAuth app's. */
  webhooks?: Partial<WebhookOptions>;
}

/** A running or runnable emulator. */
export interface HubSpotEmulator {
  /** Starts listening on 127.0.0.1 and resolves to the base URL (e.g. `http://127.0.0.1:41234`). */
  listen(port?: number): Promise<string>;
  /** Stops the server, releasing requests held by the timeout fault. */
  close(): Promise<void>;
  /** The Fastify app, e.g. for `app.inject()`. */
  readonly app: FastifyInstance;
  /** Records and property definitions, for inspection and fixtures. */
  readonly state: EmulatorState;
  /** Request counts since creation or the last `reset()`. */
  readonly stats: EmulatorStats;
  /** The OAuth app (when `oauth` was given): `expireAccessTokens()`, grant counts. */
  readonly oauth: OAuthServer | undefined;
  /** Webhook delivery (when `webhooks` was given): `setTarget(url)`, `flush()`, `deliveries`. */
  readonly webhooks: WebhookDelivery | undefined;
  /** Changes some fault settings at run time. */
  setFaults(partial: Partial<HubSpotFaults>): void;
  /** Holds every API call until `resume()` (a run seen while it runs, in tests). */
  pause(): void;
  /** Lets held calls go on. */
  resume(): void;
  /**
   * Another integration spends the token's budget: `window` calls just now, `daily` more of today's. The
   * rate-limit headers of the next answers report it (less room than the client counted).
   */
  spendBudget(token: string, calls: { window?: number; daily?: number }): void;
  /** Clears records, custom properties, stats and rate-limit counts, and restores the initial faults. */
  reset(): void;
}

/** Creates a HubSpot emulator; call `listen()` to serve it over HTTP. */
export function createHubSpotEmulator(options: HubSpotEmulatorOptions = {}): HubSpotEmulator {
  const state = new EmulatorState();
  const faults = new FaultInjector(options.faults);
  const limiter = new RollingWindowLimiter(options.rateLimit ?? { max: 100, intervalMs: 10_000 });
  const stats = emptyStats();
  const held: HeldRequests = new Set();
  const oauth = options.oauth ? new OAuthServer(options.oauth) : undefined;
  const secret = options.webhooks?.clientSecret ?? options.oauth?.clientSecret;
  const webhooks =
    options.webhooks && secret
      ? new WebhookDelivery({ ...options.webhooks, clientSecret: secret })
      : undefined;
  if (webhooks) state.onChange((change) => webhooks.enqueue(change));
  const app = buildServer(
    { state, faults, limiter, stats, tokens: options.tokens, held, oauth },
    { logger: options.logger },
  );

  const lifecycle = serverLifecycle(app, held);
  return {
    app,
    state,
    stats,
    oauth,
    webhooks,
    ...lifecycle,
    // Paused calls are let go first, so that closing never waits on a test that forgot to resume.
    async close() {
      faults.resume();
      await lifecycle.close();
    },
    setFaults(partial) {
      faults.set(partial);
    },
    pause() {
      faults.pause();
    },
    resume() {
      faults.resume();
    },
    spendBudget(token, calls) {
      limiter.spend(token, calls);
    },
    reset() {
      state.reset();
      oauth?.reset();
      webhooks?.reset();
      faults.reset();
      limiter.reset();
      Object.assign(stats, emptyStats());
    },
  };
}
