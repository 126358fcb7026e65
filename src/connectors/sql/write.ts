import { sql } from 'kysely';
import { JunctionError } from '../../core/errors.ts';
import type { WriteOp, WriteResult } from '../connector.ts';
import type { BusinessDb } from './database.ts';
import type { Bindable, BusinessDialect } from './dialect/business-dialect.ts';

/** The table has no single-column primary key, so written rows could not be addressed again. */
export class NoPrimaryKeyError extends JunctionError {
  override readonly code = 'sql_no_primary_key';
}

/**
 * The column that identifies a row for good (its value is the externalId Junction keeps). SQLite tables
 * without a declared key use their rowid; other tables need a single-column primary key.
 */
export async function primaryKeyOf(db: BusinessDb, dialect: BusinessDialect, table: string): Promise<string> {
  const columns = await dialect.primaryKeyColumns(db, table);
  if (columns.length === 1) return columns[0] as string;
  throw new NoPrimaryKeyError(
    `table '${table}' has no single-column primary key; Junction cannot write into it`,
  );
}

function rowValues(properties: Record<string, unknown>, dialect: BusinessDialect): Record<string, Bindable> {
  const out: Record<string, Bindable> = {};
  for (const [k, v] of Object.entries(properties)) if (v !== undefined) out[k] = dialect.bind(v);
  return out;
}

const fail = (ref: string, code: string, message: string, retryable: boolean): WriteResult => ({
  ref,
  ok: false,
  code,
  message,
  retryable,
});

interface Target {
  db: BusinessDb;
  dialect: BusinessDialect;
  table: string;
  primaryKey: string;
  columns: Set<string>;
}

/** Runs the ops in one transaction; `known` maps match values to the keys of rows that hold them. */
async function applyOps(t: Target, ops: WriteOp[], known: Map<string, string[]>): Promise<WriteResult[]> {
  return t.db.transaction().execute(async (trx) => {
    const out: WriteResult[] = [];
    for (const op of ops) {
      if (op.kind === 'archive') continue; // refused before the transaction
      if (op.kind === 'delete') {
        await trx.deleteFrom(t.table).where(sql.ref(t.primaryKey), '=', op.externalId).execute();
        out.push({ ref: op.ref, ok: true, externalId: op.externalId, created: false });
        continue;
      }
      const values = rowValues(op.properties, t.dialect);
      if (op.kind === 'update') {
        const r = await trx
          .updateTable(t.table)
          .set(values)
          .where(sql.ref(t.primaryKey), '=', op.externalId)
          .executeTakeFirst();
        out.push(
          Number(r.numUpdatedRows) === 1
            ? { ref: op.ref, ok: true, externalId: op.externalId, created: false }
            : fail(
                op.ref,
                'sql_row_missing',
                `no row of '${t.table}' has ${t.primaryKey} = ${op.externalId} any more`,
                false,
              ),
        );
        continue;
      }
      const matchKey = `${op.match.property}\u0000${op.match.value}`;
      const hits = known.get(matchKey) ?? [];
      if (hits.length > 1) {
        out.push(
          fail(
            op.ref,
            'sql_ambiguous_match',
            `${hits.length} rows of '${t.table}' have ${op.match.property} = '${op.match.value}'`,
            false,
          ),
        );
      } else if (hits.length === 1) {
        const id = hits[0] as string;
        await trx.updateTable(t.table).set(values).where(sql.ref(t.primaryKey), '=', id).execute();
        out.push({ ref: op.ref, ok: true, externalId: id, created: false });
      } else {
        const key = await t.dialect.insertRow(trx, {
          table: t.table,
          values: { ...values, [op.match.property]: op.match.value },
          primaryKey: t.primaryKey,
        });
        const id = String(key);
        known.set(matchKey, [id]);
        out.push({ ref: op.ref, ok: true, externalId: id, created: true });
      }
    }
    return out;
  });
}

/**
 * Writes a batch into a business-system table: upserts find their row by the match column (parameterised
 * select, then update or insert returning the primary key, which becomes the externalId); updates and
 * deletes address the row by that key. The batch is one transaction; when it fails, each op is retried
 * alone so one bad row (a constraint violation) fails only itself.
 */
export async function writeSqlRows(t: Target, ops: WriteOp[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const valid: WriteOp[] = [];
  for (const op of ops) {
    if (op.kind === 'archive') {
      results.set(
        op.ref,
        fail(op.ref, 'archive_unsupported', `a table has no archive: delete the rows instead`, false),
      );
      continue;
    }
    const names =
      op.kind === 'delete'
        ? []
        : [...Object.keys(op.properties), ...(op.kind === 'upsert' ? [op.match.property] : [])];
    const unknown = names.filter((n) => !t.columns.has(n));
    if (unknown.length)
      results.set(
        op.ref,
        fail(
          op.ref,
          'unknown_column',
          `'${t.table}' has no column ${unknown.map((n) => `'${n}'`).join(', ')}`,
          false,
        ),
      );
    else valid.push(op);
  }
  const known = new Map<string, string[]>();
  const byProperty = new Map<string, string[]>();
  for (const op of valid)
    if (op.kind === 'upsert')
      byProperty.set(op.match.property, [...(byProperty.get(op.match.property) ?? []), op.match.value]);
  for (const [property, values] of byProperty) {
    for (let i = 0; i < values.length; i += 500) {
      const rows = (await t.db
        .selectFrom(t.table)
        .select([sql.ref(t.primaryKey).as('pk'), sql.ref(property).as('mv')])
        .where(sql.ref(property), 'in', values.slice(i, i + 500))
        .execute()) as { pk: unknown; mv: unknown }[];
      for (const r of rows) {
        const k = `${property}\u0000${String(r.mv)}`;
        known.set(k, [...(known.get(k) ?? []), String(r.pk)]);
      }
    }
  }
  try {
    for (const r of await applyOps(t, valid, new Map(known))) results.set(r.ref, r);
  } catch {
    for (const op of valid) {
      try {
        const [r] = await applyOps(t, [op], known);
        if (r) results.set(r.ref, r);
      } catch (err) {
        results.set(
          op.ref,
          fail(
            op.ref,
            t.dialect.isDataError(err) ? 'sql_constraint' : 'sql_write_failed',
            (err as Error).message,
            !t.dialect.isDataError(err),
          ),
        );
      }
    }
  }
  return ops.map(
    (op) => results.get(op.ref) ?? fail(op.ref, 'no_result', 'the write produced no result', true),
  );
}
