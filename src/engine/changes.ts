import type { Connector, Cursor } from '../connectors/connector.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Task } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { jobScope } from './assignments.ts';
import { compileFilter } from './run-task.ts';

/**
 * Whether the task's next incremental run would read anything: the source is asked for a record after
 * the watermark, with the filter and values the run's read would use. Null when the source cannot be
 * asked (no `changedSince`, no modified column, a full-mode task or one with further assignments, whose
 * runs do not start from one watermark).
 */
export async function pendingChanges(
  store: Store,
  task: Task,
  mapping: MappingDefinition,
  source: Connector,
): Promise<boolean | null> {
  const modifiedField = mapping.source.modifiedField;
  if (!source.changedSince || !modifiedField || task.mode !== 'incremental' || mapping.assignments?.length)
    return null;
  const checkpoint = await store.executions.checkpoint(task.id);
  // A crashed run's resume point is work still to do.
  if (checkpoint?.inProgress) return true;
  const filter = compileFilter(mapping);
  return source.changedSince(mapping.source.object, {
    keyField: mapping.source.key,
    modifiedField,
    after: (checkpoint?.watermark ?? null) as Cursor | null,
    filter: filter ?? undefined,
    expression: { params: task.params ?? {}, job: await jobScope(store, task, '') },
  });
}

/**
 * Whether a stopped hub may have left work of the task undone that its source cannot be asked about: a run
 * cut off mid-way (its resume point), or a webhook event of the source taken (answered, so never delivered
 * again) at or after the start of the task's last completed run — the run it asked for may never have
 * started, or died before it read the change.
 */
export async function workLeftUndone(store: Store, task: Task, mapping: MappingDefinition): Promise<boolean> {
  const checkpoint = await store.executions.checkpoint(task.id);
  if (checkpoint?.inProgress) return true;
  const recent = await store.executions.list({ taskId: task.id, limit: 20 });
  const completed = recent.find((e) => e.status === 'succeeded' || e.status === 'warning');
  return store.audit.eventTakenSince(mapping.source.connectionId, completed?.startedAt ?? null);
}
