import type { Connector, Cursor } from '../connectors/connector.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Task } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { jobScope } from './assignments.ts';
import { compileFilter, inMemoryFilter } from './run-task.ts';

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

/** Rows of the overlap window looked at for a late commit, at most (two pages). */
const LATE_LOOK_PAGE = 500;
const LATE_LOOK_PAGES = 2;

const timeOf = (v: unknown): number | null =>
  v instanceof Date
    ? v.getTime()
    : typeof v === 'string' || typeof v === 'number'
      ? Date.parse(String(v))
      : null;

/**
 * After a notification the look after the watermark does not explain: whether a row was inserted by a
 * transaction that committed late, stamped with a modified time before the watermark (PostgreSQL's `now()` is
 * its transaction's start) after the last run had read that far. The next run takes it (its read starts
 * `overlapSeconds` back); the watch only has to start it. Such a row is one of the overlap window that the
 * filter keeps and that no run has processed: every record a run reads leaves a sync link (created, updated,
 * failed), so the run's own write-back marks, which notify too, are none. A late update of a record synced
 * before cannot be told from an update that changed nothing mapped: it waits for the next run.
 * Answers the keys of such rows, less those in `started` (rows a run was already started for: one the run
 * read and left without a link, such as an update-only mapping's row with no target record, is no news).
 */
export async function lateInserted(
  store: Store,
  task: Task,
  mapping: MappingDefinition,
  source: Connector,
  started: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const modifiedField = mapping.source.modifiedField;
  if (!modifiedField || task.mode !== 'incremental' || mapping.assignments?.length) return [];
  const watermark = ((await store.executions.checkpoint(task.id))?.watermark ?? null) as Cursor | null;
  const until = timeOf(watermark?.m);
  if (!watermark || until === null || Number.isNaN(until)) return [];
  const filter = compileFilter(mapping);
  const expression = { params: task.params ?? {}, job: await jobScope(store, task, '') };
  const scope = {
    sourceConnectionId: mapping.source.connectionId,
    sourceObject: mapping.source.object,
    targetConnectionId: mapping.target.connectionId,
    targetObject: mapping.target.object,
  };
  const keep = inMemoryFilter({ store, scope, expression }, filter);
  let pages = 0;
  for await (const page of source.read(mapping.source.object, {
    after: watermark,
    keyField: mapping.source.key,
    modifiedField,
    filter: filter ?? undefined,
    pageSize: LATE_LOOK_PAGE,
    expression,
  })) {
    const records = filter && !page.filtered ? await keep(page.records, page.rest) : page.records;
    const links = await store.syncLinks.getMany(
      scope,
      records.map((r) => r.key),
    );
    const unprocessed = records.filter((r) => !links.has(r.key) && !started.has(r.key)).map((r) => r.key);
    if (unprocessed.length) return unprocessed;
    const last = timeOf(page.records.at(-1)?.data[modifiedField]);
    // Past the watermark the look after it has answered; and the window is bounded.
    if (last === null || last > until || ++pages >= LATE_LOOK_PAGES) return [];
  }
  return [];
}
