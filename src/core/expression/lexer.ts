import { ExpressionSyntaxError } from '../errors.ts';
import { DURATION_UNITS, type DurationUnit } from './ast.ts';

/** Words with a meaning of their own; as field names they must be written "double-quoted". */
export const KEYWORDS = ['and', 'or', 'not', 'is', 'null', 'in', 'like', 'true', 'false'] as const;
/** One of KEYWORDS. */
export type Keyword = (typeof KEYWORDS)[number];

/** Punctuation and operator tokens. */
export const SYMBOLS = [
  '??',
  '<=',
  '>=',
  '!=',
  '<>',
  '(',
  ')',
  ',',
  '.',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
] as const;
/** One of SYMBOLS. */
export type Punctuator = (typeof SYMBOLS)[number];

/** One token; `pos` is its 0-based start offset, `end` the offset after it. */
export type Token = { pos: number; end: number } & (
  | { kind: 'number'; value: number }
  | { kind: 'duration'; value: number; unit: DurationUnit }
  | { kind: 'string'; value: string }
  | { kind: 'identifier'; value: string; quoted: boolean }
  | { kind: 'keyword'; value: Keyword }
  | { kind: 'symbol'; value: Punctuator }
  | { kind: 'eof' }
);

/** Bare identifiers: a letter or underscore, then letters, digits, underscores (Unicode letters allowed). */
export const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const IDENTIFIER_START = /[\p{L}_]/u;
const IDENTIFIER_PART = /[\p{L}\p{N}_]/u;
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
const UNIT_SET: ReadonlySet<string> = new Set(DURATION_UNITS);

/** True when `word` is a keyword in any letter case. */
export function isKeyword(word: string): boolean {
  return KEYWORD_SET.has(word.toLowerCase());
}

/** Builds the syntax error for `source` at `position`, with 1-based line and column. */
export function syntaxError(source: string, position: number, message: string): ExpressionSyntaxError {
  let line = 1;
  let lineStart = 0;
  // Past the end source[i] is undefined, no line break, so the loop needs no bound on the length.
  for (let i = 0; i < position; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return new ExpressionSyntaxError(message, position, line, position - lineStart + 1);
}

/** How a token reads in an error message. */
export function describeToken(token: Token, source: string): string {
  if (token.kind === 'eof') return 'end of input';
  const text = source.slice(token.pos, token.end);
  const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  return token.kind === 'string' ? `string ${shown}` : `'${shown}'`;
}

/** Splits an expression into tokens; throws ExpressionSyntaxError on text that is no token. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch >= '0' && ch <= '9') {
      const token = readNumber(source, start);
      tokens.push(token);
      i = token.end;
    } else if (ch === "'") {
      const [value, end] = readQuoted(source, start, "'", 'string');
      tokens.push({ kind: 'string', value, pos: start, end });
      i = end;
    } else if (ch === '"') {
      const [value, end] = readQuoted(source, start, '"', 'quoted name');
      if (value === '') throw syntaxError(source, start, 'empty quoted name ""');
      tokens.push({ kind: 'identifier', value, quoted: true, pos: start, end });
      i = end;
    } else if (IDENTIFIER_START.test(codePointAt(source, i))) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: past the end codePointAt gives U+0000, no identifier part
      while (i < source.length && IDENTIFIER_PART.test(codePointAt(source, i)))
        i += codePointAt(source, i).length;
      const word = source.slice(start, i);
      const lower = word.toLowerCase();
      tokens.push(
        KEYWORD_SET.has(lower)
          ? { kind: 'keyword', value: lower as Keyword, pos: start, end: i }
          : { kind: 'identifier', value: word, quoted: false, pos: start, end: i },
      );
    } else {
      const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
      if (!symbol) {
        const c = codePointAt(source, i);
        const hint = c === '?' ? " (did you mean '??')" : c === '!' ? " (did you mean '!=')" : '';
        throw syntaxError(source, start, `unexpected character '${c}'${hint}`);
      }
      i += symbol.length;
      tokens.push({ kind: 'symbol', value: symbol, pos: start, end: i });
    }
  }
  tokens.push({ kind: 'eof', pos: source.length, end: source.length });
  return tokens;
}

/** The whole code point at `i` (one or two UTF-16 units). */
function codePointAt(source: string, i: number): string {
  return String.fromCodePoint(source.codePointAt(i) ?? 0);
}

/** Reads `12`, `3.5`, `1e-7`, and durations `7d` `12h` `30m` `45s` (number followed by a unit letter). */
function readNumber(source: string, start: number): Token {
  const match = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(start, start + 400)) as RegExpExecArray;
  let end = start + match[0].length;
  const value = Number(match[0]);
  if (match[0].length >= 400 || !Number.isFinite(value))
    throw syntaxError(source, start, 'number is too large');
  let word = '';
  // Stryker disable next-line ConditionalExpression,EqualityOperator: past the end codePointAt gives U+0000, no identifier part
  while (end < source.length && IDENTIFIER_PART.test(codePointAt(source, end))) {
    word += codePointAt(source, end);
    end += codePointAt(source, end).length;
  }
  if (word === '') return { kind: 'number', value, pos: start, end };
  const unit = word.toLowerCase();
  if (!UNIT_SET.has(unit)) {
    const text = source.slice(start, end);
    throw syntaxError(
      source,
      start,
      `invalid number '${text.length > 20 ? `${text.slice(0, 20)}…` : text}' (durations are written 7d, 12h, 30m or 45s)`,
    );
  }
  return { kind: 'duration', value, unit: unit as DurationUnit, pos: start, end };
}

/** Reads a `'…'` string or `"…"` name; the quote character is escaped by doubling it. */
function readQuoted(source: string, start: number, quote: string, what: string): [string, number] {
  let value = '';
  let i = start + 1;
  for (;;) {
    const next = source.indexOf(quote, i);
    // Stryker disable next-line EqualityOperator: the search starts after the opening quote, so next is never 0
    if (next < 0) throw syntaxError(source, start, `unterminated ${what} (missing closing ${quote})`);
    value += source.slice(i, next);
    if (source[next + 1] === quote) {
      value += quote;
      i = next + 2;
    } else {
      return [value, next + 1];
    }
  }
}
