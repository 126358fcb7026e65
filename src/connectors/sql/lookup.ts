import { sql } from 'kysely';
import type { LookupHit } from '../connector.ts';
import type { BusinessDb } from './database.ts';

/**
 * Rows whose `column` has one of `values`: by primary key exactly, by any other column trimmed and
 * case-insensitively (match keys such as e-mail addresses differ in case between systems).
 */
export async function lookupRows(
  db: BusinessDb,
  t: { table: string; column: string; primaryKey: string; byId: boolean },
  values: string[],
): Promise<LookupHit[]> {
  const out: LookupHit[] = [];
  const wanted = t.byId ? values : [...new Set(values.map((v) => v.trim().toLowerCase()))];
  const column = t.byId ? sql.ref(t.column) : sql`lower(trim(${sql.ref(t.column)}))`;
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = (await db
      .selectFrom(t.table)
      .selectAll()
      .where(column as never, 'in', wanted.slice(i, i + 500) as never[])
      .execute()) as Record<string, unknown>[];
    for (const r of rows)
      out.push({ value: String(r[t.column]), id: String(r[t.primaryKey]), properties: r });
  }
  return out;
}
