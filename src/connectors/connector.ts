import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Expr } from '../core/expression/ast.ts';
import type { JobScope, RelationDescription } from '../core/expression/index.ts';
import type { AuthKind, Text } from '../core/system-description.ts';
import type { SystemName } from '../core/types.ts';
import type { FileAccess } from './file-access.ts';
import type { HttpClient } from './http-client.ts';
import type { BudgetReport, RateLimiter } from './rate-limiter.ts';

export { AUTH_KINDS, type AuthKind, type FieldMeta, type Text } from '../core/system-description.ts';

/** A record as read from a system: its stable key and its fields (already parsed, plain JSON-ish values). */
export interface SourceRecord {
  key: string;
  data: Record<string, unknown>;
}

/** Position of an incremental read; opaque to the engine, meaningful only to the connector that made it. */
export type Cursor = Record<string, string | number | null>;

export interface ReadOptions {
  /** Resume after this position (exclusive). Absent: read from the beginning. */
  after?: Cursor | undefined;
  /** A filter the connector may push down to the system (the SQL connector compiles it to SQL). */
  filter?: Expr | undefined;
  pageSize?: number | undefined;
  /** Field of the object that increases with every change; required for incremental reads. */
  modifiedField?: string | undefined;
  /** Field that identifies a record (primary key). */
  keyField: string;
  /** Source fields the mapping reads; systems that return only default fields unless asked (HubSpot) fetch these. */
  fields?: string[] | undefined;
  /**
   * Every dotted path the mapping's formulas and `from` fields read (the filter's own paths the
   * connector derives from what it cannot push down) (`current_address.city.zip`,
   * `contracts.role_id`); a source with relations loads the related records these paths pass through
   * onto each record (to-one as an object, to-many as an array), one query per relation and page.
   */
  paths?: string[] | undefined;
  /** Values the filter may read besides the record (`param()`, `job.*`), bound when it is pushed down. */
  expression?: { params?: Record<string, unknown> | undefined; job?: JobScope | undefined } | undefined;
}

export interface Page {
  records: SourceRecord[];
  /** Position after the last record of this page; a resumed read passes it as `after`. */
  cursor: Cursor | null;
  /** True when the connector applied `filter` itself, so the engine need not evaluate it again. */
  filtered?: boolean;
  /**
   * When the connector applied part of the filter: the part left for the engine to evaluate (the
   * records already satisfy the rest). Absent: the engine evaluates the whole filter.
   */
  rest?: Expr | undefined;
}

/** One write in a batch. `ref` correlates the result with the op (the source key). */
export type WriteOp =
  | {
      kind: 'upsert';
      ref: string;
      /** The target's unique property and its value: creates or updates idempotently. */
      match: { property: string; value: string };
      properties: Record<string, unknown>;
    }
  | { kind: 'update'; ref: string; externalId: string; properties: Record<string, unknown> }
  | {
      kind: 'delete';
      ref: string;
      externalId: string;
      /** A privacy erasure: the system's permanent (GDPR) delete where it has one, not a restorable one. */
      privacy?: boolean;
    }
  /** Deactivate rather than delete, as the system offers it (archive, suspend, blocklist, inactive). */
  | { kind: 'archive'; ref: string; externalId: string };

export type WriteResult =
  | { ref: string; ok: true; externalId: string; created: boolean }
  | {
      ref: string;
      ok: false;
      code: string;
      message: string;
      retryable: boolean;
      /** The record does not exist there (HTTP 404 or the system's "not found"): a delete or an erasure is done. */
      gone?: true;
    };

/**
 * A run's durable notes about writes it started but has not finished (a Brevo import process), kept with
 * the run's page state: an attempt killed mid-page leaves them for the next run, which replays the page
 * and picks the started work up instead of starting it again. Cleared when the page is committed.
 */
export interface WriteJournal {
  /** What an earlier attempt at this page recorded under `key`, or null. */
  get(key: string): Promise<unknown>;
  /** Records `value` under `key` durably; call it before waiting on the work it names. */
  put(key: string, value: unknown): Promise<void>;
}

/** What the engine hands a `write` besides its ops. */
export interface WriteOptions {
  /** Absent for dry runs, previews and one-off callers: the connector then simply starts afresh. */
  journal?: WriteJournal | undefined;
}

/** Sync marks written back onto a source record (single-target write-back). */
export interface RecordMark {
  key: string;
  values: Record<string, unknown>;
}

export interface FieldDescription {
  name: string;
  label?: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'enum' | 'json';
  unique?: boolean;
  required?: boolean;
  /** The system sets the value itself (HubSpot's calculated properties): a mapping should not write it. */
  readOnly?: boolean;
  options?: { value: string; label: string }[];
}
export interface ObjectDescription {
  name: string;
  label?: string;
  fields: FieldDescription[];
  /** Relations to other objects (SQL foreign keys), usable in paths, `count()` and `exists()`. */
  relations?: RelationDescription[];
}

/** A target record found by `lookup`: the value it was found by, its id, and its properties. */
export interface LookupHit {
  value: string;
  id: string;
  properties: Record<string, unknown>;
}

export interface CheckResult {
  ok: boolean;
  message: string;
}

/** Everything a connector may use. It never imports the store, the engine or another connector. */
export interface ConnectorContext<Config = Record<string, unknown>, Secret = Record<string, unknown>> {
  connectionId: string;
  config: Config;
  secret: Secret;
  http: HttpClient;
  log: Logger;
  signal: AbortSignal;
  /** The only way to a file on the hub's disk: every path a connector opens goes through `files.resolve`. */
  files: FileAccess;
  /** Persists a changed secret (refreshed OAuth tokens); connectors never touch the store themselves. */
  saveSecret?: ((secret: Secret) => Promise<void>) | undefined;
  /** A further budget of this connection (e.g. per second beside the HTTP client's per 10 s), shared like it. */
  limiter?: ((max: number | undefined, intervalMs: number) => RateLimiter) | undefined;
}

/** One pair of records to associate (e.g. contact → company), by the target system's ids. */
export interface AssociationPair {
  fromId: string;
  toId: string;
}
export type AssociationResult = AssociationPair &
  ({ ok: true } | { ok: false; code: string; message: string; retryable: boolean });

/** What a verified webhook said, in domain terms. */
export type WebhookEvent =
  | {
      kind: 'deletion';
      eventId: string;
      object: string;
      externalId: string;
      privacy: boolean;
      /** `externalId` is the record's value of this unique property, not its id (Brevo names a deleted contact by e-mail). */
      identifiedBy?: string;
      /**
       * A privacy deletion when the mappings into this object have a `privacy` policy (Brevo cannot say; set
       * only where the connection says its deletions are erasure requests).
       */
      privacyPerMapping?: boolean;
    }
  | { kind: 'change'; eventId: string; object: string; externalId: string };

/** An incoming webhook request as the server received it (raw body: signatures cover the exact bytes). */
export interface WebhookRequest {
  method: string;
  /** The full URI the caller used, scheme and host included. */
  url: string;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Systems that push events: verify the request (throw if forged or stale) and translate its events. */
export interface WebhookCapability<Config, Secret> {
  /**
   * Throws WebhookSignatureError unless the request is genuine and fresh; returns the replay-guard key, or null
   * when the request has none (a static token: redelivered events are caught by their event ids alone).
   */
  verify(config: Config, secret: Secret, request: WebhookRequest, now?: number): string | null;
  /** The request's events; `config` is the connection's (how its operator wants them read). */
  parse(rawBody: string, config: Config): WebhookEvent[];
}

/** Systems with an OAuth 2.0 authorization-code flow (the server runs the browser part). */
export interface OAuthCapability<Config, Secret> {
  /** Where to send the browser; `state` is already signed by the server. */
  authorizeUrl(config: Config, o: { state: string; redirectUri: string }): string;
  /** Exchanges the code for tokens and returns the secret to store. */
  exchangeCode(
    config: Config,
    secret: Secret,
    o: { code: string; redirectUri: string; http: HttpClient },
  ): Promise<Secret>;
}

export interface ConnectorLimits {
  /** Most ops one `write` call may carry. */
  batchSize: number;
  /** The system's request budget per rolling 10 s window; the limiter keeps under it. */
  requestsPer10s?: number;
  /** Write batches that may be in flight at once. */
  concurrency?: number;
}

/** A connection's live handle, made by `ConnectorDefinition.create`. */
export interface Connector {
  readonly system: SystemName;
  readonly limits: ConnectorLimits;
  describe(): Promise<ObjectDescription[]>;
  read(object: string, options: ReadOptions): AsyncIterable<Page>;
  /** Reads the named records (to retry ones that failed before); absent keys are simply not returned. */
  readByKeys?(object: string, keyField: string, keys: string[]): Promise<SourceRecord[]>;
  write(object: string, ops: WriteOp[], options?: WriteOptions): Promise<WriteResult[]>;
  /** Associates records of two objects (HubSpot contact ↔ company); one result per pair. */
  associate?(fromObject: string, toObject: string, pairs: AssociationPair[]): Promise<AssociationResult[]>;
  /**
   * Finds records whose `property` has one of `values` (`id` finds by the system's own id): initial
   * matching (adopt existing records by e-mail) and read-back (what the target assigned after a write).
   */
  lookup?(object: string, property: string, values: string[]): Promise<LookupHit[]>;
  /** Write sync marks onto source records; only systems that can be a write-back source have it. */
  writeMarks?(object: string, keyField: string, marks: RecordMark[]): Promise<void>;
  check(): Promise<CheckResult>;
  /**
   * True when an incremental read from `after` (its cursor; null: from the start) would return a
   * record, the filter applied as the read applies it. A change-driven task asks this every few seconds
   * instead of reading, so it must be one cheap question (an indexed `LIMIT 1` query), never a read.
   */
  changedSince?(
    object: string,
    o: Pick<ReadOptions, 'keyField' | 'filter' | 'expression'> & {
      modifiedField: string;
      after: Cursor | null;
    },
  ): Promise<boolean>;
  /**
   * Calls `onChange` with the object's name whenever the system says one of `objects` changed (PostgreSQL
   * notifications from the triggers `junction triggers install` puts on a table). Resolves once listening,
   * to a function that stops it; `onLost` hears when the system stopped telling (a dropped connection).
   */
  watchChanges?(
    objects: string[],
    onChange: (object: string) => void,
    onLost: (err: Error) => void,
  ): Promise<() => Promise<void>>;
  /** Makes the system notify changes of `object` (installs the triggers `watchChanges` listens to). */
  installChangeNotifications?(object: string): Promise<void>;
  /** Removes what `installChangeNotifications` installed on `object`. */
  removeChangeNotifications?(object: string): Promise<void>;
  close?(): Promise<void>;
}

/**
 * How a system presents itself to the rest of the house: its name and mark, how it authenticates, and
 * what the dashboard, the API docs and the error table need. Everything here lives in the system's folder.
 */
export interface ConnectorPresentation {
  /** The system's name in a sentence or a list ("HubSpot (CRM)"). */
  label: Text;
  /** Its brand name beside its mark ("HubSpot"). */
  name: string;
  /** Two letters and a colour for the system's mark in the dashboard. */
  mark: { short: string; color: string };
  auth: AuthKind;
  /** Records can come from an uploaded file (imports); the dashboard's import page offers such connections. */
  uploads?: boolean;
  /**
   * The HTTP status of each error code this system's connector raises, for the API's error answers
   * (absent or undefined: the house default, 500; remote errors 502).
   */
  errorStatus?: (code: string) => number | undefined;
}

export interface ConnectorDefinition<Config = unknown, Secret = unknown> extends ConnectorPresentation {
  system: SystemName;
  /** Validates `connection.config`; the store and API show its errors at the field. */
  configSchema: z.ZodType<Config>;
  secretSchema: z.ZodType<Secret>;
  /** Base URL, limits and auth headers the HTTP client needs before `create` runs. */
  http?: (
    config: Config,
    secret: Secret,
  ) => {
    baseUrl: string;
    limits: ConnectorLimits;
    timeoutMs?: number;
    headers?: () => Record<string, string>;
    /** Reads the system's report of its budget from a response's headers (rate-limit headers), if it sends one. */
    budget?: (headers: Record<string, string | string[] | undefined>) => BudgetReport | null;
  };
  /**
   * Who the outside system counts the budget against, beyond the destination (a token, an API key): every
   * connection to the same destination with the same identity draws from one budget, fairly shared by its
   * tasks. Hashed before use, so it may be a secret. Absent: each connection has its own budget.
   */
  account?: (config: Config, secret: Secret) => string | undefined;
  /**
   * Where the secret goes (the API's base URL, the database server): the secret is sealed together
   * with it, and a connection pointed elsewhere needs its secret entered again. Absent: no secret
   * leaves the hub through this connector.
   */
  destination?: (config: Config) => string;
  /**
   * Moves secrets written into the (raw, unvalidated) config, such as a password inside a database
   * URL, into secret fields: the stored config carries none.
   */
  separateSecret?: (config: Record<string, unknown>) => {
    config: Record<string, unknown>;
    secret: Record<string, unknown>;
  };
  create(ctx: ConnectorContext<Config, Secret>): Connector;
  /**
   * Paths on the hub's disk the config names (a spreadsheet file, a SQLite database): saving the
   * connection refuses one outside JUNCTION_FILES_DIR; the connector itself opens it only through `ctx.files`.
   */
  localFiles?: (config: Config) => string[];
  oauth?: OAuthCapability<Config, Secret>;
  webhook?: WebhookCapability<Config, Secret>;
}

/** The destination of a base URL: origin and path, without a trailing slash (`https://api.hubapi.com`). */
export function urlDestination(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}${url.search}`;
}

/** Tags a connector definition (no behaviour; keeps every connector folder shaped the same). */
export function defineConnector<Config, Secret>(
  definition: ConnectorDefinition<Config, Secret>,
): ConnectorDefinition<Config, Secret> {
  return definition;
}
