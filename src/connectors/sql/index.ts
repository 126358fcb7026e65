import { type ExpressionBuilder, sql } from 'kysely';
import { JunctionError } from '../../core/errors.ts';
import { expressionPaths, type SourceSchema, schemaOf } from '../../core/expression/index.ts';
import { splitUrlPassword } from '../../core/url-credentials.ts';
import {
  type Connector,
  type Cursor,
  defineConnector,
  type FieldDescription,
  type ObjectDescription,
  type Page,
  type ReadOptions,
  type RecordMark,
  type SourceRecord,
} from '../connector.ts';
import { type BusinessDb, openBusinessDb } from './database.ts';
import type { BusinessDialect } from './dialect/business-dialect.ts';
import { splitFilter } from './filter.ts';
import { fragmentToSql } from './fragment.ts';
import { lookupRows } from './lookup.ts';
import { loadPlanOf, loadRelations } from './prefetch.ts';
import { withRelations } from './relations.ts';
import { SqlConfigSchema, SqlSecretSchema } from './schemas.ts';
import { primaryKeyOf, writeSqlRows } from './write.ts';

/** The business database cannot notify changes (only PostgreSQL can; the others are polled). */
export class ChangeNotificationsUnsupportedError extends JunctionError {
  override readonly code = 'change_notifications_unsupported';
}

/**
 * An incremental read whose next page started where the last one did: the database compared the cursor
 * differently from how it orders the rows. Reading on would return the same page forever.
 */
export class CursorNotAdvancingError extends JunctionError {
  override readonly code = 'cursor_not_advancing';
}

/** The business system has no such table/view or column. */
export class UnknownObjectError extends JunctionError {
  override readonly code = 'unknown_object';
}

const typeOf = (dataType: string): FieldDescription['type'] => {
  const t = dataType.toLowerCase();
  if (/bool/.test(t)) return 'boolean';
  if (/int|real|double|numeric|decimal|float/.test(t)) return 'number';
  if (/timestamp|datetime/.test(t)) return 'datetime';
  if (/date/.test(t)) return 'date';
  if (/json/.test(t)) return 'json';
  return 'string';
};

/**
 * Moves an incremental start back by the overlap. Only for ISO-8601 timestamps (what PostgreSQL and MySQL
 * timestamps become, and what SQLite tables should hold): a text column in another format would not
 * compare chronologically with the shifted value, so it gets no overlap. The shifted start keeps
 * milliseconds only: it starts at most a millisecond earlier still, which an overlap may.
 */
function withOverlap(after: Cursor | undefined, seconds: number): Cursor | undefined {
  if (!after || seconds <= 0 || typeof after.m !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(after.m))
    return after;
  const t = Date.parse(after.m);
  return Number.isNaN(t) ? after : { m: new Date(t - seconds * 1000).toISOString(), k: null };
}

/** Values leave the connector as plain JSON-ish values; keys always as strings. */
const keyString = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
/** The column a read selects a timestamp's full-precision text into (see `BusinessDialect.cursorText`). */
const CURSOR_TEXT = '__junction_cursor';

const cursorValue = (v: unknown): string | number | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString()
      : typeof v === 'number'
        ? v
        : String(v);

/**
 * The customer's business system: reads tables or views page by page in a stable keyset order
 * (modified column, then key), pushing the mapping's filter down as parameterised SQL where it can,
 * and writes sync marks back into configured columns.
 */
export const sqlConnector = defineConnector({
  system: 'sql',
  label: { de: 'SQL-Datenbank (Geschäftssystem)', en: 'SQL database (business system)' },
  name: 'SQL',
  mark: { short: 'DB', color: '#52606d' },
  auth: 'database',
  configSchema: SqlConfigSchema,
  secretSchema: SqlSecretSchema,
  localFiles: (config) =>
    config.url.startsWith('sqlite:') && config.url !== 'sqlite::memory:'
      ? [config.url.slice('sqlite:'.length)]
      : [],
  // The whole URL without its password: server, port, user, database and parameters such as `host=`.
  destination: (config) => splitUrlPassword(config.url).url,
  separateSecret(config) {
    if (typeof config.url !== 'string') return { config, secret: {} };
    const { url, password } = splitUrlPassword(config.url);
    return { config: { ...config, url }, secret: password === undefined ? {} : { password } };
  },
  create(ctx): Connector {
    let opened: Promise<{ db: BusinessDb; dialect: BusinessDialect }> | undefined;
    const open = () => {
      opened ??= openBusinessDb(ctx.config.url, ctx.secret.password, ctx.log, ctx.files);
      return opened;
    };
    const columnsCache = new Map<string, Set<string>>();
    const fieldTypes = new Map<string, Map<string, FieldDescription['type']>>();
    // The database's own type names (`timestamptz`, `datetime`), which say how a cursor keeps a column.
    const dataTypes = new Map<string, Map<string, string>>();
    const primaryKeys = new Map<string, string>();
    // The related paths the last read of an object needed, so records re-read by key get them too.
    const pathsOf = new Map<string, string[]>();
    let schema: Promise<SourceSchema> | undefined;

    async function describe(): Promise<ObjectDescription[]> {
      const { db, dialect } = await open();
      const tables = await db.introspection.getTables();
      const objects = tables.map((t) => ({
        name: t.name,
        label: t.isView ? `${t.name} (view)` : t.name,
        fields: t.columns.map((c) => ({
          name: c.name,
          type: typeOf(c.dataType),
          required: !c.isNullable && !c.hasDefaultValue && !c.isAutoIncrementing,
        })),
      }));
      return withRelations(db, dialect, objects);
    }

    function sourceSchema(): Promise<SourceSchema> {
      schema ??= describe().then(schemaOf);
      return schema;
    }

    async function withRelated(
      object: string,
      rows: Record<string, unknown>[],
      paths: readonly string[] | undefined,
    ): Promise<void> {
      if (!paths?.length || !rows.length) return;
      const plan = loadPlanOf(await sourceSchema(), object, paths);
      if (plan.length) await loadRelations((await open()).db, rows, plan);
    }

    async function columns(object: string): Promise<Set<string>> {
      let cols = columnsCache.get(object);
      if (!cols) {
        const { db } = await open();
        const tables = await db.introspection.getTables();
        // By its bare name as `describe` lists it, or named with its schema (`sales.people`).
        const found =
          tables.find((t) => t.name === object) ?? tables.find((t) => `${t.schema}.${t.name}` === object);
        if (!found) throw new UnknownObjectError(`the business system has no table or view '${object}'`);
        cols = new Set(found.columns.map((c) => c.name));
        columnsCache.set(object, cols);
        fieldTypes.set(object, new Map(found.columns.map((c) => [c.name, typeOf(c.dataType)])));
        dataTypes.set(object, new Map(found.columns.map((c) => [c.name, c.dataType.toLowerCase()])));
      }
      return cols;
    }

    async function primaryKey(object: string): Promise<string> {
      let key = primaryKeys.get(object);
      if (!key) {
        const { db, dialect } = await open();
        key = await primaryKeyOf(db, dialect, object);
        primaryKeys.set(object, key);
      }
      return key;
    }

    function assertColumn(cols: Set<string>, object: string, name: string) {
      if (!cols.has(name))
        throw new UnknownObjectError(`'${object}' has no column '${name}'`, { details: { field: name } });
    }

    /** A keyset cursor value as a parameter for `field` of `object`. */
    const paramOf =
      (object: string, dialect: BusinessDialect) => (field: string, v: string | number | null | undefined) =>
        dialect.cursorParam(v ?? null, fieldTypes.get(object)?.get(field));

    /** Rows after the cursor in (modified, key) order. */
    function afterCursor(
      object: string,
      dialect: BusinessDialect,
      m: string,
      keyField: string,
      after: Cursor,
    ) {
      const param = paramOf(object, dialect);
      const am = param(m, after.m as string | number | null);
      const ak = param(keyField, after.k as string | number | null);
      // biome-ignore lint/suspicious/noExplicitAny: the customer's schema is unknown at compile time
      return (eb: ExpressionBuilder<any, any>) =>
        eb.or([eb(sql.ref(m), '>', am), eb.and([eb(sql.ref(m), '=', am), eb(sql.ref(keyField), '>', ak)])]);
    }

    /** The part of the filter SQL takes (the rest is the engine's), bound to the read's values. */
    async function pushdown(
      object: string,
      dialect: BusinessDialect,
      o: Pick<ReadOptions, 'filter' | 'expression'>,
    ) {
      const split = o.filter
        ? splitFilter(o.filter, {
            dialect: dialect.name,
            now: new Date(),
            schema: await sourceSchema(),
            table: object,
            ...o.expression,
          })
        : null;
      return { split, filterSql: split?.fragment ? fragmentToSql(split.fragment) : null };
    }

    async function* read(object: string, o: ReadOptions): AsyncIterable<Page> {
      const { db, dialect } = await open();
      const cols = await columns(object);
      assertColumn(cols, object, o.keyField);
      if (o.modifiedField) assertColumn(cols, object, o.modifiedField);
      const pageSize = o.pageSize ?? ctx.config.pageSize;
      const { split, filterSql } = await pushdown(object, dialect, o);
      // Related records are loaded for the formulas and for the part of the filter SQL could not take.
      const paths = [...new Set([...(o.paths ?? []), ...expressionPaths(split?.rest ?? null)])];
      // Records re-read by key are filtered in memory as a whole, so they get the filter's relations too.
      pathsOf.set(object, [...new Set([...paths, ...expressionPaths(o.filter ?? null)])]);
      const m = o.modifiedField;
      let after: Cursor | undefined = m ? withOverlap(o.after, ctx.config.overlapSeconds) : o.after;
      const param = paramOf(object, dialect);
      // The cursor keeps the modified time as the database holds it (microseconds), not as a Date.
      const mText = m ? dialect.cursorText(m, dataTypes.get(object)?.get(m)) : null;
      for (;;) {
        ctx.signal.throwIfAborted();
        let q = db.selectFrom(object).selectAll();
        if (mText) q = q.select(mText.as(CURSOR_TEXT)) as typeof q;
        if (filterSql) q = q.where(filterSql as never);
        if (m) {
          q = q.where(sql.ref(m), 'is not', null);
          if (after && after.m !== undefined) q = q.where(afterCursor(object, dialect, m, o.keyField, after));
          q = q.orderBy(sql.ref(m)).orderBy(sql.ref(o.keyField));
        } else {
          if (after && after.k !== undefined)
            q = q.where(sql.ref(o.keyField), '>', param(o.keyField, after.k));
          q = q.orderBy(sql.ref(o.keyField));
        }
        const rows = (await q.limit(pageSize).execute()) as Record<string, unknown>[];
        if (!rows.length) return;
        const last = rows[rows.length - 1] as Record<string, unknown>;
        const lastKey = last[o.keyField];
        const next: Cursor = m
          ? { m: cursorValue(mText ? last[CURSOR_TEXT] : last[m]), k: cursorValue(lastKey) }
          : { k: cursorValue(lastKey) };
        if (mText) for (const r of rows) delete r[CURSOR_TEXT];
        if (after && after.m === next.m && after.k === next.k)
          throw new CursorNotAdvancingError(
            `the read of '${object}' returned the rows after ${JSON.stringify(after)} again`,
            { details: { cursor: after } },
          );
        after = next;
        await withRelated(object, rows, paths);
        const records: SourceRecord[] = rows.map((r) => ({ key: keyString(r[o.keyField]), data: r }));
        yield split
          ? { records, cursor: after, filtered: !split.rest, rest: split.rest ?? undefined }
          : { records, cursor: after };
        if (rows.length < pageSize) return;
      }
    }

    return {
      system: 'sql',
      limits: { batchSize: 500 },
      describe,
      read,
      async readByKeys(object, keyField, keys) {
        const { db } = await open();
        assertColumn(await columns(object), object, keyField);
        const out: SourceRecord[] = [];
        for (let i = 0; i < keys.length; i += 500) {
          const rows = (await db
            .selectFrom(object)
            .selectAll()
            .where(sql.ref(keyField), 'in', keys.slice(i, i + 500))
            .execute()) as Record<string, unknown>[];
          await withRelated(object, rows, pathsOf.get(object));
          for (const r of rows) out.push({ key: keyString(r[keyField]), data: r });
        }
        return out;
      },
      async lookup(object, property, values) {
        const { db } = await open();
        const cols = await columns(object);
        const key = await primaryKey(object);
        const column = property === 'id' && !cols.has('id') ? key : property;
        assertColumn(cols, object, column);
        return lookupRows(db, { table: object, column, primaryKey: key, byId: column === key }, values);
      },
      async write(object, ops) {
        const { db, dialect } = await open();
        const columnsOf = await columns(object);
        return writeSqlRows(
          { db, dialect, table: object, primaryKey: await primaryKey(object), columns: columnsOf },
          ops,
        );
      },
      async writeMarks(object: string, keyField: string, marks: RecordMark[]) {
        if (!marks.length) return;
        const { db, dialect } = await open();
        const cols = await columns(object);
        for (const name of Object.keys(marks[0]?.values ?? {})) assertColumn(cols, object, name);
        await db.transaction().execute(async (trx) => {
          for (const mark of marks) {
            const set = Object.fromEntries(Object.entries(mark.values).map(([k, v]) => [k, dialect.bind(v)]));
            await trx.updateTable(object).set(set).where(sql.ref(keyField), '=', mark.key).execute();
          }
        });
      },
      async changedSince(object, o) {
        const { db, dialect } = await open();
        const cols = await columns(object);
        assertColumn(cols, object, o.keyField);
        assertColumn(cols, object, o.modifiedField);
        // The rows an incremental read would return: with the part of the filter SQL takes, so a change
        // to a filtered-out row (which the read skips, leaving the watermark) is no change.
        const { filterSql } = await pushdown(object, dialect, o);
        let q = db
          .selectFrom(object)
          .select(sql.lit(1).as('changed'))
          .where(sql.ref(o.modifiedField), 'is not', null);
        if (filterSql) q = q.where(filterSql as never);
        if (o.after && o.after.m !== undefined)
          q = q.where(afterCursor(object, dialect, o.modifiedField, o.keyField, o.after));
        return (await q.limit(1).execute()).length > 0;
      },
      async watchChanges(objects, onChange, onLost) {
        const { dialect } = await open();
        if (!dialect.notifications)
          throw new ChangeNotificationsUnsupportedError(
            `${dialect.urlForm} databases cannot notify changes; change-driven tasks poll the modified column`,
          );
        return dialect.notifications.listen(
          { url: ctx.config.url, password: ctx.secret.password, files: ctx.files },
          ({ schema, table }) => {
            // An object is named `people` (the connection's schema) or `sales.people`; a notification names
            // both parts. A bare name also takes a table of that name in another schema: a notification is
            // only a hint to look, and the look asks the object itself.
            for (const object of objects)
              if (object === table || (schema !== null && object === `${schema}.${table}`)) onChange(object);
          },
          onLost,
        );
      },
      async installChangeNotifications(object) {
        const { db, dialect } = await open();
        if (!dialect.notifications)
          throw new ChangeNotificationsUnsupportedError(
            `${dialect.urlForm} databases cannot notify changes; change-driven tasks poll the modified column instead`,
          );
        await columns(object); // UnknownObjectError for a table that is not there
        await dialect.notifications.install(db, object);
      },
      async removeChangeNotifications(object) {
        const { db, dialect } = await open();
        if (!dialect.notifications)
          throw new ChangeNotificationsUnsupportedError(`${dialect.urlForm} databases cannot notify changes`);
        await columns(object);
        await dialect.notifications.remove(db, object);
      },
      async check() {
        try {
          const { db } = await open();
          await sql`select 1`.execute(db);
          const n = (await describe()).length;
          return { ok: true, message: `connected; ${n} tables and views` };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
      async close() {
        // A database that never opened has nothing to close (check() reported why).
        const done = await opened?.catch(() => undefined);
        await done?.db.destroy();
      },
    };
  },
});
