/** Value lists the forms and filters offer (mirrors of the API's enums). */
export const EXECUTION_STATUS_LIST = [
  'running',
  'succeeded',
  'warning',
  'failed',
  'cancelled',
  'queued',
] as const;
export const SCHEDULE_PRESETS = [10, 15, 30, 45] as const;
export const NOTIFY_ON_LIST = ['success', 'warning', 'failure'] as const;
export const DELETE_POLICIES = ['ignore', 'archive', 'propagate'] as const;
export const TRANSFORM_LIST = [
  'trim',
  'lower',
  'upper',
  'default',
  'date',
  'number',
  'boolean',
  'valueMap',
  'split',
  'email',
  'phone',
  'truncate',
] as const;
export type TransformName = (typeof TRANSFORM_LIST)[number];
