import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { type MappingDefinition, MappingDefinitionSchema } from '../../core/mapping-definition.ts';
import type { Database } from '../schema.ts';

/** Mapping definitions, stored as their validated JSON. */
export function createMappingRepository(db: Kysely<Database>) {
  return {
    async save(mapping: MappingDefinition): Promise<void> {
      const now = new Date().toISOString();
      const row = {
        id: mapping.id,
        name: mapping.name,
        definition: JSON.stringify(mapping),
        updated_at: now,
      };
      await db
        .insertInto('mapping_definitions')
        .values({ ...row, created_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    },

    async get(id: string): Promise<MappingDefinition> {
      const row = await db
        .selectFrom('mapping_definitions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`mapping definition '${id}' does not exist`);
      return MappingDefinitionSchema.parse(JSON.parse(row.definition));
    },

    /** Deletes a mapping; refused while a task uses it. */
    async delete(id: string): Promise<void> {
      const used = await db.selectFrom('tasks').select('id').where('mapping_id', '=', id).execute();
      if (used.length) {
        throw new ValidationError(
          `mapping '${id}' is used by task ${used.map((t) => `'${t.id}'`).join(', ')}`,
          { details: { tasks: used.map((t) => t.id) } },
        );
      }
      await db.deleteFrom('mapping_definitions').where('id', '=', id).execute();
    },

    async list(): Promise<MappingDefinition[]> {
      const rows = await db.selectFrom('mapping_definitions').selectAll().orderBy('id').execute();
      return rows.map((r) => MappingDefinitionSchema.parse(JSON.parse(r.definition)));
    },
  };
}
