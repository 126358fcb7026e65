import { sql } from 'kysely';
import { type RelationDescription, relationOf, type SourceSchema } from '../../core/expression/index.ts';
import type { BusinessDb } from './database.ts';

/** The relations to load below one table, as a tree. */
export interface LoadPlan {
  relation: RelationDescription;
  below: LoadPlan[];
}

/** The relations the given dotted paths pass through, from `table` (segments that are no relation end a path). */
export function loadPlanOf(schema: SourceSchema, table: string, paths: readonly string[]): LoadPlan[] {
  const root: LoadPlan[] = [];
  for (const path of paths) {
    let level = root;
    let current = table;
    for (const segment of path.split('.')) {
      const relation = relationOf(schema.object(current), segment);
      if (!relation) break;
      let node = level.find((n) => n.relation.name === relation.name);
      if (!node) {
        node = { relation, below: [] };
        level.push(node);
      }
      level = node.below;
      current = relation.object;
    }
  }
  return root;
}

const keyOf = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

/**
 * Loads the planned relations onto `rows` in place: a to-one relation becomes an object (or null), a
 * to-many one an array. One query per relation (and 500 keys), whatever the number of rows: no N+1.
 */
export async function loadRelations(
  db: BusinessDb,
  rows: Record<string, unknown>[],
  plan: readonly LoadPlan[],
): Promise<void> {
  for (const { relation, below } of plan) {
    const values = [
      ...new Set(rows.map((r) => r[relation.from]).filter((v) => v !== null && v !== undefined)),
    ];
    const related: Record<string, unknown>[] = [];
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500) as never[];
      related.push(
        ...((await db
          .selectFrom(relation.object)
          .selectAll()
          .where(sql.ref(relation.to), 'in', chunk)
          .execute()) as Record<string, unknown>[]),
      );
    }
    const byKey = new Map<string, Record<string, unknown>[]>();
    for (const r of related) {
      const k = keyOf(r[relation.to]);
      byKey.set(k, [...(byKey.get(k) ?? []), r]);
    }
    for (const row of rows) {
      const v = row[relation.from];
      const hits = v === null || v === undefined ? [] : (byKey.get(keyOf(v)) ?? []);
      row[relation.name] = relation.kind === 'one' ? (hits[0] ?? null) : hits;
    }
    if (below.length && related.length) await loadRelations(db, related, below);
  }
}
