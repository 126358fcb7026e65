import type { Expr } from '../core/expression/ast.ts';
import type { JobScope, LinkView } from '../core/expression/index.ts';
import { childrenOf } from '../core/expression/index.ts';
import type { Execution, SyncLink, Task } from '../core/types.ts';

export { expressionPaths } from '../core/expression/index.ts';

import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Store } from '../store/store.ts';

/**
 * The assignments of a mapping, in run order, each as a mapping of its own: the mapping's top-level
 * source/target/fields/filter first, then `assignments`, each filling what it leaves out from the
 * mapping. Code that handles one assignment (plan, process, dry run) takes these unchanged.
 */
export function assignmentsOf(mapping: MappingDefinition): MappingDefinition[] {
  const { assignments, ...primary } = mapping;
  const out: MappingDefinition[] = [primary];
  for (const [i, a] of (assignments ?? []).entries()) {
    const source = { ...mapping.source, ...a.source };
    out.push({
      ...primary,
      name: a.name ?? `${mapping.name} (${i + 2})`,
      source: a.source?.object && !a.source.modifiedField ? { ...source, modifiedField: undefined } : source,
      target: {
        connectionId: a.target?.connectionId ?? mapping.target.connectionId,
        object: a.target?.object ?? mapping.target.object,
      },
      matchKey: a.matchKey ?? mapping.matchKey,
      fields: a.fields,
      filter: a.filter,
      writeBack: a.writeBack,
      sync: a.sync,
      identifier: a.identifier,
      readBack: a.readBack,
      initialMatching: a.initialMatching,
      // Associations and deletions belong to the mapping's own assignment.
      associations: undefined,
    });
  }
  return out;
}

/** `link.*` of a record: null when it was never synced to the target successfully (`link is null`). */
export function linkView(link: SyncLink | undefined): LinkView | null {
  if (!link || (!link.externalId && !link.lastSuccessAt)) return null;
  return {
    external_id: link.externalId,
    external_number: link.externalNumber ?? null,
    last_sync: link.lastSyncAt,
    last_success: link.lastSuccessAt,
    status: link.status,
    remark: link.remark,
  };
}

/**
 * `job.last_success` and `job.last_run`: the start times of the task's last run that completed (with or
 * without failed records) and of its last finished run of any outcome, the current one left out. Start
 * times, so a record changed while a run was going is picked up again by the next.
 */
export async function jobScope(store: Store, task: Task, currentExecutionId: string): Promise<JobScope> {
  const recent: Execution[] = await store.executions.list({ taskId: task.id, limit: 200 });
  const done = recent.filter((e) => e.id !== currentExecutionId && e.finishedAt);
  const success = done.find((e) => e.status === 'succeeded' || e.status === 'warning');
  return { last_success: success?.startedAt ?? null, last_run: done[0]?.startedAt ?? null };
}

/** True when the expression reads the record's sync link (which only the engine can supply). */
export function usesLink(expr: Expr | null): boolean {
  if (!expr) return false;
  if (expr.kind === 'path' && expr.segments[0] === 'link') return true;
  return childrenOf(expr).some(usesLink);
}
