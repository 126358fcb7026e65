import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionSyntaxError } from '../../src/core/errors.ts';
import { type Expr, MAX_DEPTH, parseExpression } from '../../src/core/expression/index.ts';

function syntaxErrorOf(source: string): ExpressionSyntaxError {
  try {
    parseExpression(source);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError, `expected ExpressionSyntaxError, got ${err}`);
    return err;
  }
  assert.fail(`'${source}' parsed without error`);
}

/** The tree without anything but its shape and positions, as plain data. */
const tree = (source: string): unknown => JSON.parse(JSON.stringify(parseExpression(source)));

describe('expression parser: aggregates', () => {
  test('count(relation where condition) reads the relation path, its position and the condition', () => {
    assert.deepEqual(tree('COUNT(orders.lines WHERE qty > 1)'), {
      kind: 'aggregate',
      fn: 'count',
      relation: ['orders', 'lines'],
      relationPos: 6,
      where: {
        kind: 'compare',
        op: '>',
        left: { kind: 'path', segments: ['qty'], pos: 25 },
        right: { kind: 'literal', value: 1, pos: 31 },
        pos: 25,
      },
      pos: 0,
    });
  });

  test('exists(relation) has no condition and lowercases its function name', () => {
    assert.deepEqual(tree('x and Exists(contacts)'), {
      kind: 'logical',
      op: 'and',
      left: { kind: 'path', segments: ['x'], pos: 0 },
      right: {
        kind: 'aggregate',
        fn: 'exists',
        relation: ['contacts'],
        relationPos: 13,
        where: null,
        pos: 6,
      },
      pos: 0,
    });
  });

  test('a quoted "where" is a name, not the start of a condition', () => {
    const err = syntaxErrorOf('count(orders "where" a = 1)');
    assert.equal(err.position, 13);
    assert.match(err.message, /expected 'where' or '\)' but found '"where"'/);
  });

  test('aggregates refuse a non-name relation and an unclosed condition', () => {
    const notAName = syntaxErrorOf('exists(1)');
    assert.equal(notAName.position, 7);
    assert.match(notAName.message, /expected a relation name in exists\(\) but found '1'/);
    const unclosed = syntaxErrorOf('count(orders where a = 1');
    assert.equal(unclosed.position, 24);
    assert.match(unclosed.message, /expected '\)' but found end of input/);
  });
});

describe('expression parser: calls and names', () => {
  test('a call takes no, one or several arguments and keeps the name lowercased', () => {
    assert.deepEqual(tree('NOW()'), { kind: 'call', name: 'now', args: [], pos: 0 });
    const call = parseExpression('Concat(a, b, c)');
    assert.ok(call.kind === 'call');
    assert.equal(call.args.length, 3);
  });

  test('a double-quoted name before ( is a field, not a function', () => {
    const err = syntaxErrorOf('"lower"(x)');
    assert.equal(err.position, 7);
    assert.match(err.message, /expected an operator or end of input but found '\('/);
  });

  test('an unclosed call asks for an argument first, then for , or )', () => {
    assert.match(syntaxErrorOf('f(').message, /expected an expression but found end of input/);
    const err = syntaxErrorOf('f(a');
    assert.equal(err.position, 3);
    assert.match(err.message, /expected ',' or '\)' but found end of input/);
  });

  test('a keyword after a dot names a field', () => {
    assert.deepEqual(tree('a.AND.x'), { kind: 'path', segments: ['a', 'AND', 'x'], pos: 0 });
  });

  test('text that is not a string is refused with a syntax error at offset 0', () => {
    const err = (() => {
      try {
        parseExpression(42 as unknown as string);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ExpressionSyntaxError);
    assert.equal(err.message, 'an expression must be text at line 1, column 1');
  });
});

describe('expression parser: comparisons', () => {
  test('is, in and like nodes start where their operand starts', () => {
    const node = (source: string) => parseExpression(source) as Expr & { negated?: boolean };
    for (const [source, kind, negated] of [
      ['  a is null', 'isNull', false],
      ['  a is not null', 'isNull', true],
      ["  a like 'x'", 'like', false],
      ["  a not like 'x'", 'like', true],
      ['  a in (1)', 'in', false],
      ['  a not in (1)', 'in', true],
      ['  a >= 1', 'compare', undefined],
    ] as const) {
      const e = node(source);
      assert.equal(e.kind, kind, source);
      assert.equal(e.pos, 2, source);
      assert.equal(e.negated, negated, source);
    }
  });

  test('after "is not" only null may follow, and the message says so', () => {
    const err = syntaxErrorOf('a is not 1');
    assert.equal(err.position, 9);
    assert.match(err.message, /expected 'null' but found '1'/);
  });

  test('"not" at the end of a comparison points at the end of input', () => {
    const err = syntaxErrorOf('a not');
    assert.equal(err.position, 5);
    assert.match(err.message, /expected 'in' or 'like' after 'not' but found end of input/);
  });

  test('in needs a parenthesised list that is closed', () => {
    assert.match(syntaxErrorOf('a in 1').message, /expected '\(' but found '1'/);
    const unclosed = syntaxErrorOf('a in (1, 2');
    assert.equal(unclosed.position, 10);
    assert.match(unclosed.message, /expected ',' or '\)' but found end of input/);
  });

  test('no comparison may follow is null, in or like without parentheses', () => {
    for (const source of ['a is null = b', 'a in (1) in (2)', "a like 'x' is null", 'a = b not in (1)']) {
      assert.match(syntaxErrorOf(source).message, /comparisons cannot be chained/, source);
    }
    assert.doesNotThrow(() => parseExpression('(a is null) = b'));
  });

  test('a comparison of plain operands followed by an operator word is not a chain', () => {
    const err = syntaxErrorOf('a and');
    assert.match(err.message, /expected an expression but found end of input/);
  });
});

describe('expression parser: depth', () => {
  test(`a chain of ${MAX_DEPTH} terms is accepted and one more is refused at its start`, () => {
    const chain = (n: number) => Array(n).fill('a').join(' or ');
    assert.doesNotThrow(() => parseExpression(chain(MAX_DEPTH)));
    const err = syntaxErrorOf(chain(MAX_DEPTH + 1));
    assert.equal(err.position, 0);
    assert.match(err.message, /expression is nested too deeply \(more than 500 levels\)/);
  });
});
