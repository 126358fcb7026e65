import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ValidationError } from '../core/errors.ts';
import type { FormSchema, SystemDescription } from '../core/system-description.ts';
import type { Connection, SystemName } from '../core/types.ts';
import { abacusConnector } from './abacus/index.ts';
import { brevoConnector } from './brevo/index.ts';
import { assertSecretDestination } from './connection-secret.ts';
import type { Connector, ConnectorDefinition } from './connector.ts';

export type { SystemDescription } from '../core/system-description.ts';

import { type FileAccess, UNCONFINED_FILES } from './file-access.ts';
import { type HttpCallInfo, HttpClient } from './http-client.ts';
import { hubspotConnector } from './hubspot/index.ts';
import { chainLimiters } from './limiter-chain.ts';
import { moodleConnector } from './moodle/index.ts';
import { type BudgetShare, type LimiterProvider, limiterFor, type RateLimiter } from './rate-limiter.ts';
import { spreadsheetConnector } from './spreadsheet/index.ts';
import { sqlConnector } from './sql/index.ts';
import type { WorkspaceShare } from './workspace-share.ts';

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous registry; each definition validates its own config and secret with its schemas
type AnyDefinition = ConnectorDefinition<any, any>;

/**
 * Every system Junction can talk to, by name: the one list. Adding a system is its folder plus one line
 * here; the API, the YAML files, the dashboard's forms, webhooks and error statuses all derive from it.
 */
export const CONNECTORS: Readonly<Record<SystemName, AnyDefinition>> = Object.fromEntries(
  [
    sqlConnector,
    hubspotConnector,
    abacusConnector,
    brevoConnector,
    moodleConnector,
    spreadsheetConnector,
  ].map((d: AnyDefinition) => [d.system, d]),
);

/** The names of the systems, for schemas that take one (`z.enum(systemNames())`). */
export function systemNames(): [string, ...string[]] {
  return Object.keys(CONNECTORS) as [string, ...string[]];
}

/** Every system, described for forms and docs (`GET /api/systems`). */
export function describeSystems(): SystemDescription[] {
  return Object.values(CONNECTORS).map((d) => ({
    system: d.system,
    label: d.label,
    name: d.name,
    mark: d.mark,
    auth: d.auth,
    uploads: d.uploads ?? false,
    oauth: Boolean(d.oauth),
    webhook: Boolean(d.webhook),
    config: z.toJSONSchema(d.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >,
    secret: z.toJSONSchema(d.secretSchema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >,
  }));
}

/**
 * The config fields of a system that name a file on the hub's disk (form widget `file`, such as a
 * spreadsheet's `file`): the dashboard uploads into the files folder for them.
 */
export function fileFields(system: string): string[] {
  const def = CONNECTORS[system];
  if (!def) return [];
  const schema = z.toJSONSchema(def.configSchema, { io: 'input', unrepresentable: 'any' }) as FormSchema;
  return Object.entries(schema.properties ?? {})
    .filter(([, f]) => f.widget === 'file')
    .map(([key]) => key);
}

/** The HTTP status a connector's error code asks for, if some system declares it. */
export function connectorErrorStatus(code: string): number | undefined {
  for (const d of Object.values(CONNECTORS)) {
    const status = d.errorStatus?.(code);
    if (status !== undefined) return status;
  }
  return undefined;
}

export interface ConnectorRuntime {
  log: Logger;
  signal: AbortSignal;
  /** Observes every HTTP call (counts for executions, metrics, benchmarks). */
  onCall?: (info: HttpCallInfo & { connectionId: string }) => void;
  /** Persists a connection's changed secret (refreshed OAuth tokens). */
  saveSecret?: (connectionId: string, secret: Record<string, unknown>) => Promise<void>;
  /** Where connection budgets come from (default: this process's limiters; runs hand in the store's). */
  limiters?: LimiterProvider | undefined;
  /** Who draws from the budgets (a run: its task), so tasks sharing an account are served in turn. */
  party?: string | undefined;
  /** The party's workspace and its share of a budget, so workspaces sharing an account get their shares. */
  workspace?: WorkspaceShare | undefined;
  /**
   * The files connectors may open (the operator's JUNCTION_FILES_DIR). Absent: unconfined, for trusted
   * in-process callers only (CLI commands, tests); the server and the schedulers always set it.
   */
  files?: FileAccess | undefined;
}

/**
 * A connector factory whose connectors open only the files `files` allows their connection's workspace,
 * whatever runtime they get (a connection without a workspace opens none).
 */
export function confinedFactory(
  files: FileAccess,
  make: (connection: Connection, rt: ConnectorRuntime) => Connector = createConnector,
): (connection: Connection, rt: ConnectorRuntime) => Connector {
  return (connection, rt) => make(connection, { ...rt, files: files.forWorkspace(connection.workspaceId) });
}

/** Validates a connection's config and secret and makes its live connector. */
export function createConnector(connection: Connection, rt: ConnectorRuntime): Connector {
  const def = CONNECTORS[connection.system];
  if (!def) throw new ValidationError(`no connector for system '${connection.system}'`);
  const config = def.configSchema.safeParse(connection.config);
  if (!config.success) {
    throw new ValidationError(`connection '${connection.id}': invalid config`, {
      details: { issues: config.error.issues },
    });
  }
  const secret = def.secretSchema.safeParse(connection.secret);
  if (!secret.success) {
    // Issues name the field, never the value: secrets stay out of messages.
    throw new ValidationError(`connection '${connection.id}': invalid or missing secret`, {
      details: { fields: secret.error.issues.map((i) => i.path.join('.')) },
    });
  }
  // A secret goes only where it was entered for (a changed base URL or database needs it again).
  assertSecretDestination(connection);
  const httpSetup = def.http?.(config.data, secret.data);
  const limiters = rt.limiters ?? limiterFor;
  const share = {
    account: accountOf(def, config.data, secret.data),
    party: rt.party,
    workspace: rt.workspace,
    workspaceId: connection.workspaceId,
  };
  const limiter = (max: number | undefined, intervalMs: number) =>
    connectionLimiter(limiters, connection.id, max, intervalMs, share);
  const http = new HttpClient({
    baseUrl: httpSetup?.baseUrl ?? 'http://invalid.local',
    headers: httpSetup?.headers,
    limiter: limiter(httpSetup?.limits.requestsPer10s, 10_000),
    budget: httpSetup?.budget,
    timeoutMs: httpSetup?.timeoutMs ?? 30_000,
    signal: rt.signal,
    onCall: rt.onCall ? (info) => rt.onCall?.({ ...info, connectionId: connection.id }) : undefined,
  });
  const save = rt.saveSecret;
  const saveSecret = save ? (s: unknown) => save(connection.id, s as Record<string, unknown>) : undefined;
  return def.create({
    connectionId: connection.id,
    config: config.data,
    secret: secret.data,
    http,
    log: rt.log,
    signal: rt.signal,
    files: rt.files ?? UNCONFINED_FILES,
    saveSecret,
    limiter,
  });
}

/**
 * A connection's limiter: its own configured rate for its own calls, under the budget of the outside account
 * it shares with other connections (one with no account is its own). The account's budget takes the highest
 * ceiling of its connections (fair-budget.ts `accountCeiling`), so a connection configured low (another
 * workspace's, with the same token) slows only itself. Its own budget passes 429s and the server's word to
 * the account's only, which holds every connection back.
 */
export function connectionLimiter(
  limiters: LimiterProvider,
  connectionId: string,
  max: number | undefined,
  intervalMs: number,
  share: BudgetShare,
): RateLimiter {
  const account = limiters(connectionId, max, intervalMs, share);
  if (!share.account) return account;
  const own = limiters(connectionId, max, intervalMs, { ...share, account: undefined });
  // Its own slot first: waiting for it must not hold a slot of the shared budget.
  return chainLimiters({ acquire: (signal) => own.acquire(signal), pause() {} }, account);
}

/**
 * The outside account a connection's budget belongs to: its destination and the identity its connector
 * names, hashed (the key is stored in the shared limiter's table and must not carry a token).
 */
function accountOf(def: AnyDefinition, config: unknown, secret: unknown): string | undefined {
  const identity = def.account?.(config, secret);
  if (!identity) return undefined;
  const destination = def.destination?.(config) ?? '';
  const hash = createHash('sha256').update(`${destination}\0${identity}`).digest('hex').slice(0, 24);
  return `${def.system}:${hash}`;
}
