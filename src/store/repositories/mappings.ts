import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { type MappingDefinition, MappingDefinitionSchema } from '../../core/mapping-definition.ts';
import { parseLeniently } from '../../core/unknown-keys.ts';
import type { Database } from '../schema.ts';
import type { StoredUnknownKeys } from '../store.ts';
import { refuseForeignId, refuseForeignIds, type Scope } from './scope.ts';

/**
 * Mapping definitions, stored as their validated JSON; scoped to a workspace, only that workspace's. A row
 * saved before misspelt keys were refused may carry keys the schema does not know: it still loads, without
 * them (`onUnknownKeys` is told), so an upgraded hub starts and runs.
 */
export function createMappingRepository(
  db: Kysely<Database>,
  scope?: Scope,
  onUnknownKeys?: (stored: StoredUnknownKeys) => void,
) {
  const read = (row: { id: string; definition: string }): MappingDefinition => {
    const { data, dropped } = parseLeniently(MappingDefinitionSchema, JSON.parse(row.definition));
    if (dropped.length) onUnknownKeys?.({ kind: 'mapping', id: row.id, keys: dropped });
    return data;
  };
  return {
    /** The workspace that owns the mapping (an import from the terminal is recorded there). */
    async workspaceOf(id: string): Promise<string> {
      let q = db.selectFrom('mapping_definitions').select('workspace_id').where('id', '=', id);
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const row = await q.executeTakeFirst();
      if (!row) throw new NotFoundError(`mapping definition '${id}' does not exist`);
      return row.workspace_id;
    },

    /** Refuses the batch when one of these ids belongs to another workspace (checked before any is saved). */
    async refuseTaken(ids: string[]): Promise<void> {
      await refuseForeignIds(db, 'mapping_definitions', ids, scope);
    },

    async save(mapping: MappingDefinition): Promise<void> {
      await refuseForeignId(db, 'mapping_definitions', mapping.id, scope);
      const now = new Date().toISOString();
      const row = {
        id: mapping.id,
        name: mapping.name,
        definition: JSON.stringify(mapping),
        updated_at: now,
      };
      await db
        .insertInto('mapping_definitions')
        .values({ ...row, created_at: now, ...(scope !== undefined ? { workspace_id: scope } : {}) })
        .onConflict((oc) =>
          scope === undefined
            ? oc.column('id').doUpdateSet(row)
            : oc.column('id').doUpdateSet(row).where('mapping_definitions.workspace_id', '=', scope),
        )
        .execute();
    },

    /**
     * Saves several as one: all or none. An import of several must not keep the first ones when a later
     * id is taken by another workspace (the refusal would otherwise leave half an import behind).
     */
    async saveAll(mappings: MappingDefinition[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const inTransaction = createMappingRepository(trx, scope, onUnknownKeys);
        for (const m of mappings) await inTransaction.save(m);
      });
    },

    async get(id: string): Promise<MappingDefinition> {
      let q = db.selectFrom('mapping_definitions').selectAll().where('id', '=', id);
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const row = await q.executeTakeFirst();
      if (!row) throw new NotFoundError(`mapping definition '${id}' does not exist`);
      return read(row);
    },

    /** Deletes a mapping; refused while a task uses it. */
    async delete(id: string): Promise<void> {
      await this.get(id);
      const used = await db.selectFrom('tasks').select('id').where('mapping_id', '=', id).execute();
      if (used.length) {
        throw new ValidationError(
          `mapping '${id}' is used by task ${used.map((t) => `'${t.id}'`).join(', ')}`,
          { details: { tasks: used.map((t) => t.id) } },
        );
      }
      // Its association links go with it: a mapping made again under the same id starts without them.
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('association_links').where('mapping_id', '=', id).execute();
        await trx.deleteFrom('mapping_definitions').where('id', '=', id).execute();
      });
    },

    async list(): Promise<MappingDefinition[]> {
      let q = db.selectFrom('mapping_definitions').selectAll().orderBy('id');
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const rows = await q.execute();
      return rows.map(read);
    },
  };
}
