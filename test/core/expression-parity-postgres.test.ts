import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import {
  compileToSql,
  matches,
  parseExpression,
  print,
  type SqlFragment,
} from '../../src/core/expression/index.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { textValue, typedFilter } from './expression-arbitraries.ts';

const NOW = new Date('2025-03-10T12:00:00.000Z');

/** The fragment as PostgreSQL text: `$n` for each value, identifiers double-quoted. */
function toPostgres(fragment: SqlFragment): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  let text = '';
  for (const part of fragment.parts) {
    if (typeof part === 'string') text += part;
    else if ('identifier' in part) text += `"${part.identifier.replaceAll('"', '""')}"`;
    else {
      values.push(part.value);
      text += `$${values.length}`;
    }
  }
  return { text, values };
}

describe('expression parity: in memory and in PostgreSQL select the same rows', () => {
  let database: TempDatabase;
  let client: pg.Client;
  let records: Array<Record<string, unknown>>;

  before(async () => {
    database = await createTempPostgres('jexpr');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      'CREATE TABLE t (key int PRIMARY KEY, n1 numeric, n2 integer, s1 text, s2 text, b1 boolean, d1 timestamptz, d2 timestamptz)',
    );
    const hours = fc
      .integer({ min: -240, max: 240 })
      .map((h) => new Date(NOW.getTime() + h * 3_600_000 + (h % 2)));
    const row = fc.tuple(
      fc.option(fc.constantFrom(-3, 0, 1, 2, 2.5, -1.5)),
      fc.option(fc.integer({ min: -3, max: 3 })),
      textValue,
      textValue,
      fc.constantFrom(true, false, null),
      fc.option(hours),
      fc.option(hours),
    );
    for (const [i, r] of fc.sample(row, 40).entries()) {
      await client.query('INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [i + 1, ...r]);
    }
    // As the SQL connector reads them: numeric as text, timestamptz as Date, boolean as boolean.
    records = (await client.query('SELECT * FROM t ORDER BY key')).rows;
  });

  after(async () => {
    await client?.end();
    await database?.drop();
  });

  test('matches() accepts exactly the rows that WHERE <compileToSql> selects, and PostgreSQL accepts every query', async () => {
    let compiled = 0;
    const filters = fc.sample(typedFilter, 400);
    for (const generated of filters) {
      const expr = parseExpression(print(generated));
      const fragment = compileToSql(expr, { dialect: 'postgres', column: (p) => p, now: NOW });
      if (!fragment) continue;
      compiled++;
      const { text, values } = toPostgres(fragment);
      const inSql = (await client.query(`SELECT key FROM t WHERE ${text} ORDER BY key`, values)).rows.map(
        (r) => r.key,
      );
      const inMemory = records.filter((record) => matches(expr, { record, now: NOW })).map((r) => r.key);
      assert.deepEqual(inSql, inMemory, `${print(expr)}\n${text}`);
    }
    assert.ok(compiled > filters.length * 0.8, `only ${compiled} of ${filters.length} filters compiled`);
  });
});
