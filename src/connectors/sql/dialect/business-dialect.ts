import type { LogConfig, RawBuilder } from 'kysely';
import type { SqlDialect } from '../../../core/expression/index.ts';
import type { FieldDescription } from '../../connector.ts';
import type { FileAccess } from '../../file-access.ts';
import type { BusinessDb } from '../database.ts';

/** One single-column foreign key: `table.column` references `refTable.refColumn`. */
export interface ForeignKey {
  table: string;
  column: string;
  refTable: string;
  refColumn: string;
}

/** A value as a database driver takes it. */
export type Bindable = string | number | null | Date | boolean;

/** What opening a business database needs. */
export interface OpenOptions {
  url: string;
  /** The secret's password, which wins over one in the URL. */
  password?: string | undefined;
  /** Kysely's query log (the connector's statements at debug level). */
  log?: LogConfig | undefined;
  /** The folders local database files may come from. */
  files: FileAccess;
}

/**
 * What differs between the databases a business system may run on. The SQL connector asks its dialect
 * and never the database's name: one module per database (sqlite.ts, postgres.ts, mysql.ts), like the
 * store's own dialects, and `dialectOf` picks one by the URL's scheme.
 */
export interface BusinessDialect {
  /** The SQL the expression compiler writes for this database. */
  readonly name: SqlDialect;
  /** Connection URLs this dialect opens, as shown in errors (`mysql://…`). */
  readonly urlForm: string;
  /** True when this dialect opens `url`. */
  accepts(url: string): boolean;
  /** Opens the customer's database, never creating or altering anything. */
  open(options: OpenOptions): Promise<BusinessDb>;
  /** The primary key's columns in order ([] when it has none). */
  primaryKeyColumns(db: BusinessDb, table: string): Promise<string[]>;
  /** Single-column foreign keys among `tables`. */
  foreignKeys(db: BusinessDb, tables: readonly string[]): Promise<ForeignKey[]>;
  /** A written value as the driver takes it (objects go as JSON text). */
  bind(value: unknown): Bindable;
  /**
   * A keyset cursor value as a parameter for a column of `type` (the cursor keeps dates as ISO text).
   */
  cursorParam(value: string | number | null, type: FieldDescription['type'] | undefined): unknown;
  /**
   * SQL that renders `column` (of the database's type `dataType`) as ISO text with every fractional digit
   * it holds, for the keyset cursor; null when the value as the driver returns it keeps them all. A
   * JavaScript Date keeps milliseconds: rows of one microsecond-precision `now()` that fill more than a page
   * would compare after a millisecond cursor again and again, and the read would never end.
   */
  cursorText(column: string, dataType: string | undefined): RawBuilder<string> | null;
  /** Inserts one row and returns its primary key value. */
  insertRow(
    db: BusinessDb,
    row: { table: string; values: Record<string, Bindable>; primaryKey: string },
  ): Promise<unknown>;
  /** True for errors the same data will cause again (constraint violations, values that do not fit). */
  isDataError(err: unknown): boolean;
  /**
   * Databases that can tell a listener about changes (PostgreSQL's LISTEN/NOTIFY): the statements
   * that make `table` notify, undo that, and a listener on its own connection. Absent: change-driven
   * tasks poll the modified column instead.
   */
  notifications?: ChangeNotifications;
}

/** The table a change notification names; `schema` null when the notification did not say (older triggers). */
export interface ChangedTable {
  schema: string | null;
  table: string;
}

/** How a database tells Junction that a table changed. */
export interface ChangeNotifications {
  install(db: BusinessDb, table: string): Promise<void>;
  remove(db: BusinessDb, table: string): Promise<void>;
  /** Listens on a connection of its own; `onTable` gets the changed table. Resolves to a stop function. */
  listen(
    o: OpenOptions,
    onTable: (changed: ChangedTable) => void,
    onLost: (err: Error) => void,
  ): Promise<() => Promise<void>>;
}

/** Values of the shape every dialect's driver binds; `date` says how a Date goes, `bool` a boolean. */
export function bindWith(
  value: unknown,
  date: (d: Date) => Bindable,
  bool: (b: boolean) => Bindable,
): Bindable {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return date(value);
  if (typeof value === 'boolean') return bool(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}
