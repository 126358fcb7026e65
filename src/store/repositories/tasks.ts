import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.ts';
import { TaskSchema } from '../../core/task.ts';
import type { Task } from '../../core/types.ts';
import type { Database, TasksTable } from '../schema.ts';
import type { StoredUnknownKeys } from '../store.ts';
import { refuseForeignId, refuseForeignIds, type Scope } from './scope.ts';
import type { WriteJournalTable } from './write-journal.ts';

const TASK_KEYS = new Set(Object.keys(TaskSchema.shape));

/**
 * Tasks: which mapping runs when, and who hears about it. Scoped to a workspace, it sees and writes only that
 * workspace's tasks (another's is "does not exist"); unscoped, the instance's. A row is read as saved (not
 * parsed again: a rule added since, such as a refused time zone, must not stop a hub from starting); top-level
 * keys the task schema does not know (saved before they were refused) are left out and `onUnknownKeys` told.
 */
export function createTaskRepository(
  db: Kysely<Database>,
  scope?: Scope,
  onUnknownKeys?: (stored: StoredUnknownKeys) => void,
) {
  const toTask = (row: Selectable<TasksTable>): Task => {
    const saved = JSON.parse(row.definition) as Record<string, unknown>;
    const unknown = Object.keys(saved).filter((k) => !TASK_KEYS.has(k));
    for (const k of unknown) delete saved[k];
    if (unknown.length) onUnknownKeys?.({ kind: 'task', id: row.id, keys: unknown });
    const def = saved as Omit<Task, 'id' | 'name' | 'mappingId' | 'enabled'>;
    return { id: row.id, name: row.name, mappingId: row.mapping_id, enabled: row.enabled === 1, ...def };
  };
  return {
    /** The workspace that owns the task (the run service's limits, metrics' label). */
    async workspaceOf(id: string): Promise<string> {
      let q = db.selectFrom('tasks').select('workspace_id').where('id', '=', id);
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const row = await q.executeTakeFirst();
      if (!row) throw new NotFoundError(`task '${id}' does not exist`);
      return row.workspace_id;
    },

    /** Refuses the batch when one of these ids belongs to another workspace (checked before any is saved). */
    async refuseTaken(ids: string[]): Promise<void> {
      await refuseForeignIds(db, 'tasks', ids, scope);
    },

    async save(task: Task): Promise<void> {
      await refuseForeignId(db, 'tasks', task.id, scope);
      const now = new Date().toISOString();
      const { id, name, mappingId, enabled, ...definition } = task;
      const row = {
        id,
        name,
        mapping_id: mappingId,
        enabled: enabled ? 1 : 0,
        definition: JSON.stringify(definition),
        updated_at: now,
      };
      await db
        .insertInto('tasks')
        .values({ ...row, created_at: now, ...(scope !== undefined ? { workspace_id: scope } : {}) })
        .onConflict((oc) =>
          scope === undefined
            ? oc.column('id').doUpdateSet(row)
            : oc.column('id').doUpdateSet(row).where('tasks.workspace_id', '=', scope),
        )
        .execute();
      // A disabled task asks for no run: its place in its workspace's line (executions.begin) would hold a
      // freed slot for nobody until it lapsed.
      if (!enabled)
        await db
          .withTables<{ run_waits: { task_id: string } }>()
          .deleteFrom('run_waits')
          .where('task_id', '=', id)
          .execute();
    },

    async get(id: string): Promise<Task> {
      let q = db.selectFrom('tasks').selectAll().where('id', '=', id);
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const row = await q.executeTakeFirst();
      if (!row) throw new NotFoundError(`task '${id}' does not exist`);
      return toTask(row);
    },

    /**
     * Deletes a task with its history, in one transaction: runs, items and checkpoint (by cascade), its error
     * resolutions and its write journal, so a task made again under the same id starts with none of them.
     */
    async delete(id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        let q = trx.selectFrom('tasks').select('id').where('id', '=', id);
        if (scope !== undefined) q = q.where('workspace_id', '=', scope);
        if (!(await q.executeTakeFirst())) return; // another workspace's task is not this view's to delete
        await trx.deleteFrom('error_resolutions').where('task_id', '=', id).execute();
        await trx
          .withTables<{ write_journal: WriteJournalTable }>()
          .deleteFrom('write_journal')
          .where('task_id', '=', id)
          .execute();
        await trx.deleteFrom('tasks').where('id', '=', id).execute();
      });
    },

    async list(): Promise<Task[]> {
      let q = db.selectFrom('tasks').selectAll().orderBy('id');
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const rows = await q.execute();
      return rows.map(toTask);
    },
  };
}
