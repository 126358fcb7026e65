// fast-check generators of expression trees for the property tests (not a test file itself).
import fc from 'fast-check';
import type { CompareOp, Expr } from '../../src/core/expression/ast.ts';

export const lit = (value: string | number | boolean | null): Expr => ({ kind: 'literal', value, pos: 0 });
export const path = (...segments: string[]): Expr => ({ kind: 'path', segments, pos: 0 });
export const call = (name: string, ...args: Expr[]): Expr => ({ kind: 'call', name, args, pos: 0 });

/** The tree without positions, for comparing trees that came from different text. */
export function withoutPositions(expr: Expr): unknown {
  return JSON.parse(JSON.stringify(expr, (key, value) => (key === 'pos' ? undefined : value)));
}

const COMPARE: CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
const NAMES = ['lower', 'trim', 'coalesce', 'if', 'now', 'unknown_fn', 'f2'];

/** Any syntactically valid tree (function names and arity not checked), for the print/parse round trip. */
export const anyExpr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => {
  const e = tie('e');
  const nonNegative = fc.oneof(
    fc.nat(),
    fc.double({ min: 0, max: 1e300, noNaN: true }).map((v) => v + 0),
  );
  return {
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string(), nonNegative, fc.boolean(), fc.constant(null)).map(lit),
      fc
        .record({ amount: nonNegative, unit: fc.constantFrom('d', 'h', 'm', 's' as const) })
        .map(({ amount, unit }): Expr => ({ kind: 'duration', amount, unit, pos: 0 })),
      fc
        .array(fc.oneof(fc.constantFrom('a', 'null', 'Straße', 'x_1'), fc.string({ minLength: 1 })), {
          minLength: 1,
          maxLength: 3,
        })
        .map((s) => path(...s)),
      e.map((operand): Expr => ({ kind: 'negate', operand, pos: 0 })),
      e.map((operand): Expr => ({ kind: 'not', operand, pos: 0 })),
      fc
        .tuple(fc.constantFrom('and', 'or' as const), e, e)
        .map(([op, left, right]): Expr => ({ kind: 'logical', op, left, right, pos: 0 })),
      fc.tuple(e, e).map(([left, right]): Expr => ({ kind: 'coalesce', left, right, pos: 0 })),
      fc
        .tuple(fc.constantFrom(...COMPARE), e, e)
        .map(([op, left, right]): Expr => ({ kind: 'compare', op, left, right, pos: 0 })),
      fc
        .tuple(fc.constantFrom('+', '-', '*', '/' as const), e, e)
        .map(([op, left, right]): Expr => ({ kind: 'arithmetic', op, left, right, pos: 0 })),
      fc
        .tuple(e, fc.boolean())
        .map(([operand, negated]): Expr => ({ kind: 'isNull', operand, negated, pos: 0 })),
      fc
        .tuple(e, fc.array(e, { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([operand, list, negated]): Expr => ({ kind: 'in', operand, list, negated, pos: 0 })),
      fc
        .tuple(e, e, fc.boolean())
        .map(([operand, pattern, negated]): Expr => ({ kind: 'like', operand, pattern, negated, pos: 0 })),
      fc
        .tuple(fc.constantFrom(...NAMES), fc.array(e, { maxLength: 3 }))
        .map(([name, args]) => call(name, ...args)),
    ),
  };
}).e;

// Typed trees over the parity table's columns: n1 n2 (numbers), s1 s2 (text), b1 (0/1), d1 d2 (ISO text).
const TEXT_ALPHABET = ['a', 'b', 'A', 'B', 'ä', 'Ä', ' ', '_', 'x'];
const PATTERN_ALPHABET = ['a', 'B', 'x', ' ', '%', '_', '\\'];
const textOf = (alphabet: string[], max: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((chars) => chars.join(''));

/** A text value as the parity table stores it. */
export const textValue = fc.option(textOf(TEXT_ALPHABET, 3), { freq: 5 });

/** Filters over the parity table, built so that every operand has the type its operator expects. */
export const typedFilter: fc.Arbitrary<Expr> = fc.letrec<{ bool: Expr; num: Expr; str: Expr; date: Expr }>(
  (tie) => {
    const { bool, num, str, date } = {
      bool: tie('bool'),
      num: tie('num'),
      str: tie('str'),
      date: tie('date'),
    };
    const small = { depthSize: 'small' as const, withCrossShrink: true };
    const coalesce = (a: fc.Arbitrary<Expr>) =>
      fc.tuple(a, a).map(([left, right]): Expr => ({ kind: 'coalesce', left, right, pos: 0 }));
    const choose = (a: fc.Arbitrary<Expr>) => fc.tuple(bool, a, a).map(([c, x, y]) => call('if', c, x, y));
    const compare = (a: fc.Arbitrary<Expr>) =>
      fc
        .tuple(fc.constantFrom(...COMPARE), a, a)
        .map(([op, left, right]): Expr => ({ kind: 'compare', op, left, right, pos: 0 }));
    const isIn = (a: fc.Arbitrary<Expr>) =>
      fc
        .tuple(a, fc.array(a, { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([operand, list, negated]): Expr => ({ kind: 'in', operand, list, negated, pos: 0 }));
    return {
      bool: fc.oneof(
        small,
        fc.constantFrom(path('b1'), lit(true), lit(false), lit(null)),
        compare(num),
        compare(str),
        compare(date),
        fc
          .tuple(
            fc.constantFrom('=', '!=' as const),
            fc.constant(path('b1')),
            fc.constantFrom(lit(true), lit(false)),
          )
          .map(([op, left, right]): Expr => ({ kind: 'compare', op, left, right, pos: 0 })),
        fc
          .tuple(fc.oneof(num, str, date, bool), fc.boolean())
          .map(([operand, negated]): Expr => ({ kind: 'isNull', operand, negated, pos: 0 })),
        isIn(num),
        isIn(str),
        isIn(date),
        fc.tuple(str, fc.boolean(), textOf(PATTERN_ALPHABET, 4), fc.boolean()).map(
          ([s, lower, pattern, negated]): Expr => ({
            kind: 'like',
            operand: lower ? call('lower', s) : s,
            pattern: lit(pattern),
            negated,
            pos: 0,
          }),
        ),
        fc
          .tuple(fc.constantFrom('and', 'or' as const), bool, bool)
          .map(([op, left, right]): Expr => ({ kind: 'logical', op, left, right, pos: 0 })),
        bool.map((operand): Expr => ({ kind: 'not', operand, pos: 0 })),
        choose(bool),
        coalesce(bool),
      ),
      num: fc.oneof(
        small,
        fc.constantFrom(path('n1'), path('n2'), lit(0), lit(1), lit(2), lit(2.5), lit(null)),
        fc
          .tuple(fc.constantFrom('+', '-', '*', '/' as const), num, num)
          .map(([op, left, right]): Expr => ({ kind: 'arithmetic', op, left, right, pos: 0 })),
        num.map((operand): Expr => ({ kind: 'negate', operand, pos: 0 })),
        str.map((s) => call('length', s)),
        choose(num),
        coalesce(num),
      ),
      str: fc.oneof(
        small,
        fc.oneof(fc.constantFrom(path('s1'), path('s2')), textValue.map(lit)),
        str.map((s) => call('trim', s)),
        fc.array(str, { minLength: 1, maxLength: 3 }).map((args) => call('concat', ...args)),
        fc
          .tuple(str, fc.integer({ min: -1, max: 3 }))
          .map(([s, n]) => call('left', s, n < 0 ? { kind: 'negate', operand: lit(1), pos: 0 } : lit(n))),
        fc
          .tuple(str, textOf(TEXT_ALPHABET, 1), textOf(TEXT_ALPHABET, 2))
          .map(([s, a, b]) => call('replace', s, lit(a), lit(b))),
        choose(str),
        coalesce(str),
      ),
      date: fc.oneof(
        small,
        fc.constantFrom(
          path('d1'),
          path('d2'),
          call('now'),
          call('today'),
          call('date', lit(2025), lit(3), lit(9)),
        ),
        fc
          .tuple(date, fc.integer({ min: 0, max: 3 }), fc.boolean())
          .map(([d, n, back]) =>
            call('add_days', d, back ? { kind: 'negate', operand: lit(n), pos: 0 } : lit(n)),
          ),
        date.map((d) => call('end_of_day', d)),
        fc
          .tuple(
            date,
            fc.constantFrom('+', '-' as const),
            fc.integer({ min: 0, max: 36 }),
            fc.constantFrom('h', 'd' as const),
          )
          .map(
            ([left, op, amount, unit]): Expr => ({
              kind: 'arithmetic',
              op,
              left,
              right: { kind: 'duration', amount, unit, pos: 0 },
              pos: 0,
            }),
          ),
        choose(date),
        coalesce(date),
      ),
    };
  },
).bool;
