import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError, ExpressionSyntaxError } from '../../src/core/errors.ts';
import {
  type Expr,
  MAX_NESTING,
  parseExpression,
  prepareExpression,
  print,
} from '../../src/core/expression/index.ts';

/** Fully parenthesised text of a tree, to make the parsed grouping visible. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return JSON.stringify(e.value);
    case 'duration':
      return `${e.amount}${e.unit}`;
    case 'path':
      return e.segments.join('.');
    case 'negate':
      return `(- ${shape(e.operand)})`;
    case 'not':
      return `(not ${shape(e.operand)})`;
    case 'logical':
    case 'compare':
    case 'arithmetic':
      return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case 'coalesce':
      return `(${shape(e.left)} ?? ${shape(e.right)})`;
    case 'isNull':
      return `(${shape(e.operand)} is${e.negated ? ' not' : ''} null)`;
    case 'in':
      return `(${shape(e.operand)}${e.negated ? ' not' : ''} in [${e.list.map(shape).join(', ')}])`;
    case 'like':
      return `(${shape(e.operand)}${e.negated ? ' not' : ''} like ${shape(e.pattern)})`;
    case 'call':
      return `${e.name}(${e.args.map(shape).join(', ')})`;
    case 'aggregate':
      return `${e.fn}(${e.relation.join('.')}${e.where ? ` where ${shape(e.where)}` : ''})`;
  }
}

const parsed = (source: string) => shape(parseExpression(source));

function syntaxErrorOf(source: string): ExpressionSyntaxError {
  try {
    parseExpression(source);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError, `expected ExpressionSyntaxError, got ${err}`);
    return err;
  }
  assert.fail(`'${source}' parsed without error`);
}

describe('expression parser: precedence', () => {
  test('?? binds loosest, then or, then and, then not', () => {
    assert.equal(parsed('a ?? b or c and not d'), '(a ?? (b or (c and (not d))))');
    assert.equal(parsed('a and b or c'), '((a and b) or c)');
    assert.equal(parsed('not a = 1 and b'), '((not (a = 1)) and b)');
  });

  test('arithmetic binds tighter than comparison, * tighter than +, operators associate left', () => {
    assert.equal(parsed('a + b * c > d - e - f'), '((a + (b * c)) > ((d - e) - f))');
    assert.equal(parsed('a / b / c'), '((a / b) / c)');
    assert.equal(parsed('a ?? b ?? c'), '((a ?? b) ?? c)');
    assert.equal(parsed('-a * -b'), '((- a) * (- b))');
  });

  test('parentheses override precedence', () => {
    assert.equal(parsed('(a or b) and c'), '((a or b) and c)');
    assert.equal(parsed('a * (b + c)'), '(a * (b + c))');
  });

  test('is null, in, like and their negations apply to an arithmetic operand', () => {
    assert.equal(parsed('a + 1 is not null'), '((a + 1) is not null)');
    assert.equal(parsed("canton not in ('ZH', 'BE')"), '(canton not in ["ZH", "BE"])');
    assert.equal(parsed("lower(email) not like '%@x.ch'"), '(lower(email) not like "%@x.ch")');
    assert.equal(parsed('x in (1 + 1, b ?? c)'), '(x in [(1 + 1), (b ?? c)])');
  });

  test('<> is read as != and every comparison operator is recognised', () => {
    assert.equal(parsed('a <> b'), '(a != b)');
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) assert.equal(parsed(`a ${op} b`), `(a ${op} b)`);
  });
});

describe('expression parser: literals and names', () => {
  test('reads numbers, strings with doubled quotes, booleans, null and durations', () => {
    assert.equal(
      parsed("f(12, 3.5, 1e3, 'it''s', true, FALSE, Null)"),
      'f(12, 3.5, 1000, "it\'s", true, false, null)',
    );
    assert.equal(parsed('now() - 7d + 12h + 30M + 45s'), '((((now() - 7d) + 12h) + 30m) + 45s)');
  });

  test('keywords and function names ignore case, field names keep it', () => {
    assert.equal(
      parsed("Name IS NOT NULL AND NOT Active OR X LIKE 'a'"),
      '(((Name is not null) and (not Active)) or (X like "a"))',
    );
    assert.equal(parsed('LOWER(Email)'), 'lower(Email)');
  });

  test('field paths take dots and double-quoted names, also for keywords', () => {
    const e = parseExpression('address."Post Code".null = "in"');
    assert.equal(e.kind, 'compare');
    assert.deepEqual(e.kind === 'compare' && e.left.kind === 'path' && e.left.segments, [
      'address',
      'Post Code',
      'null',
    ]);
    assert.deepEqual(e.kind === 'compare' && e.right.kind === 'path' && e.right.segments, ['in']);
    assert.deepEqual((parseExpression('"say ""hi"""') as { segments?: readonly string[] }).segments, [
      'say "hi"',
    ]);
  });

  test('every node records the offset where it starts', () => {
    const e = parseExpression("a = 1 and lower(b) like 'x'");
    assert.equal(e.pos, 0);
    assert.ok(e.kind === 'logical' && e.right.pos === 10);
    assert.ok(e.kind === 'logical' && e.right.kind === 'like' && e.right.pattern.pos === 24);
  });
});

describe('expression parser: errors', () => {
  test('a missing closing parenthesis reports the end of input with line and column', () => {
    const err = syntaxErrorOf('(a = 1 and b = 2');
    assert.equal(err.message, "expected ')' but found end of input at line 1, column 17");
    assert.equal(err.position, 16);
    assert.equal(err.code, 'expression_syntax');
  });

  test('positions count lines and columns from 1 across line breaks', () => {
    const err = syntaxErrorOf("status = 'active'\n  and email is nul");
    assert.equal(err.line, 2);
    assert.equal(err.column, 16);
    assert.equal(err.position, 33);
    assert.match(err.message, /expected 'null' or 'not null' but found 'nul'/);
  });

  const cases: Array<[string, number, RegExp]> = [
    ['a = = 1', 4, /expected an expression but found '='/],
    ["name = 'abc", 7, /unterminated string/],
    ['a = 1 b', 6, /expected an operator or end of input but found 'b'/],
    ['now() - 7days', 8, /invalid number '7days'/],
    ['a = b = c', 6, /comparisons cannot be chained/],
    ['a not between 1', 6, /expected 'in' or 'like' after 'not'/],
    ['x in ()', 6, /expected an expression but found '\)'/],
    ['f(a b)', 4, /expected ',' or '\)' but found 'b'/],
    ['a ? b', 2, /unexpected character '\?' \(did you mean '\?\?'\)/],
    ['a # b', 2, /unexpected character '#'/],
    ['a."', 2, /unterminated quoted name/],
    ['""', 0, /empty quoted name/],
    ['a.', 2, /expected a field name after '.'/],
    ['', 0, /expected an expression but found end of input/],
  ];
  for (const [source, position, message] of cases) {
    test(`rejects ${JSON.stringify(source)} at offset ${position}`, () => {
      const err = syntaxErrorOf(source);
      assert.equal(err.position, position);
      assert.match(err.message, message);
    });
  }

  test('deep nesting is refused with a clear error instead of overflowing the stack', () => {
    for (const source of [
      '('.repeat(100_000),
      `${'not '.repeat(5000)}a`,
      `${'-'.repeat(5000)}1`,
      `${'f('.repeat(5000)}`,
    ]) {
      assert.match(syntaxErrorOf(source).message, /nested too deeply/);
    }
    assert.doesNotThrow(() =>
      parseExpression(`${'('.repeat(MAX_NESTING - 1)}a${')'.repeat(MAX_NESTING - 1)}`),
    );
  });

  test('very long operator chains are refused before they could overflow evaluation', () => {
    assert.match(syntaxErrorOf(Array(5000).fill('a = 1').join(' or ')).message, /nested too deeply/);
    assert.doesNotThrow(() => parseExpression(Array(200).fill('a = 1').join(' or ')));
  });

  test('an unknown function or wrong argument count is an ExpressionError with the call position', () => {
    for (const [source, message] of [
      ['a = 1 and foo(a)', /unknown function 'foo' at position 10/],
      ['lower(a, b)', /lower\(\) takes 1 argument but got 2 at position 0/],
      ['x = coalesce(a)', /coalesce\(\) takes at least 2 arguments but got 1 at position 4/],
    ] as const) {
      assert.doesNotThrow(() => parseExpression(source), 'the parser checks syntax only');
      assert.throws(
        () => prepareExpression(source),
        (err) =>
          err instanceof ExpressionError &&
          message.test(err.message) &&
          typeof err.details?.position === 'number',
      );
    }
  });
});

describe('expression printer', () => {
  test('prints canonical text with minimal parentheses', () => {
    assert.equal(
      print(parseExpression("A=1 AND (b<>'x') OR NOT (c IS NULL)")),
      "A = 1 and b != 'x' or not c is null",
    );
    assert.equal(print(parseExpression('(a or b) and (c ?? d)')), '(a or b) and (c ?? d)');
    assert.equal(print(parseExpression('a - (b - c) - d')), 'a - (b - c) - d');
    assert.equal(print(parseExpression('-(a + b) * - -c')), '-(a + b) * --c');
    assert.equal(print(parseExpression('(a = b) = (c < d)')), '(a = b) = (c < d)');
  });

  test('quotes names that are keywords or not plain identifiers, and doubles quotes in strings', () => {
    assert.equal(
      print(parseExpression(`"null"."Post Code" = 'O''Brien'`)),
      `"null"."Post Code" = 'O''Brien'`,
    );
    assert.equal(print(parseExpression('straße = 1d')), 'straße = 1d');
    assert.equal(print(parseExpression('"say ""hi""" = 1')), '"say ""hi""" = 1');
  });

  test('+ and - bind more loosely than * and /: parentheses kept around a sum or difference operand of a product', () => {
    assert.equal(print(parseExpression('(a + b) * c')), '(a + b) * c');
    assert.equal(print(parseExpression('(a - b) / c')), '(a - b) / c');
    assert.equal(print(parseExpression('c * (a - b)')), 'c * (a - b)');
    assert.equal(print(parseExpression('(a * b) + (c / d) - e')), 'a * b + c / d - e');
    assert.equal(print(parseExpression('a - (b * c)')), 'a - b * c');
  });

  test('null, booleans and numbers print as written', () => {
    assert.equal(print(parseExpression('x ?? null ?? TRUE ?? 2.5')), 'x ?? null ?? true ?? 2.5');
  });
});
