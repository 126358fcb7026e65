import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError } from '../../src/core/errors.ts';
import {
  compileToSql,
  parseExpression,
  type SqlDialect,
  type SqlFragment,
} from '../../src/core/expression/index.ts';

const NOW = new Date('2025-03-10T12:00:00.000Z');
const COLUMNS = new Set(['status', 'email', 'canton', 'modified_at', 'active', 'name', 'n']);

function compile(source: string, dialect: SqlDialect = 'sqlite'): SqlFragment | null {
  return compileToSql(parseExpression(source), {
    dialect,
    column: (p) => (COLUMNS.has(p) ? p : null),
    now: NOW,
  });
}

/** Raw SQL text with `$` for bound values and `[col]` for identifiers, plus the bound values. */
function render(fragment: SqlFragment | null): { text: string; values: unknown[] } {
  assert.ok(fragment, 'expected SQL');
  const values: unknown[] = [];
  const text = fragment.parts
    .map((p) => {
      if (typeof p === 'string') return p;
      if ('identifier' in p) return `[${p.identifier}]`;
      values.push(p.value);
      return '$';
    })
    .join('');
  return { text, values };
}

describe('compileToSql', () => {
  test('binds every value as a parameter and never puts it into the SQL text', () => {
    const { text, values } = render(compile("status = 'x'' OR 1=1 --' and canton in ('ZH', 'BE')"));
    assert.equal(text, '(([status] = $) AND ([canton] IN ($, $)))');
    assert.deepEqual(values, ["x' OR 1=1 --", 'ZH', 'BE']);
  });

  test('SQLite gets booleans as 1/0 and dates as ISO text; PostgreSQL gets them as they are, typed', () => {
    assert.deepEqual(render(compile('active = true')).values, [1]);
    assert.deepEqual(render(compile('active = true', 'postgres')), {
      text: '([active] = CAST($ AS boolean))',
      values: [true],
    });
    assert.deepEqual(
      render(compile("status = 'x'", 'postgres')),
      { text: '([status] = $)', values: ['x'] },
      'text stays uncast for enum columns',
    );
    assert.deepEqual(render(compile('modified_at > date(2022, 1, 1)')).values, ['2022-01-01T00:00:00.000Z']);
    assert.deepEqual(render(compile('modified_at > date(2022, 1, 1)', 'postgres')).values, [
      new Date('2022-01-01T00:00:00.000Z'),
    ]);
  });

  test('now() is folded with the given time into a bound parameter', () => {
    const sqlite = render(compile('modified_at > now() - 7d'));
    assert.deepEqual(sqlite.values, ['2025-03-03T12:00:00.000Z']);
    assert.match(
      sqlite.text,
      /^\(strftime\(.*\[modified_at\].* > \$\)$/,
      'SQLite compares canonical ISO text',
    );
    assert.deepEqual(render(compile('modified_at > now() - 7d', 'postgres')), {
      text: '([modified_at] > CAST($ AS timestamptz))',
      values: [new Date('2025-03-03T12:00:00.000Z')],
    });
  });

  test('like is ILIKE on PostgreSQL and LIKE with a backslash escape on SQLite', () => {
    assert.equal(render(compile("email like '%@x.ch'", 'postgres')).text, '(CAST([email] AS text) ILIKE $)');
    assert.equal(render(compile("email not like '%@x.ch'")).text, "([email] NOT LIKE $ ESCAPE '\\')");
    assert.equal(
      render(compile("lower(trim(email)) like '%@x.ch'")).text,
      "(trim([email], $) LIKE $ ESCAPE '\\')",
    );
  });

  test('returns null where SQL could not match the evaluator exactly', () => {
    assert.equal(compile("unknown_field = 'x'"), null, 'a path that is not a column');
    assert.equal(compile("lower(name) = 'müller'"), null, "SQLite's lower() is ASCII-only");
    assert.ok(compile("lower(name) = 'müller'", 'postgres'));
    assert.equal(compile("name like 'mü%'"), null, "SQLite's LIKE folds ASCII case only");
    assert.equal(compile('left(name, n) = name'), null, 'a computed length');
    assert.equal(compile('n * 1d = 1'), null, 'a duration outside date arithmetic');
  });

  test('division casts to floating point and turns division by zero into null', () => {
    assert.equal(render(compile('n / 2 > 1')).text, '((CAST([n] AS REAL) / NULLIF($, 0)) > $)');
    assert.equal(
      render(compile('n / 2 > 1', 'postgres')).text,
      '((CAST([n] AS double precision) / NULLIF(CAST($ AS bigint), 0)) > CAST($ AS bigint))',
    );
  });

  test('MySQL compares text as bytes, numbers and dates as such, and concatenates with CONCAT()', () => {
    const mysql = (source: string) => render(compile(source, 'mysql'));
    assert.deepEqual(mysql("status = 'x'"), {
      text: '(CAST(CONVERT([status] USING utf8mb4) AS BINARY) = CAST(CONVERT($ USING utf8mb4) AS BINARY))',
      values: ['x'],
    });
    assert.deepEqual(mysql('active = true and n >= 2'), {
      text: '(([active] = $) AND ([n] >= $))',
      values: [1, 2],
    });
    assert.deepEqual(mysql('modified_at > now() - 7d'), {
      text: '([modified_at] > CAST($ AS DATETIME(3)))',
      values: ['2025-03-03 12:00:00.000'],
    });
    assert.match(mysql("concat(name, '!') = 'a!'").text, /^\(CAST\(CONVERT\(CONCAT\(/);
    assert.equal(
      mysql("name like 'mü%'").text,
      '(LOWER((CONVERT([name] USING utf8mb4) COLLATE utf8mb4_bin)) LIKE LOWER($) COLLATE utf8mb4_bin ESCAPE $)',
    );
  });

  test('an expression without fields is folded to one bound truth value', () => {
    assert.deepEqual(compile('1 + 1 = 2'), { parts: [{ value: 1 }] });
    assert.deepEqual(compile('null = null', 'postgres'), {
      parts: ['CAST(', { value: false }, ' AS boolean)'],
    });
  });

  test('an unknown function is an ExpressionError at compile time', () => {
    assert.throws(() => compile('status = frobnicate(1)'), ExpressionError);
  });
});
