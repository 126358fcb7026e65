import type { RelationDescription } from '../../core/expression/index.ts';
import type { ObjectDescription } from '../connector.ts';
import type { BusinessDb } from './database.ts';
import type { BusinessDialect } from './dialect/business-dialect.ts';

/** A name not taken by a column or an earlier relation of the object. */
function freeName(wanted: string, fallback: string, taken: Set<string>): string {
  const name = wanted && !taken.has(wanted) ? wanted : fallback;
  taken.add(name);
  return name;
}

/**
 * Adds foreign-key relations to described tables. The referencing side gets a to-one relation named
 * after the column without its `_id` suffix (`current_address_id` → `current_address`); the referenced
 * side a to-many relation named after the referencing table (`contracts`), or `contracts_by_<column>`
 * when that table references it more than once. Names never hide a column.
 */
export async function withRelations(
  db: BusinessDb,
  dialect: BusinessDialect,
  objects: ObjectDescription[],
): Promise<ObjectDescription[]> {
  const byName = new Map(objects.map((o) => [o.name, o]));
  const keys = (
    await dialect.foreignKeys(
      db,
      objects.map((o) => o.name),
    )
  ).filter((k) => byName.has(k.table) && byName.has(k.refTable));
  const taken = new Map(objects.map((o) => [o.name, new Set(o.fields.map((f) => f.name))]));
  const relations = new Map<string, RelationDescription[]>(objects.map((o) => [o.name, []]));
  const pairCount = new Map<string, number>();
  for (const k of keys)
    pairCount.set(`${k.table}\u0000${k.refTable}`, (pairCount.get(`${k.table}\u0000${k.refTable}`) ?? 0) + 1);
  for (const k of keys) {
    const base = k.column.replace(/_?id$/i, '');
    const one = freeName(base, `${k.column}_ref`, taken.get(k.table) as Set<string>);
    relations
      .get(k.table)
      ?.push({ name: one, object: k.refTable, kind: 'one', from: k.column, to: k.refColumn });
    const several = (pairCount.get(`${k.table}\u0000${k.refTable}`) ?? 0) > 1;
    const many = freeName(
      several ? `${k.table}_by_${k.column}` : k.table,
      `${k.table}_by_${k.column}`,
      taken.get(k.refTable) as Set<string>,
    );
    relations
      .get(k.refTable)
      ?.push({ name: many, object: k.table, kind: 'many', from: k.refColumn, to: k.column });
  }
  return objects.map((o) => ({ ...o, relations: relations.get(o.name) ?? [] }));
}
