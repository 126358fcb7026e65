import type { Kysely } from 'kysely';
import type { ExecutionItem, ItemAction } from '../../core/types.ts';
import type { Database } from '../schema.ts';
import { type Filterable, idsIn, type Scope } from './scope.ts';

/** Reading execution items: one run's objects, and the error log across tasks (newest first, by code). */
export function createExecutionItemQueries(db: Kysely<Database>, scope?: Scope) {
  /** Keeps a query joined to `executions` to the scope's tasks. */
  const inScope = <Q extends Filterable>(q: Q): Q =>
    scope === undefined ? q : (q.where('executions.task_id', 'in', idsIn(db, 'tasks', scope)) as Q);
  /** Keeps a query on one execution's items to an execution of the scope. */
  const ofScopedExecution = <Q extends Filterable>(q: Q): Q =>
    scope === undefined
      ? q
      : (q.where(
          'execution_id',
          'in',
          db
            .selectFrom('executions')
            .select('executions.id')
            .where('executions.task_id', 'in', idsIn(db, 'tasks', scope)),
        ) as Q);
  /** Items naming any of these source keys or target ids (a person's traces in the run history). */
  const naming = (sourceKeys: string[], targetIds: string[]) =>
    db.selectFrom('execution_items').where((eb) => {
      const or = [];
      if (sourceKeys.length) or.push(eb('source_key', 'in', sourceKeys));
      if (targetIds.length) or.push(eb('target_id', 'in', targetIds));
      return or.length ? eb.or(or) : eb.val(false);
    });
  return {
    /**
     * Items naming any of these source keys or target ids, oldest first, with their task: candidates the
     * caller narrows to one person by each task's mapping (keys alone collide across systems).
     */
    async itemsNaming(o: {
      sourceKeys: string[];
      targetIds: string[];
    }): Promise<(ExecutionItem & { id: number; taskId: string })[]> {
      // Nothing to look for: no query (SQLite cannot bind the `false` an empty condition would be).
      if (!o.sourceKeys.length && !o.targetIds.length) return [];
      const rows = await inScope(
        naming(o.sourceKeys, o.targetIds)
          .innerJoin('executions', 'executions.id', 'execution_items.execution_id')
          .selectAll('execution_items')
          .select('executions.task_id')
          .orderBy('execution_items.id')
          .limit(50_000),
      ).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        taskId: r.task_id,
        executionId: r.execution_id,
        sourceKey: r.source_key,
        targetId: r.target_id,
        action: r.action as ItemAction,
        code: r.code,
        message: r.message,
        payload: r.payload ? JSON.parse(r.payload) : null,
      }));
    },

    /**
     * Blanks the payload and message of these items at once (an erasure): counts stay, values go. In a
     * workspace's view only its own runs' items, whatever ids it is handed.
     */
    async purgeItems(ids: number[]): Promise<number> {
      let n = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const r = await ofScopedExecution(
          db
            .updateTable('execution_items')
            .set({ payload: null, message: null })
            .where('id', 'in', ids.slice(i, i + 500)),
        ).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    },

    /** Count of items of an execution, by action. */
    async itemCount(executionId: string, action?: ItemAction): Promise<number> {
      let q = ofScopedExecution(
        db
          .selectFrom('execution_items')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('execution_id', '=', executionId),
      );
      if (action) q = q.where('action', '=', action);
      return Number((await q.executeTakeFirstOrThrow()).n);
    },

    async items(
      executionId: string,
      f: { action?: ItemAction; limit?: number; offset?: number } = {},
    ): Promise<(ExecutionItem & { id: number })[]> {
      let q = ofScopedExecution(
        db
          .selectFrom('execution_items')
          .selectAll()
          .where('execution_id', '=', executionId)
          .orderBy('id')
          .limit(f.limit ?? 100)
          .offset(f.offset ?? 0),
      );
      if (f.action) q = q.where('action', '=', f.action);
      return (await q.execute()).map((r) => ({
        id: Number(r.id),
        executionId: r.execution_id,
        sourceKey: r.source_key,
        targetId: r.target_id,
        action: r.action as ItemAction,
        code: r.code,
        message: r.message,
        payload: r.payload ? JSON.parse(r.payload) : null,
      }));
    },

    /** The error log: failed items across all tasks, newest first, with their task and execution. */
    async failedItems(f: { taskId?: string; code?: string; limit?: number; offset?: number } = {}) {
      let q = inScope(
        db
          .selectFrom('execution_items')
          .innerJoin('executions', 'executions.id', 'execution_items.execution_id')
          .select([
            'execution_items.id',
            'execution_items.execution_id',
            'execution_items.source_key',
            'execution_items.target_id',
            'execution_items.code',
            'execution_items.message',
            'execution_items.payload',
            'execution_items.created_at',
            'executions.task_id',
          ])
          .where('execution_items.action', '=', 'fail')
          .orderBy('execution_items.id', 'desc')
          .limit(f.limit ?? 100)
          .offset(f.offset ?? 0),
      );
      if (f.taskId) q = q.where('executions.task_id', '=', f.taskId);
      if (f.code) q = q.where('execution_items.code', '=', f.code);
      return (await q.execute()).map((r) => ({
        id: Number(r.id),
        executionId: r.execution_id,
        taskId: r.task_id,
        sourceKey: r.source_key,
        targetId: r.target_id,
        code: r.code,
        message: r.message,
        payload: r.payload ? JSON.parse(r.payload) : null,
        at: new Date(r.created_at),
      }));
    },

    /** Failed items grouped by error code, with counts (the error log's overview). */
    async failureCodes(f: { taskId?: string } = {}) {
      let q = inScope(
        db
          .selectFrom('execution_items')
          .innerJoin('executions', 'executions.id', 'execution_items.execution_id')
          .select([
            'execution_items.code',
            (eb) => eb.fn.countAll<number>().as('n'),
            (eb) => eb.fn.max('execution_items.created_at').as('last'),
          ])
          .where('execution_items.action', '=', 'fail')
          .groupBy('execution_items.code')
          .orderBy('last', 'desc'),
      );
      if (f.taskId) q = q.where('executions.task_id', '=', f.taskId);
      return (await q.execute()).map((r) => ({
        code: r.code,
        count: Number(r.n),
        lastAt: r.last ? new Date(String(r.last)) : null,
      }));
    },
  };
}
