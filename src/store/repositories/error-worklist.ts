import type { Kysely } from 'kysely';
import { NotFoundError } from '../../core/errors.ts';
import type { Database } from '../schema.ts';
import { idsIn, type Scope } from './scope.ts';

/** What someone decided about a record's failures in a task. */
export const RESOLUTION_STATES = ['resolved', 'ignored'] as const;
export type ResolutionState = (typeof RESOLUTION_STATES)[number];

/** One row of the error log: a record that fails in a task, with its latest failure. */
export interface OpenError {
  taskId: string;
  sourceKey: string;
  /** Failures since the record last went through in this task (or ever). */
  attempts: number;
  /** The first of those failures. */
  since: Date;
  /** The latest failure: when, which run, its code, message and the payload that should have been sent. */
  lastAt: Date;
  executionId: string;
  itemId: number;
  code: string | null;
  message: string | null;
  payload: unknown;
  /** Set when the row is listed with `state` resolved or ignored. */
  resolution: { state: ResolutionState; note: string | null; by: string | null; at: Date } | null;
}

export interface WorklistFilter {
  taskId?: string | undefined;
  code?: string | undefined;
  /** Only records whose latest failure is at or after this instant. */
  since?: Date | undefined;
  /** `open` (default): neither resolved nor ignored since the latest failure; else those marked so. */
  state?: 'open' | ResolutionState | undefined;
}

/**
 * The error log as a worklist: one row per record and task whose latest result in that task is a failure.
 * A record that failed seven times is one row with seven attempts; a record that went through since is no
 * row at all; a row marked resolved or ignored leaves the open list until it fails again.
 */
export function createErrorWorklist(db: Kysely<Database>, scope?: Scope) {
  /** Marks may be set only on the scope's tasks (another workspace's task does not exist here). */
  const ownTask = async (taskId: string) => {
    if (scope === undefined) return;
    const row = await idsIn(db, 'tasks', scope).where('tasks.id', '=', taskId).executeTakeFirst();
    if (!row) throw new NotFoundError(`task '${taskId}' does not exist`);
  };
  /** Every failing (task, record) with its attempts, first and latest failure; the filters applied. */
  const failing = (f: WorklistFilter) => {
    // The newest non-failure of each (task, record) that has failed at all: failures before it are over.
    const lastOk = db
      .selectFrom('execution_items as i')
      .innerJoin('executions as e', 'e.id', 'i.execution_id')
      .select(['e.task_id', 'i.source_key', (eb) => eb.fn.max('i.id').as('ok_id')])
      .where('i.action', '!=', 'fail')
      .where('i.source_key', 'in', (eb) =>
        eb.selectFrom('execution_items').select('source_key').where('action', '=', 'fail'),
      )
      .groupBy(['e.task_id', 'i.source_key']);
    const streaks = db
      .selectFrom('execution_items as i')
      .innerJoin('executions as e', 'e.id', 'i.execution_id')
      .leftJoin(lastOk.as('ok'), (j) =>
        j.onRef('ok.task_id', '=', 'e.task_id').onRef('ok.source_key', '=', 'i.source_key'),
      )
      .select([
        'e.task_id',
        'i.source_key',
        (eb) => eb.fn.countAll<number>().as('attempts'),
        (eb) => eb.fn.min('i.created_at').as('first_at'),
        (eb) => eb.fn.max('i.id').as('last_id'),
      ])
      .where('i.action', '=', 'fail')
      .where((eb) => eb.or([eb('ok.ok_id', 'is', null), eb('i.id', '>', eb.ref('ok.ok_id'))]))
      .$if(scope !== undefined, (qb) => qb.where('e.task_id', 'in', idsIn(db, 'tasks', scope as string)))
      .groupBy(['e.task_id', 'i.source_key']);
    let q = db
      .selectFrom(streaks.as('s'))
      .innerJoin('execution_items as last', 'last.id', 's.last_id')
      .leftJoin('error_resolutions as r', (j) =>
        j.onRef('r.task_id', '=', 's.task_id').onRef('r.source_key', '=', 's.source_key'),
      );
    if (f.taskId) q = q.where('s.task_id', '=', f.taskId);
    if (f.code) q = q.where('last.code', '=', f.code);
    if (f.since) q = q.where('last.created_at', '>=', f.since.toISOString());
    const state = f.state ?? 'open';
    // A mark counts while no failure came after it; ISO text compares chronologically.
    q =
      state === 'open'
        ? q.where((eb) => eb.or([eb('r.at', 'is', null), eb('r.at', '<', eb.ref('last.created_at'))]))
        : q.where('r.state', '=', state).where('r.at', '>=', (eb) => eb.ref('last.created_at'));
    return q;
  };

  return {
    /** The rows, latest failure first, and how many there are in all. */
    async list(f: WorklistFilter & { limit?: number; offset?: number } = {}) {
      const rows = await failing(f)
        .select([
          's.task_id',
          's.source_key',
          's.attempts',
          's.first_at',
          'last.id as item_id',
          'last.execution_id',
          'last.code',
          'last.message',
          'last.payload',
          'last.created_at as last_at',
          'r.state',
          'r.note',
          'r.by_user',
          'r.at as resolved_at',
        ])
        .orderBy('last.id', 'desc')
        .limit(f.limit ?? 100)
        .offset(f.offset ?? 0)
        .execute();
      const errors: OpenError[] = rows.map((r) => ({
        taskId: r.task_id,
        sourceKey: r.source_key,
        attempts: Number(r.attempts),
        since: new Date(String(r.first_at)),
        lastAt: new Date(r.last_at),
        executionId: r.execution_id,
        itemId: Number(r.item_id),
        code: r.code,
        message: r.message,
        payload: r.payload ? JSON.parse(r.payload) : null,
        resolution:
          (f.state ?? 'open') !== 'open' && r.state && r.resolved_at
            ? {
                state: r.state as ResolutionState,
                note: r.note,
                by: r.by_user,
                at: new Date(r.resolved_at),
              }
            : null,
      }));
      return { errors, total: await this.count(f) };
    },

    /** How many rows the filter finds (the dashboard's "open errors" without a filter). */
    async count(f: WorklistFilter = {}): Promise<number> {
      const row = await failing(f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The open rows counted by the code of their latest failure (the log's code filter). */
    async codes(f: Omit<WorklistFilter, 'code'> = {}): Promise<{ code: string | null; count: number }[]> {
      const rows = await failing(f)
        .select(['last.code', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('last.code')
        .orderBy('n', 'desc')
        .execute();
      return rows.map((r) => ({ code: r.code, count: Number(r.n) }));
    },

    /** Marks records of a task resolved or ignored (until they fail again), with a note; returns how many. */
    async resolve(o: {
      taskId: string;
      sourceKeys: string[];
      state: ResolutionState;
      note: string | null;
      by: string | null;
      at?: Date;
    }): Promise<number> {
      await ownTask(o.taskId);
      const at = (o.at ?? new Date()).toISOString();
      for (const key of o.sourceKeys) {
        await db
          .insertInto('error_resolutions')
          .values({ task_id: o.taskId, source_key: key, state: o.state, note: o.note, by_user: o.by, at })
          .onConflict((oc) =>
            oc
              .columns(['task_id', 'source_key'])
              .doUpdateSet({ state: o.state, note: o.note, by_user: o.by, at }),
          )
          .execute();
      }
      return o.sourceKeys.length;
    },

    /** Takes the marks off (the rows are open again if they still fail). */
    async reopen(o: { taskId: string; sourceKeys: string[] }): Promise<number> {
      await ownTask(o.taskId);
      if (!o.sourceKeys.length) return 0;
      const r = await db
        .deleteFrom('error_resolutions')
        .where('task_id', '=', o.taskId)
        .where('source_key', 'in', o.sourceKeys)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
