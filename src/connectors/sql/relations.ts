import { sql } from 'kysely';
import type { RelationDescription } from '../../core/expression/index.ts';
import type { ObjectDescription } from '../connector.ts';
import type { BusinessDb } from './database.ts';
import { primaryKeyOf } from './write.ts';

/** One single-column foreign key: `table.column` references `refTable.refColumn`. */
interface ForeignKey {
  table: string;
  column: string;
  refTable: string;
  refColumn: string;
}

async function foreignKeys(
  db: BusinessDb,
  dialect: 'sqlite' | 'postgres',
  tables: string[],
): Promise<ForeignKey[]> {
  if (dialect === 'postgres') {
    const { rows } = await sql<ForeignKey>`
      select cl.relname as "table", att.attname as "column", fcl.relname as "refTable", fatt.attname as "refColumn"
      from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid
      join pg_namespace ns on ns.oid = cl.relnamespace
      join pg_class fcl on fcl.oid = con.confrelid
      join pg_attribute att on att.attrelid = con.conrelid and att.attnum = con.conkey[1]
      join pg_attribute fatt on fatt.attrelid = con.confrelid and fatt.attnum = con.confkey[1]
      where con.contype = 'f' and array_length(con.conkey, 1) = 1 and ns.nspname = current_schema()
      order by cl.relname, att.attname`.execute(db);
    return rows;
  }
  const out: ForeignKey[] = [];
  for (const table of tables) {
    const { rows } = await sql<{ id: number; table: string; from: string; to: string | null }>`
      select id, "table", "from", "to" from pragma_foreign_key_list(${table})`.execute(db);
    const columnsPerKey = new Map<number, number>();
    for (const r of rows) columnsPerKey.set(r.id, (columnsPerKey.get(r.id) ?? 0) + 1);
    for (const r of rows) {
      if (columnsPerKey.get(r.id) !== 1) continue;
      // A reference without a column names the referenced table's primary key.
      const refColumn = r.to ?? (await primaryKeyOf(db, dialect, r.table).catch(() => null));
      if (refColumn) out.push({ table, column: r.from, refTable: r.table, refColumn });
    }
  }
  return out;
}

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
  dialect: 'sqlite' | 'postgres',
  objects: ObjectDescription[],
): Promise<ObjectDescription[]> {
  const byName = new Map(objects.map((o) => [o.name, o]));
  const keys = (
    await foreignKeys(
      db,
      dialect,
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
