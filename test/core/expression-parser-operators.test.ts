import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionSyntaxError } from '../../src/core/errors.ts';
import { MAX_NESTING, parseExpression } from '../../src/core/expression/index.ts';

function syntaxErrorOf(source: string): ExpressionSyntaxError {
  try {
    parseExpression(source);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError, `expected ExpressionSyntaxError, got ${err}`);
    return err;
  }
  assert.fail(`'${source}' parsed without error`);
}

describe('expression parser: only bare words and symbols are operators', () => {
  test('a double-quoted keyword or a string is a value, never an operator', () => {
    const cases: Array<[string, string]> = [
      ['a "or" b', '\'"or"\''],
      ['a "and" b', '\'"and"\''],
      ['a "is" null', '\'"is"\''],
      ['a = b "in" (1)', '\'"in"\''],
      ["a 'like' b", "string 'like'"],
      ["a '-' b", "string '-'"],
      ['a "*" b', '\'"*"\''],
    ];
    for (const [source, found] of cases) {
      assert.match(
        syntaxErrorOf(source).message,
        new RegExp(`^expected an operator or end of input but found ${found.replace(/[*]/g, '\\$&')}`),
        source,
      );
    }
    assert.match(syntaxErrorOf('a is "null"').message, /^expected 'null' or 'not null' but found '"null"'/);
    assert.match(
      syntaxErrorOf('a not "in" (1)').message,
      /^expected 'in' or 'like' after 'not' but found '"in"'/,
    );
    assert.match(syntaxErrorOf("a not 'like' 'x'").message, /^expected 'in' or 'like' after 'not'/);
  });

  test('an operator word where a value belongs is refused', () => {
    for (const word of ['and', 'or', 'in', 'is', 'like']) {
      const err = syntaxErrorOf(`x = ${word}`);
      assert.equal(err.position, 4, word);
      assert.match(err.message, new RegExp(`^expected an expression but found '${word}'`), word);
    }
  });

  test('a second comparison after like is refused as a chain', () => {
    assert.match(
      syntaxErrorOf("a = b like 'x'").message,
      /comparisons cannot be chained: add parentheses before 'like'/,
    );
  });

  test("only an unquoted 'where' starts an aggregate's condition", () => {
    assert.match(
      syntaxErrorOf("count(orders 'where' a = 1)").message,
      /^expected 'where' or '\)' but found string 'where'/,
    );
    assert.match(
      syntaxErrorOf('count(orders having a = 1)').message,
      /^expected 'where' or '\)' but found 'having'/,
    );
  });
});

describe('expression parser: nesting limit', () => {
  test(`${MAX_NESTING} levels of parentheses are accepted, one more is refused at the innermost`, () => {
    const nested = (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`;
    assert.doesNotThrow(() => parseExpression(nested(MAX_NESTING)));
    const err = syntaxErrorOf(nested(MAX_NESTING + 1));
    assert.equal(err.position, MAX_NESTING);
    assert.match(err.message, /^expression is nested too deeply \(more than 100 levels\)/);
  });
});
