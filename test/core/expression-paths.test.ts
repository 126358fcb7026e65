import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Expr } from '../../src/core/expression/index.ts';
import { parseExpression } from '../../src/core/expression/index.ts';
import { expressionPaths } from '../../src/core/expression/paths.ts';

const path = (...segments: string[]): Expr => ({ kind: 'path', segments, pos: 0 });
const pathsOf = (source: string): string[] => [...expressionPaths(parseExpression(source))];

describe('expressionPaths', () => {
  test('no expression reads no path: an empty set', () => {
    const paths = expressionPaths(null);
    assert.ok(paths instanceof Set);
    assert.deepEqual([...paths], []);
  });

  test('a lone path is read as its dotted segments, without a prefix by default', () => {
    assert.deepEqual([...expressionPaths(path('address', 'city'))], ['address.city']);
    assert.deepEqual([...expressionPaths(path('email'))], ['email']);
  });

  test('a given prefix goes before every path, and paths are added to the given set', () => {
    const out = new Set(['kept']);
    const result = expressionPaths(path('role_id'), ['contracts', 'roles'], out);
    assert.equal(result, out);
    assert.deepEqual([...out], ['kept', 'contracts.roles.role_id']);
  });

  test('link.* is left out at any length; job.<field> is left out but a field named job is read', () => {
    assert.deepEqual([...expressionPaths(path('link', 'external_id'))], []);
    assert.deepEqual([...expressionPaths(path('link'))], []);
    assert.deepEqual([...expressionPaths(path('job', 'last_success'))], []);
    assert.deepEqual([...expressionPaths(path('job'))], ['job']);
    assert.deepEqual([...expressionPaths(path('jobs', 'x'))], ['jobs.x']);
    assert.deepEqual([...expressionPaths(path('name', 'link'))], ['name.link']);
    assert.deepEqual([...expressionPaths(path('name', 'job', 'x'))], ['name.job.x']);
  });

  test('every operand of every kind of node is visited, in source order, each path once', () => {
    assert.deepEqual(
      pathsOf(
        'a = 1 and not (b or c ?? d) and -e * f > 2 and g is null and h in (i, 1) and j like k and upper(l) = m and a = 1',
      ),
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'],
    );
  });

  test('literals, durations and functions without arguments read no path', () => {
    assert.deepEqual(pathsOf("now() - 7d > '2024-01-01' or true"), []);
  });

  test('an aggregate reads its relation path and, under that prefix, the paths of its condition', () => {
    assert.deepEqual(pathsOf('count(contracts where role_id = 1 and job.x = link.y) > 0'), [
      'contracts',
      'contracts.role_id',
    ]);
    assert.deepEqual(pathsOf('exists(person.addresses) and zip = 1'), ['person.addresses', 'zip']);
  });

  test('an aggregate nested in an aggregate condition stacks both prefixes', () => {
    assert.deepEqual(pathsOf('exists(a where count(b where c = 1) > 0)'), ['a', 'a.b', 'a.b.c']);
  });
});
