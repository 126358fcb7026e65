import type { ExecutionCounts } from './types.ts';

/** One record of a dry run: what the run would do with it. */
export interface DryRunItem {
  sourceKey: string;
  action: 'create' | 'update' | 'delete' | 'fail';
  /** The target record it would update (null for a create). */
  externalId: string | null;
  payload: unknown;
  code?: string;
  message?: string;
}

/** What the next run of a task would do (API `POST /api/tasks/:id/dry-run`, `junction run --dry-run`). */
export interface DryRunResult {
  dryRun: true;
  /** The counts the run would end with. */
  counts: ExecutionCounts;
  /** The records it would write or fail, in read order (the first `maxItems`). */
  items: DryRunItem[];
  /** True when `maxRecords` stopped the read before the end. */
  truncated: boolean;
  /** Why the run would end with a warning although no record failed (the mass-deletion guard). */
  warning?: { code: string; message: string };
}
