import type { Generated } from 'kysely';

/**
 * Table types as Kysely sees them. Timestamps are ISO-8601 UTC text and JSON is text in both dialects:
 * one representation keeps the repositories dialect-free, and ISO text sorts chronologically.
 */
export interface Database {
  connections: ConnectionsTable;
  mapping_definitions: MappingDefinitionsTable;
  tasks: TasksTable;
  executions: ExecutionsTable;
  execution_items: ExecutionItemsTable;
  sync_links: SyncLinksTable;
  checkpoints: CheckpointsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  webhook_receipts: WebhookReceiptsTable;
  association_links: AssociationLinksTable;
  error_resolutions: ErrorResolutionsTable;
  workspaces: WorkspacesTable;
  workspace_members: WorkspaceMembersTable;
}

export interface ConnectionsTable {
  id: string;
  /** The workspace that owns it (migration 0013; `default` for what existed before). */
  workspace_id: Generated<string>;
  name: string;
  system: string;
  config: string;
  /** AES-256-GCM sealed JSON of the connection's secret fields. */
  secret_sealed: string | null;
  created_at: string;
  updated_at: string;
}

export interface MappingDefinitionsTable {
  id: string;
  /** The workspace that owns it (migration 0013; `default` for what existed before). */
  workspace_id: Generated<string>;
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

export interface TasksTable {
  id: string;
  /** The workspace that owns it (migration 0013; `default` for what existed before). */
  workspace_id: Generated<string>;
  name: string;
  mapping_id: string;
  enabled: number;
  /** JSON: schedule, mode, notify, params. */
  definition: string;
  created_at: string;
  updated_at: string;
}

export interface ExecutionsTable {
  id: string;
  task_id: string;
  trigger: string;
  status: string;
  /** Holder of the run: `host:pid`; used to tell a crashed run from a live one. */
  owner: string | null;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  counts: string;
  error_code: string | null;
  error_message: string | null;
  resumed_from: string | null;
  created_at: string;
  /** Pages committed so far; a page commit names its number, so a retried commit is not applied twice. */
  pages_committed?: number;
  /** When the run's lease ends unless renewed (ISO time); null on rows from before migration 0009. */
  lease_until?: string | null;
}

export interface ExecutionItemsTable {
  id: Generated<number>;
  execution_id: string;
  source_key: string;
  target_id: string | null;
  action: string;
  code: string | null;
  message: string | null;
  payload: string | null;
  created_at: string;
}

export interface SyncLinksTable {
  source_connection_id: string;
  source_object: string;
  source_key: string;
  target_connection_id: string;
  target_object: string;
  external_id: string | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  status: string;
  remark: string | null;
  payload_hash: string | null;
  /** What read-back found in the target (a number the target assigned); kept when a later write reads nothing. */
  external_number?: string | null;
}

export interface CheckpointsTable {
  task_id: string;
  /** JSON cursor up to which the last *completed* run read (incremental mode). */
  watermark: string | null;
  /** JSON `{ base, position }` of the run in progress; non-null after a crash means "resume here". */
  in_progress: string | null;
  execution_id: string | null;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  username: string;
  name: string;
  role: string;
  /** scrypt: `scrypt$N$r$p$salt$hash` (base64url). */
  password_hash: string;
  must_change_password: number;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  expires_at: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  last_used_at: string | null;
  created_at: string;
  /** After this instant the token no longer authenticates; null: never expires. */
  expires_at: string | null;
  /** The role the token acts with, never above its owner's; null (tokens before 0010): the owner's role. */
  role?: string | null;
  /** The workspace the token acts in; null (tokens before 0013): `default`. */
  workspace_id?: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  /** e.g. `deletion_request`. */
  kind: string;
  connection_id: string;
  /** A hash of the record's id, never the id or any personal field itself. */
  subject: string;
  /** JSON: what was done where (connections, objects, actions, error codes). */
  details: string;
  /** The workspace the entry was made in; null: the instance's own (logins), or an entry from before 0013. */
  workspace_id?: string | null;
}

export interface WebhookReceiptsTable {
  connection_id: string;
  /** `sig:<signature>` of a request or `event:<eventId>` of a processed event. */
  receipt_key: string;
  received_at: string;
}

export interface AssociationLinksTable {
  mapping_id: string;
  source_key: string;
  to_object: string;
  /** Source key of the related record (in the mapping that syncs it). */
  related_key: string;
  from_id: string;
  to_id: string | null;
  /** `ok` associated, `pending` waiting for the related record, `failed` refused. */
  status: string;
  remark: string | null;
  updated_at: string;
}

export interface ErrorResolutionsTable {
  task_id: string;
  source_key: string;
  /** `resolved` (fixed elsewhere) or `ignored` (not worth fixing); a failure after `at` reopens it. */
  state: string;
  note: string | null;
  /** Username of who marked it. */
  by_user: string | null;
  at: string;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  /** The interval range (minutes) within which a workspace's operators and admins may schedule tasks. */
  min_interval_minutes: number;
  max_interval_minutes: number;
  /** Runs of this workspace's tasks that may go at once; null: no limit of its own. */
  max_concurrent_runs: number | null;
  /** Percent of a shared outside account's rate limit (migration 0015); null: no share of its own. */
  rate_share: number | null;
  created_at: string;
  updated_at: string;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  /** `admin` | `operator` | `viewer` (core/users.ts WORKSPACE_ROLES). */
  role: string;
}
