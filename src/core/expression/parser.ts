import type { ExpressionSyntaxError } from '../errors.ts';
import { type CompareOp, depthOf, type Expr } from './ast.ts';
import { describeToken, type Keyword, type Punctuator, syntaxError, type Token, tokenize } from './lexer.ts';

/** Deepest nesting of parentheses, calls, `not` and unary minus the parser accepts. */
export const MAX_NESTING = 100;
/** Deepest syntax tree the parser returns (long `a or b or …` chains count too), so no later recursion overflows. */
export const MAX_DEPTH = 500;

const COMPARE_SYMBOLS: Readonly<Partial<Record<Punctuator, CompareOp>>> = {
  '=': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/**
 * Parses one expression, e.g. `status = 'active' and modified_at > now() - 7d`.
 * Only syntax is checked here (function names and arity are checked by `checkExpression`); any problem
 * throws ExpressionSyntaxError with the 0-based position, line and column, and nothing else escapes.
 */
export function parseExpression(source: string): Expr {
  if (typeof source !== 'string') throw syntaxError('', 0, 'an expression must be text');
  const expr = new Parser(source, tokenize(source)).parseAll();
  if (depthOf(expr) > MAX_DEPTH) {
    throw syntaxError(source, expr.pos, `expression is nested too deeply (more than ${MAX_DEPTH} levels)`);
  }
  return expr;
}

/** Recursive descent, one method per precedence level, lowest first. */
class Parser {
  private index = 0;
  private nesting = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseAll(): Expr {
    const expr = this.parseCoalesce();
    if (this.peek.kind !== 'eof') throw this.fail(this.peek, 'an operator or end of input');
    return expr;
  }

  private get peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private advance(): Token {
    const token = this.peek;
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private atSymbol(value: Punctuator): boolean {
    const t = this.peek;
    return t.kind === 'symbol' && t.value === value;
  }

  private atKeyword(value: Keyword, offset = 0): boolean {
    const t = this.tokens[this.index + offset];
    return t?.kind === 'keyword' && t.value === value;
  }

  private expectSymbol(value: Punctuator): Token {
    if (!this.atSymbol(value)) throw this.fail(this.peek, `'${value}'`);
    return this.advance();
  }

  private fail(token: Token, expected: string): ExpressionSyntaxError {
    return syntaxError(
      this.source,
      token.pos,
      `expected ${expected} but found ${describeToken(token, this.source)}`,
    );
  }

  /** Runs `parse` one nesting level deeper, refusing input nested beyond MAX_NESTING. */
  private nested<T>(pos: number, parse: () => T): T {
    if (this.nesting >= MAX_NESTING) {
      throw syntaxError(
        this.source,
        pos,
        `expression is nested too deeply (more than ${MAX_NESTING} levels)`,
      );
    }
    this.nesting++;
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  private parseCoalesce(): Expr {
    let left = this.parseOr();
    while (this.atSymbol('??')) {
      this.advance();
      left = { kind: 'coalesce', left, right: this.parseOr(), pos: left.pos };
    }
    return left;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.atKeyword('or')) {
      this.advance();
      left = { kind: 'logical', op: 'or', left, right: this.parseAnd(), pos: left.pos };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.atKeyword('and')) {
      this.advance();
      left = { kind: 'logical', op: 'and', left, right: this.parseNot(), pos: left.pos };
    }
    return left;
  }

  private parseNot(): Expr {
    if (!this.atKeyword('not')) return this.parseComparison();
    const token = this.advance();
    return { kind: 'not', operand: this.nested(token.pos, () => this.parseNot()), pos: token.pos };
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const result = this.parseComparisonTail(left);
    if (result !== left && this.atComparison()) {
      throw syntaxError(
        this.source,
        this.peek.pos,
        `comparisons cannot be chained: add parentheses before ${describeToken(this.peek, this.source)}`,
      );
    }
    return result;
  }

  private atComparison(): boolean {
    const t = this.peek;
    if (t.kind === 'symbol') return COMPARE_SYMBOLS[t.value] !== undefined;
    return t.kind === 'keyword' && ['is', 'in', 'like', 'not'].includes(t.value);
  }

  private parseComparisonTail(left: Expr): Expr {
    const token = this.peek;
    const pos = left.pos;
    if (token.kind === 'symbol') {
      const op = COMPARE_SYMBOLS[token.value];
      if (op === undefined) return left;
      this.advance();
      return { kind: 'compare', op, left, right: this.parseAdditive(), pos };
    }
    if (token.kind !== 'keyword') return left;
    if (token.value === 'is') {
      this.advance();
      const negated = this.atKeyword('not');
      if (negated) this.advance();
      if (!this.atKeyword('null')) throw this.fail(this.peek, negated ? "'null'" : "'null' or 'not null'");
      this.advance();
      return { kind: 'isNull', operand: left, negated, pos };
    }
    const negated = token.value === 'not';
    if (negated) {
      if (!this.atKeyword('in', 1) && !this.atKeyword('like', 1)) {
        throw this.fail(this.tokens[this.index + 1] as Token, "'in' or 'like' after 'not'");
      }
      this.advance();
    }
    if (this.atKeyword('in')) {
      this.advance();
      return { kind: 'in', operand: left, list: this.parseList(), negated, pos };
    }
    if (this.atKeyword('like')) {
      this.advance();
      return { kind: 'like', operand: left, pattern: this.parseAdditive(), negated, pos };
    }
    return left;
  }

  /** `(a, b, …)` after `in`: at least one element. */
  private parseList(): Expr[] {
    const open = this.expectSymbol('(');
    return this.nested(open.pos, () => {
      const list = [this.parseCoalesce()];
      while (this.atSymbol(',')) {
        this.advance();
        list.push(this.parseCoalesce());
      }
      if (!this.atSymbol(')')) throw this.fail(this.peek, "',' or ')'");
      this.advance();
      return list;
    });
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (let t = this.peek; t.kind === 'symbol' && (t.value === '+' || t.value === '-'); t = this.peek) {
      this.advance();
      left = { kind: 'arithmetic', op: t.value, left, right: this.parseMultiplicative(), pos: left.pos };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (let t = this.peek; t.kind === 'symbol' && (t.value === '*' || t.value === '/'); t = this.peek) {
      this.advance();
      left = { kind: 'arithmetic', op: t.value, left, right: this.parseUnary(), pos: left.pos };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (!this.atSymbol('-')) return this.parsePrimary();
    const token = this.advance();
    return { kind: 'negate', operand: this.nested(token.pos, () => this.parseUnary()), pos: token.pos };
  }

  private parsePrimary(): Expr {
    const token = this.peek;
    const pos = token.pos;
    switch (token.kind) {
      case 'number':
      case 'string':
        this.advance();
        return { kind: 'literal', value: token.value, pos };
      case 'duration':
        this.advance();
        return { kind: 'duration', amount: token.value, unit: token.unit, pos };
      case 'keyword':
        if (token.value === 'true' || token.value === 'false' || token.value === 'null') {
          this.advance();
          return { kind: 'literal', value: token.value === 'null' ? null : token.value === 'true', pos };
        }
        break;
      case 'identifier':
        this.advance();
        if (!token.quoted && this.atSymbol('(')) return this.parseCall(token.value, pos);
        return this.parsePath(token.value, pos);
      case 'symbol':
        if (token.value === '(') {
          this.advance();
          return this.nested(pos, () => {
            const inner = this.parseCoalesce();
            this.expectSymbol(')');
            return inner;
          });
        }
        break;
    }
    throw this.fail(token, 'an expression');
  }

  private parseCall(name: string, pos: number): Expr {
    const fn = name.toLowerCase();
    if (fn === 'count' || fn === 'exists') return this.parseAggregate(fn, pos);
    this.advance(); // the '('
    return this.nested(pos, () => {
      const args: Expr[] = [];
      if (!this.atSymbol(')')) {
        args.push(this.parseCoalesce());
        while (this.atSymbol(',')) {
          this.advance();
          args.push(this.parseCoalesce());
        }
      }
      if (!this.atSymbol(')')) throw this.fail(this.peek, args.length ? "',' or ')'" : "an argument or ')'");
      this.advance();
      return { kind: 'call', name: name.toLowerCase(), args, pos };
    });
  }

  /** `count(relation where condition)`, `exists(relation)`: `where` is a word only in this place. */
  private parseAggregate(fn: 'count' | 'exists', pos: number): Expr {
    this.advance(); // the '('
    return this.nested(pos, () => {
      const first = this.peek;
      if (first.kind !== 'identifier') throw this.fail(first, `a relation name in ${fn}()`);
      this.advance();
      const relation = this.parsePath(first.value, first.pos) as { segments: readonly string[] };
      let where: Expr | null = null;
      const t = this.peek;
      if (t.kind === 'identifier' && !t.quoted && t.value.toLowerCase() === 'where') {
        this.advance();
        where = this.parseCoalesce();
      }
      if (!this.atSymbol(')')) throw this.fail(this.peek, where ? "')'" : "'where' or ')'");
      this.advance();
      return { kind: 'aggregate', fn, relation: relation.segments, relationPos: first.pos, where, pos };
    });
  }

  private parsePath(first: string, pos: number): Expr {
    const segments = [first];
    while (this.atSymbol('.')) {
      this.advance();
      const t = this.peek;
      // After a dot a keyword cannot be meant as an operator, so `a.null` names a field.
      if (t.kind === 'identifier') segments.push(t.value);
      else if (t.kind === 'keyword') segments.push(this.source.slice(t.pos, t.end));
      else throw this.fail(t, "a field name after '.'");
      this.advance();
    }
    return { kind: 'path', segments, pos };
  }
}
