import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Server that hosts the throwaway PostgreSQL databases of the tests (.ci/run makes sure it is up). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Server that hosts the throwaway MariaDB (MySQL) databases of the business-system tests (.ci/run starts it). */
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TempDatabase {
  dialect: 'sqlite' | 'postgres' | 'mysql';
  /** Connection URL: `postgres://…`, `mysql://…` or `sqlite:<file>`. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database of its own, so parallel test files never see each other's rows. */
export async function createTempPostgres(prefix = 'jt'): Promise<TempDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect: 'postgres',
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A fresh SQLite file in a temp folder. */
export async function createTempSqlite(): Promise<TempDatabase & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-test-'));
  return {
    dialect: 'sqlite',
    dir,
    url: `sqlite:${join(dir, 'db.sqlite')}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Both dialects the store must work on; every store test loops over them. */
export const DIALECTS = [
  { name: 'SQLite', create: createTempSqlite },
  { name: 'PostgreSQL', create: createTempPostgres },
] as const;

/** A fresh, empty MariaDB (or MySQL) database of its own, for the SQL connector as a business system. */
export async function createTempMariadb(prefix = 'jt'): Promise<TempDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const { createConnection } = await import('mysql2/promise');
  const admin = () => createConnection({ uri: MYSQL_ADMIN_URL });
  const c = await admin();
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await c.end();
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect: 'mysql',
    url: url.toString(),
    async drop() {
      const d = await admin();
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    },
  };
}

/**
 * The databases a customer's business system may run on: the SQL connector's suites loop over them.
 * Junction's own store stays on DIALECTS (SQLite and PostgreSQL).
 */
export const BUSINESS_DIALECTS = [...DIALECTS, { name: 'MariaDB', create: createTempMariadb }] as const;
