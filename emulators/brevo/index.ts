/**
 * Brevo API v3 emulator: a local Fastify app that answers like api.brevo.com for contacts, contact
 * attributes, lists and the account, keeps its state in memory and injects faults on demand.
 *
 * @example
 * const brevo = createBrevoEmulator({ apiKeys: ['xkeysib-test'] });
 * const baseUrl = await brevo.listen();
 * await fetch(`${baseUrl}/v3/contacts`, { headers: { 'api-key': 'xkeysib-test' } });
 * await brevo.close();
 */
import type { FastifyInstance } from 'fastify';
import { type HeldRequests, serverLifecycle } from '../shared/lifecycle.ts';
import { type BrevoFaults, FaultInjector } from './faults.ts';
import { ImportProcesses, type ImportTiming } from './processes.ts';
import { KeyRateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { buildServer, type EmulatorStats, emptyStats } from './server.ts';
import { BrevoState } from './store.ts';

export type { BrevoFaults } from './faults.ts';
export type { ImportTiming, StoredProcess } from './processes.ts';
export { ImportProcesses } from './processes.ts';
export type { RateLimitOptions } from './rate-limit.ts';
export { MAX_CONTACTS_LIMIT } from './routes-contacts.ts';
export type { EmulatorStats } from './server.ts';
export type { AttributeDef, BrevoState, ContactChanges, StoredContact, StoredList } from './store.ts';

/** Options of `createBrevoEmulator`. */
export interface BrevoEmulatorOptions {
  /** Accepted `api-key` values; when omitted any non-empty key is accepted. */
  apiKeys?: string[];
  /** Rolling window per key; default 10 requests per 1000 ms (contacts, general tier). `max: Infinity` disables it. */
  rateLimit?: RateLimitOptions;
  /** Faults in force from the start; change them later with `setFaults`. */
  faults?: Partial<BrevoFaults>;
  /** How long contact imports stay queued and in process (default 50 ms + 100 ms + 0.02 ms a row). */
  importTiming?: Partial<ImportTiming>;
  /** Fastify request logging (pino); off by default. */
  logger?: boolean;
}

/** A running or runnable emulator. */
export interface BrevoEmulator {
  /** Starts listening on 127.0.0.1 and resolves to the base URL without `/v3` (e.g. `http://127.0.0.1:41234`). */
  listen(port?: number): Promise<string>;
  /** Stops the server, releasing requests held by the timeout fault. */
  close(): Promise<void>;
  /** The Fastify app, e.g. for `app.inject()`. */
  readonly app: FastifyInstance;
  /** Contacts, attributes and lists, for fixtures (`insert`, `unsubscribe`) and inspection (`all`). */
  readonly state: BrevoState;
  /** Import processes, for inspection and to hold them `in_process` (`hold()` / `release()`). */
  readonly imports: ImportProcesses;
  /** Request counts since creation or the last `reset()`. */
  readonly stats: EmulatorStats;
  /** Changes some fault settings at run time. */
  setFaults(partial: Partial<BrevoFaults>): void;
  /** Clears contacts, lists, custom attributes, stats and rate-limit counts, and restores the initial faults. */
  reset(): void;
}

/** Creates a Brevo emulator; call `listen()` to serve it over HTTP. */
export function createBrevoEmulator(options: BrevoEmulatorOptions = {}): BrevoEmulator {
  const state = new BrevoState();
  const faults = new FaultInjector(options.faults);
  const imports = new ImportProcesses(state, faults, options.importTiming);
  const limiter = new KeyRateLimiter(options.rateLimit ?? { max: 10, intervalMs: 1000 });
  const stats = emptyStats();
  const held: HeldRequests = new Set();
  const app = buildServer(
    { state, imports, faults, limiter, stats, apiKeys: options.apiKeys, held },
    { logger: options.logger },
  );

  const lifecycle = serverLifecycle(app, held);
  return {
    app,
    state,
    imports,
    stats,
    ...lifecycle,
    async close() {
      imports.reset(); // no import completes on a closed emulator
      await lifecycle.close();
    },
    setFaults(partial) {
      faults.set(partial);
    },
    reset() {
      state.reset();
      imports.reset();
      faults.reset();
      limiter.reset();
      Object.assign(stats, emptyStats());
    },
  };
}
