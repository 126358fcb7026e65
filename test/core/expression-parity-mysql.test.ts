import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Connection } from 'mysql2/promise';
import {
  compileToSql,
  matches,
  parseExpression,
  print,
  type SqlFragment,
  schemaOf,
} from '../../src/core/expression/index.ts';
import { createTempMariadb, type TempDatabase } from '../helpers/databases.ts';
import { textValue, typedFilter } from './expression-arbitraries.ts';

const NOW = new Date('2025-03-10T12:00:00.000Z');

/** The table as the SQL connector describes it: the column types decide how MySQL compares. */
const SCHEMA = schemaOf([
  {
    name: 't',
    fields: [
      { name: 'key', type: 'number' },
      { name: 'n1', type: 'number' },
      { name: 'n2', type: 'number' },
      { name: 's1', type: 'string' },
      { name: 's2', type: 'string' },
      { name: 'b1', type: 'number' },
      { name: 'd1', type: 'datetime' },
      { name: 'd2', type: 'datetime' },
    ],
  },
]);

/** The fragment as MySQL text: `?` for each value, identifiers in backticks (`t`.`n1`). */
function toMysql(fragment: SqlFragment): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  let text = '';
  for (const part of fragment.parts) {
    if (typeof part === 'string') text += part;
    else if ('identifier' in part)
      text += part.identifier
        .split('.')
        .map((s) => `\`${s.replaceAll('`', '``')}\``)
        .join('.');
    else {
      values.push(part.value);
      text += '?';
    }
  }
  return { text, values };
}

describe('expression parity: in memory and in MariaDB select the same rows', () => {
  let database: TempDatabase;
  let client: Connection;
  let records: Array<Record<string, unknown>>;

  before(async () => {
    database = await createTempMariadb('jexpr');
    const { createConnection } = await import('mysql2/promise');
    // As the connector connects: Dates in UTC, the session in UTC.
    client = await createConnection({ uri: database.url, timezone: 'Z' });
    await client.query("SET time_zone = '+00:00'");
    // The server's default collation (case- and accent-insensitive), as a customer's tables have it.
    await client.query(
      'CREATE TABLE t (`key` int PRIMARY KEY, n1 double, n2 integer, s1 text, s2 varchar(10), b1 boolean, d1 datetime(3), d2 datetime(3))',
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
    for (const [i, r] of fc.sample(row, 40).entries())
      await client.query('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [i + 1, ...r]);
    // Rows that differ only in case, accents or trailing spaces, which MySQL's collations would confuse.
    for (const [i, [s1, s2]] of [
      ['a', 'A'],
      ['ä', 'a'],
      ['a ', 'a'],
      ['Ä', 'ä'],
    ].entries())
      await client.query('INSERT INTO t (`key`, s1, s2, n1) VALUES (?, ?, ?, 1)', [100 + i, s1, s2]);
    // As the SQL connector reads them: double and int as numbers, boolean as 1/0, datetime as Date.
    const [rows] = await client.query('SELECT * FROM t ORDER BY `key`');
    records = rows as Array<Record<string, unknown>>;
  });

  after(async () => {
    await client?.end();
    await database?.drop();
  });

  test('matches() accepts exactly the rows that WHERE <compileToSql> selects, and MariaDB accepts every query', async () => {
    let compiled = 0;
    const filters = fc.sample(typedFilter, 400);
    for (const generated of filters) {
      const expr = parseExpression(print(generated));
      const fragment = compileToSql(expr, { dialect: 'mysql', schema: SCHEMA, table: 't', now: NOW });
      if (!fragment) continue;
      compiled++;
      const { text, values } = toMysql(fragment);
      const [rows] = await client.query(`SELECT \`key\` FROM t WHERE ${text} ORDER BY \`key\``, values);
      const inSql = (rows as Array<{ key: number }>).map((r) => r.key);
      const inMemory = records.filter((record) => matches(expr, { record, now: NOW })).map((r) => r.key);
      assert.deepEqual(inSql, inMemory, `${print(expr)}\n${text}\n${JSON.stringify(values)}`);
    }
    assert.ok(compiled > filters.length * 0.8, `only ${compiled} of ${filters.length} filters compiled`);
  });

  test('text compares by code point, case- and accent-sensitively, where the collation would not', async () => {
    for (const [filter, keys] of [
      ["s1 = 'a'", [100]],
      ["s1 = 'A'", []],
      ["s1 in ('ä', 'x')", [101]],
      ['s1 = s2 and key >= 100', []],
      ["s1 like 'A%' and key >= 100", [100, 102]],
      ["s1 like 'ä' and key >= 100", [101, 103]],
    ] as const) {
      const expr = parseExpression(filter);
      const fragment = compileToSql(expr, { dialect: 'mysql', schema: SCHEMA, table: 't', now: NOW });
      assert.ok(fragment, filter);
      const { text, values } = toMysql(fragment);
      const [rows] = await client.query(`SELECT \`key\` FROM t WHERE ${text} ORDER BY \`key\``, values);
      const inSql = (rows as Array<{ key: number }>).map((r) => r.key).filter((k) => k >= 100);
      assert.deepEqual(inSql, keys, filter);
      const inMemory = records.filter((record) => matches(expr, { record, now: NOW })).map((r) => r.key);
      assert.deepEqual(
        inMemory.filter((k) => Number(k) >= 100),
        keys,
        `${filter} in memory`,
      );
    }
  });
});
