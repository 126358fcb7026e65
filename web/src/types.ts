/**
 * The API's JSON as the dashboard sees it: the domain types of src/core with dates as ISO strings.
 */

import type { DryRunResult } from '../../src/core/dry-run.ts';
import type { MappingDefinitionInput, TransformInput } from '../../src/core/mapping-definition.ts';
import type { Task } from '../../src/core/task.ts';
import type {
  ExecutionCounts,
  ExecutionStatus,
  ExecutionTrigger,
  ItemAction,
  NotifyOn,
  Schedule,
  SyncStatus,
  SystemName,
} from '../../src/core/types.ts';

export type {
  DryRunResult,
  ExecutionCounts,
  ExecutionStatus,
  ItemAction,
  MappingDefinitionInput,
  NotifyOn,
  Schedule,
  SyncStatus,
  SystemName,
  TransformInput,
};
export type FieldMappingInput = MappingDefinitionInput['fields'][number];

/** A user's rights in one workspace: admin configures it, operator runs and schedules, viewer reads. */
export const WORKSPACE_ROLES = ['admin', 'operator', 'viewer'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** A workspace the user belongs to, as `/api/auth/me` lists it. */
export interface WorkspaceRef {
  id: string;
  name: string;
  role: WorkspaceRole;
}

/** What the instance administrator allows in a workspace (`null`: no limit). */
export interface WorkspaceLimits {
  minIntervalMinutes: number;
  maxIntervalMinutes: number;
  maxConcurrentRuns: number | null;
  /** Percent of a shared outside account's rate limit while other workspaces draw on it; null: none. */
  rateShare: number | null;
}

/** A workspace with its limits (`GET /api/workspaces`). */
export interface WorkspaceRow extends WorkspaceRef {
  limits: WorkspaceLimits;
}

/** A member of a workspace (`GET /api/workspaces/:id/members`). */
export interface WorkspaceMember {
  userId: string;
  username: string;
  name: string;
  role: WorkspaceRole;
}

/** The logged-in user (`/api/auth/me`). */
export interface SessionUser {
  id: string;
  username: string;
  name: string;
  /** The instance role: `admin` is the instance administrator, `viewer` has no instance rights. */
  role: 'admin' | 'viewer';
  mustChangePassword: boolean;
  /** Instance administrators are admin in every workspace. Absent from a server without workspaces. */
  instanceAdmin?: boolean;
  /** The workspaces the user may open, with the role in each. Absent from a server without workspaces. */
  workspaces?: WorkspaceRef[];
}

export interface UserRow extends SessionUser {
  disabled: boolean;
  createdAt: string;
}

/** An API token as GET /api/users/:id/tokens lists it (never its secret). */
export interface ApiTokenRow {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface ConnectionRow {
  id: string;
  name: string;
  system: SystemName;
  config: Record<string, unknown>;
}

/** One connection: secret fields appear only as `'set'`. */
export interface ConnectionDetail extends ConnectionRow {
  secret: Record<string, 'set'>;
}

export interface FieldDescription {
  name: string;
  label?: string;
  type: string;
  unique?: boolean;
  required?: boolean;
  options?: { value: string; label: string }[];
}
export interface ObjectDescription {
  name: string;
  label?: string;
  fields: FieldDescription[];
}

export interface Execution {
  id: string;
  taskId: string;
  trigger: ExecutionTrigger;
  status: ExecutionStatus;
  startedAt: string | null;
  finishedAt: string | null;
  counts: ExecutionCounts;
  error: { code: string; message: string } | null;
}

export interface ExecutionItem {
  /** The item's row id: stable across pages and filters (a record can appear twice in a run). */
  id: number;
  executionId: string;
  sourceKey: string;
  targetId: string | null;
  action: ItemAction;
  code: string | null;
  message: string | null;
  payload: unknown;
}

/**
 * A task as the API lists it: the task's one schema (src/core/task.ts) plus its next and last run, and
 * whether it is an import's task (runs only with an uploaded file: no "run now", no schedule).
 */
export type TaskRow = Task & {
  kind: 'sync' | 'import';
  nextRunAt: string | null;
  lastExecution: Execution | null;
  /** The task's latest runs, newest first (a few). */
  recentExecutions: Execution[];
};

export type MappingRow = MappingDefinitionInput & { id: string };

export interface PreviewRow {
  sourceKey: string;
  source: Record<string, unknown>;
  selected: boolean;
  payload: Record<string, unknown>;
  errors: { field: string; code: string; message: string }[];
}

/** A row of the error log: a record that fails now in a task (GET /api/errors). */
export interface OpenError {
  taskId: string;
  sourceKey: string;
  /** The record's name from the payload's name fields; null: show the key. */
  name: string | null;
  attempts: number;
  since: string;
  lastAt: string;
  executionId: string;
  itemId: number;
  code: string | null;
  message: string | null;
  payload: unknown;
  resolution: { state: 'resolved' | 'ignored'; note: string | null; by: string | null; at: string } | null;
}

export interface FailedItem {
  id: number;
  executionId: string;
  taskId: string;
  sourceKey: string;
  targetId: string | null;
  code: string | null;
  message: string | null;
  payload: unknown;
  at: string;
}

/** A validation issue from a 400 (`details.issues`). */
export interface Issue {
  field: string;
  message: string;
  position?: number;
}

/** One thing wrong with one row of an import file (`row` as the spreadsheet numbers it). */
export interface RowProblem {
  row: number;
  field: string | null;
  code: string;
  message: string;
}

/** An uploaded import file and what became of it (`/api/imports/:id`, mirrors src/import/workspace.ts). */
export interface ImportView {
  id: string;
  mappingId: string;
  fileName: string;
  createdAt: string;
  status: 'validated' | 'running' | 'finished' | 'failed';
  file: {
    format: 'xlsx' | 'csv';
    sheetName: string | null;
    encoding: string | null;
    delimiter: string | null;
    bytes: number;
    header: string[];
  };
  validation: {
    rows: number;
    valid: number;
    invalid: number;
    filtered: number;
    problems: RowProblem[];
    problemCount: number;
    preview: {
      row: number;
      source: Record<string, unknown>;
      payload: Record<string, unknown>;
      problems: RowProblem[];
    }[];
  };
  executionId: string | null;
  hasErrorFile: boolean;
  errorFileUrl: string | null;
  error: { code: string; message: string } | null;
  execution: Execution | null;
}

/** Where one source record is in one target system (`/api/records/:sourceKey/links`). */
export interface SyncLinkRow {
  sourceConnectionId: string;
  sourceObject: string;
  sourceKey: string;
  targetConnectionId: string;
  targetObject: string;
  externalId: string | null;
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  status: SyncStatus;
  remark: string | null;
}
