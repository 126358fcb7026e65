/** The domain vocabulary shared by engine, store, server and UI. Pure types, no behaviour. */

/** A system's name (`sql`, `hubspot`, …): the connector registry (src/connectors/registry.ts) is the list. */
export type SystemName = string;

/** An outside system plus how to reach it. `secret` is decrypted only in memory, never logged. */
export interface Connection {
  id: string;
  name: string;
  system: SystemName;
  config: Record<string, unknown>;
  secret: Record<string, unknown>;
  /**
   * The destination (base URL, database server) the secret was entered for, sealed with it; a connector
   * refuses to send the secret anywhere else. Undefined: sealed before destinations were (bound on the
   * next save).
   */
  secretDestination?: string | null | undefined;
  /**
   * The workspace the connection belongs to (set when read from the store; saving ignores it): decides
   * which files folder its files are taken from.
   */
  workspaceId?: string | undefined;
}

/** When a task runs by itself (see ScheduleSchema): an interval, a cron, and/or on its source's changes. */
export type Schedule =
  | { everyMinutes: number; onChange?: boolean | undefined; changeGapMinutes?: number | undefined }
  | {
      cron: string;
      timezone?: string | undefined;
      onChange?: boolean | undefined;
      changeGapMinutes?: number | undefined;
    }
  | { onChange: true; changeGapMinutes?: number | undefined };

export const NOTIFY_ON = ['success', 'warning', 'failure'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

export type { Task } from './task.ts';

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'warning',
  'failed',
  'cancelled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const EXECUTION_TRIGGERS = ['schedule', 'manual', 'webhook', 'import', 'cli', 'change'] as const;
export type ExecutionTrigger = (typeof EXECUTION_TRIGGERS)[number];

export interface ExecutionCounts {
  read: number;
  filtered: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}
export const ZERO_COUNTS: Readonly<ExecutionCounts> = Object.freeze({
  read: 0,
  filtered: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
});

export interface Execution {
  id: string;
  taskId: string;
  trigger: ExecutionTrigger;
  status: ExecutionStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
  counts: ExecutionCounts;
  error: { code: string; message: string } | null;
  /** Execution this one resumed (a crashed run's checkpoint was picked up). */
  resumedFrom: string | null;
}

export const ITEM_ACTIONS = ['create', 'update', 'unchanged', 'delete', 'skip', 'fail'] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/** One object touched by an execution. `payload` is what was (or should have been) sent. */
export interface ExecutionItem {
  executionId: string;
  sourceKey: string;
  targetId: string | null;
  action: ItemAction;
  code: string | null;
  message: string | null;
  payload: unknown;
}

/**
 * `ok`: in sync. `failed`: rejected for a reason a retry cannot fix (invalid data); tried again when the
 * record changes. `retry`: failed for a passing reason (rate limit, outage); the next run tries again.
 * `deleted`: erased by a privacy deletion; never written again. `removed`: the source record was deleted
 * and its target record deleted or archived with it (should the key come back, it is synced anew).
 * `target_deleted`: someone deleted the target record (an ordinary delete, not a privacy one); the link
 * is cut and the business record left as it is — written again only if the mapping says `recreate`.
 */
export const SYNC_STATUSES = ['ok', 'failed', 'retry', 'deleted', 'removed', 'target_deleted'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** One source record in one target: the identity map and the change detector. */
export interface SyncLink {
  sourceConnectionId: string;
  sourceObject: string;
  sourceKey: string;
  targetConnectionId: string;
  targetObject: string;
  externalId: string | null;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  status: SyncStatus;
  remark: string | null;
  payloadHash: string | null;
  /** A number the target assigned, read back after the write (`link.external_number` in formulas). */
  externalNumber?: string | null;
}
