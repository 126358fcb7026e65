import type { Kysely } from 'kysely';
import { NotFoundError } from '../../core/errors.ts';
import type { Task } from '../../core/types.ts';
import type { Database, TasksTable } from '../schema.ts';

function toTask(row: TasksTable): Task {
  const def = JSON.parse(row.definition) as Omit<Task, 'id' | 'name' | 'mappingId' | 'enabled'>;
  return { id: row.id, name: row.name, mappingId: row.mapping_id, enabled: row.enabled === 1, ...def };
}

/** Tasks: which mapping runs when, and who hears about it. */
export function createTaskRepository(db: Kysely<Database>) {
  return {
    async save(task: Task): Promise<void> {
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
        .values({ ...row, created_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    },

    async get(id: string): Promise<Task> {
      const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`task '${id}' does not exist`);
      return toTask(row);
    },

    async delete(id: string): Promise<void> {
      await db.deleteFrom('tasks').where('id', '=', id).execute();
    },

    async list(): Promise<Task[]> {
      const rows = await db.selectFrom('tasks').selectAll().orderBy('id').execute();
      return rows.map(toTask);
    },
  };
}
