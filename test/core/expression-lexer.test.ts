import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionSyntaxError } from '../../src/core/errors.ts';
import { parseExpression } from '../../src/core/expression/index.ts';
import { isKeyword, syntaxError, tokenize } from '../../src/core/expression/lexer.ts';

function syntaxErrorOf(source: string): ExpressionSyntaxError {
  try {
    tokenize(source);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError, `expected ExpressionSyntaxError, got ${err}`);
    return err;
  }
  assert.fail(`'${source}' tokenized without error`);
}

describe('expression lexer: tokens', () => {
  test('each token records its kind, value, start and end; the input ends with eof', () => {
    assert.deepEqual(tokenize(" ab\t<= \"c d\"\n7H 1.5e-3 AND 'it''s'"), [
      { kind: 'identifier', value: 'ab', quoted: false, pos: 1, end: 3 },
      { kind: 'symbol', value: '<=', pos: 4, end: 6 },
      { kind: 'identifier', value: 'c d', quoted: true, pos: 7, end: 12 },
      { kind: 'duration', value: 7, unit: 'h', pos: 13, end: 15 },
      { kind: 'number', value: 0.0015, pos: 16, end: 22 },
      { kind: 'keyword', value: 'and', pos: 23, end: 26 },
      { kind: 'string', value: "it's", pos: 27, end: 34 },
      { kind: 'eof', pos: 34, end: 34 },
    ]);
  });

  test('two-character symbols win over their one-character starts', () => {
    const symbols = tokenize('a<>b>=c??d!=e<f>g').flatMap((t) => (t.kind === 'symbol' ? [t.value] : []));
    assert.deepEqual(symbols, ['<>', '>=', '??', '!=', '<', '>']);
  });

  test('names take letters beyond ASCII, also outside the basic plane', () => {
    const [token] = tokenize('ä𝒳_1 = 1');
    assert.deepEqual(token, { kind: 'identifier', value: 'ä𝒳_1', quoted: false, pos: 0, end: 5 });
    assert.deepEqual(tokenize('𝒳')[0], { kind: 'identifier', value: '𝒳', quoted: false, pos: 0, end: 2 });
  });

  test('a quoted name ending in a doubled quote keeps one quote', () => {
    assert.deepEqual(tokenize('"a"""')[0], { kind: 'identifier', value: 'a"', quoted: true, pos: 0, end: 5 });
  });

  test('keywords are recognised in any letter case', () => {
    assert.equal(isKeyword('NuLL'), true);
    assert.equal(isKeyword('where'), false);
  });
});

describe('expression lexer: errors', () => {
  test('numbers of 400 characters or beyond the double range are too large', () => {
    assert.equal(tokenize('0'.repeat(399))[0]?.kind, 'number');
    assert.match(syntaxErrorOf(`x = ${'0'.repeat(400)}`).message, /number is too large/);
    const tooBig = syntaxErrorOf('x = 1e999');
    assert.equal(tooBig.position, 4);
    assert.match(tooBig.message, /^number is too large/);
  });

  test('a number followed by a word that is no unit is refused, the text shortened to 20 characters', () => {
    assert.equal(
      syntaxErrorOf('7weeks').message,
      "invalid number '7weeks' (durations are written 7d, 12h, 30m or 45s) at line 1, column 1",
    );
    assert.match(
      syntaxErrorOf(`1${'x'.repeat(30)}`).message,
      new RegExp(`invalid number '1${'x'.repeat(19)}…'`),
    );
    assert.match(syntaxErrorOf('12é').message, /invalid number '12é'/);
  });

  test('unexpected characters are named whole, with a hint for ? and !', () => {
    assert.equal(
      syntaxErrorOf('a ! b').message,
      "unexpected character '!' (did you mean '!=') at line 1, column 3",
    );
    assert.equal(syntaxErrorOf('a 😀').message, "unexpected character '😀' at line 1, column 3");
  });

  test('an unterminated string or name points at its opening quote', () => {
    const string = syntaxErrorOf("a = 'x''");
    assert.equal(string.position, 4);
    assert.match(string.message, /^unterminated string \(missing closing '\)/);
    assert.match(syntaxErrorOf('"a').message, /^unterminated quoted name \(missing closing "\)/);
    assert.match(syntaxErrorOf('a = ""').message, /^empty quoted name "" at line 1, column 5/);
  });

  test('the parser shows long tokens shortened and strings as strings', () => {
    const e = (s: string) => {
      try {
        parseExpression(s);
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail('parsed');
    };
    assert.match(e(`a = 1 ${'b'.repeat(30)}`), new RegExp(`found '${'b'.repeat(20)}…'`));
    assert.match(e(`a = 1 ${'b'.repeat(20)}`), new RegExp(`found '${'b'.repeat(20)}' at`));
    assert.match(e("a = 1 'x'"), /found string 'x' at/);
  });
});

describe('expression lexer: error positions', () => {
  test('an invalid number of exactly 20 characters is shown whole, one of 21 shortened with …', () => {
    const twenty = `1${'x'.repeat(19)}`;
    assert.match(syntaxErrorOf(twenty).message, new RegExp(`^invalid number '${twenty}' \\(`));
    assert.match(syntaxErrorOf(`${twenty}y`).message, new RegExp(`^invalid number '${twenty}…' \\(`));
  });

  test('line and column count only the line breaks before the error, not those after it', () => {
    const err = syntaxErrorOf('a ?\nb\nc');
    assert.equal(err.line, 1);
    assert.equal(err.column, 3);
    assert.match(err.message, /at line 1, column 3$/);
    const second = syntaxErrorOf('a\n  !b\n');
    assert.deepEqual([second.line, second.column], [2, 3]);
  });

  test('an error at a line break is on the line the break ends, not the next one', () => {
    const err = syntaxError('a\nb', 1, 'x');
    assert.deepEqual([err.position, err.line, err.column], [1, 1, 2]);
  });
});
