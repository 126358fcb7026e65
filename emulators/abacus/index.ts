/**
 * Abacus entity API emulator: a local Fastify app that answers like an Abacus installation's OData v4
 * entity API (Subjects, Addresses, Communications) for several mandants, with OAuth 2.0 client
 * credentials, server paging, a rate limit and injectable faults. State lives in memory.
 *
 * @example
 * const abacus = createAbacusEmulator({ clients: [{ clientId: 'svc', clientSecret: 's3cret' }] });
 * const baseUrl = await abacus.listen();
 * // GET {baseUrl}/.well-known/openid-configuration → token_endpoint; POST it with Basic auth;
 * // GET {baseUrl}/api/entity/v1/mandants/7777/Subjects with the Bearer token.
 * await abacus.close();
 */
import type { FastifyInstance } from 'fastify';
import { type HeldRequests, serverLifecycle } from '../shared/lifecycle.ts';
import { type ServiceUser, TokenIssuer } from './auth.ts';
import { type AbacusFaults, FaultInjector } from './faults.ts';
import { type RateLimitOptions, RollingWindowLimiter } from './rate-limit.ts';
import { buildServer, type EmulatorStats, emptyStats } from './server.ts';
import { EmulatorState, type MandantOptions } from './store.ts';

export type { ServiceUser } from './auth.ts';
export type { EntityRecord } from './entities.ts';
export type { AbacusFaults } from './faults.ts';
export type { RateLimitOptions } from './rate-limit.ts';
export type { EmulatorStats } from './server.ts';
export type { EmulatorState, MandantData, MandantOptions } from './store.ts';

/** Options of `createAbacusEmulator`. */
export interface AbacusEmulatorOptions {
  /** Service users allowed to request tokens. Default: one user `junction` / `junction-secret`. */
  clients?: ServiceUser[];
  /** Mandants of the installation by number; when omitted, any numeric mandant exists. */
  mandants?: Record<string, MandantOptions>;
  /** Lifetime of access tokens in seconds. Default 600, as Abacus issues them. */
  tokenTtlSeconds?: number;
  /** Rows per page before `@odata.nextLink` (clients can ask for fewer with `Prefer: odata.maxpagesize`). Default 100. */
  pageSize?: number;
  /** Rolling window per service user; default 100 calls per 10 s. `max: Infinity` disables it. */
  rateLimit?: RateLimitOptions;
  /** Faults in force from the start; change them later with `setFaults`. */
  faults?: Partial<AbacusFaults>;
  /** Clock for token expiry and the rate limit (tests). Default `Date.now`. */
  now?: () => number;
  /** Fastify request logging (pino); off by default. */
  logger?: boolean;
}

/** A running or runnable emulator. */
export interface AbacusEmulator {
  /** Starts listening on 127.0.0.1 and resolves to the base URL (e.g. `http://127.0.0.1:41234`). */
  listen(port?: number): Promise<string>;
  /** Stops the server, releasing requests held by the timeout fault. */
  close(): Promise<void>;
  /** The Fastify app, e.g. for `app.inject()`. */
  readonly app: FastifyInstance;
  /** The mandants and their entities, for inspection and fixtures. */
  readonly state: EmulatorState;
  /** Request counts since creation or the last `reset()`. */
  readonly stats: EmulatorStats;
  /** Changes some fault settings at run time. */
  setFaults(partial: Partial<AbacusFaults>): void;
  /** Lets every token issued so far expire now, as if its 600 s had passed. */
  expireTokens(): void;
  /** Clears every mandant, token, count and rate-limit window, and restores the initial faults. */
  reset(): void;
}

/** The service user an emulator accepts when no `clients` are given. */
export const DEFAULT_CLIENT: ServiceUser = { clientId: 'junction', clientSecret: 'junction-secret' };

/** Creates an Abacus emulator; call `listen()` to serve it over HTTP. */
export function createAbacusEmulator(options: AbacusEmulatorOptions = {}): AbacusEmulator {
  const now = options.now ?? Date.now;
  const state = new EmulatorState(options.mandants);
  const issuer = new TokenIssuer(options.clients ?? [DEFAULT_CLIENT], options.tokenTtlSeconds ?? 600, now);
  const faults = new FaultInjector(options.faults);
  const limiter = new RollingWindowLimiter(options.rateLimit ?? { max: 100, intervalMs: 10_000 }, now);
  const stats = emptyStats();
  const held: HeldRequests = new Set();
  const app = buildServer(
    { state, issuer, faults, limiter, stats, pageSize: options.pageSize ?? 100, held },
    { logger: options.logger },
  );

  return {
    app,
    state,
    stats,
    ...serverLifecycle(app, held),
    setFaults(partial) {
      faults.set(partial);
    },
    expireTokens() {
      issuer.expireAll();
    },
    reset() {
      state.reset();
      issuer.reset();
      faults.reset();
      limiter.reset();
      Object.assign(stats, emptyStats());
    },
  };
}
