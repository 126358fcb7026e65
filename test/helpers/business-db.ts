import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { type BusinessDb, openBusinessDb } from '../../src/connectors/sql/database.ts';
import type { TempDatabase } from './databases.ts';

/** A person row of the test "business system". */
export interface Person {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  canton: string;
  status: 'active' | 'inactive';
  modified_at: string;
}

const FIRST = [
  'Anna',
  'Luca',
  'Mia',
  'Noah',
  'Lea',
  'Elias',
  'Sofia',
  'Levin',
  'Laura',
  'Nico',
  'Chiara',
  'Jonas',
];
const LAST = [
  'Müller',
  'Meier',
  'Schmid',
  'Keller',
  'Weber',
  'Huber',
  'Schneider',
  'Steiner',
  'Fischer',
  'Brunner',
  'Rossi',
  'Baumann',
];
const CANTONS = ['ZH', 'BE', 'LU', 'BS', 'SG', 'TI', 'VD', 'GE'];

/** Deterministic people: every 5th is inactive; modification times one second apart. */
export function generatePeople(n: number, start = Date.parse('2025-01-01T08:00:00.000Z')): Person[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    first_name: FIRST[i % FIRST.length] as string,
    last_name: LAST[(i * 7) % LAST.length] as string,
    email: `Person.${i + 1}@Example.CH `,
    canton: CANTONS[i % CANTONS.length] as string,
    status: i % 5 === 4 ? 'inactive' : 'active',
    modified_at: new Date(start + i * 1000).toISOString(),
  }));
}

/** Opens the temp database as the customer's business system (not Junction's store). */
export async function openBusinessKysely(tmp: TempDatabase): Promise<BusinessDb> {
  // As the connector opens it: UTC sessions, so Dates written here read back as the same instants.
  if (tmp.dialect === 'mysql') return (await openBusinessDb(tmp.url)).db;
  if (tmp.dialect === 'postgres') {
    const { default: pg } = await import('pg');
    return new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: tmp.url, max: 2 }) }),
    });
  }
  const { default: Database } = await import('better-sqlite3');
  return new Kysely({
    dialect: new SqliteDialect({ database: new Database(tmp.url.slice('sqlite:'.length)) }),
  });
}

/** Creates the `people` table with its sync-mark columns and fills it. */
export async function createPeopleTable(tmp: TempDatabase, people: Person[]): Promise<void> {
  const db = await openBusinessKysely(tmp);
  const ts = tmp.dialect === 'postgres' ? 'timestamptz' : 'text';
  await db.schema
    .createTable('people')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('canton', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('modified_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('hubspot_id', 'text')
    .addColumn('sync_last', sql.raw(ts))
    .addColumn('sync_last_success', sql.raw(ts))
    .addColumn('sync_status', 'text')
    .addColumn('sync_remark', 'text')
    .execute();
  for (let i = 0; i < people.length; i += 500)
    await db
      .insertInto('people')
      .values(people.slice(i, i + 500))
      .execute();
  await db.destroy();
}

/** Runs `fn` on the business database and closes it. */
export async function withBusinessDb<T>(tmp: TempDatabase, fn: (db: BusinessDb) => Promise<T>): Promise<T> {
  const db = await openBusinessKysely(tmp);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
