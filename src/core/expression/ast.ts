/**
 * The syntax tree of Junction's expression language (filters and field formulas).
 *
 * Every node is a plain object tagged by `kind` and carries `pos`, the 0-based offset in the source where
 * the node starts, so later stages (checks, evaluation, SQL) can point at the offending text. New
 * constructs (`count(relation where …)`, `exists(…)`, scoped paths such as `job.last_success`) are added as
 * new kinds; the evaluator, printer and SQL compiler dispatch through tables typed by `Expr['kind']`, so
 * the compiler lists every place a new kind must be handled.
 */

/** Fields shared by every node. */
export interface ExprNode {
  /** 0-based offset of the node's first character in the source. */
  readonly pos: number;
}

/** `'text'`, `42`, `3.5`, `true`, `false`, `null`. Numbers are finite and never negative (see NegateExpr). */
export interface LiteralExpr extends ExprNode {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
}

/** Units of duration literals: days, hours, minutes, seconds. */
export const DURATION_UNITS = ['d', 'h', 'm', 's'] as const;
/** One of DURATION_UNITS. */
export type DurationUnit = (typeof DURATION_UNITS)[number];
/** Milliseconds per duration unit. */
export const DURATION_UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
};

/** `7d`, `12h`, `30m`, `45s`: a length of time, for date arithmetic (`now() - 7d`). */
export interface DurationExpr extends ExprNode {
  readonly kind: 'duration';
  readonly amount: number;
  readonly unit: DurationUnit;
}

/** `email`, `address.city`, `"Odd Column"`: a value of the current record, by field path. */
export interface PathExpr extends ExprNode {
  readonly kind: 'path';
  readonly segments: readonly string[];
}

/** `-x`. */
export interface NegateExpr extends ExprNode {
  readonly kind: 'negate';
  readonly operand: Expr;
}

/** `not x` (three-valued: `not null` is null). */
export interface NotExpr extends ExprNode {
  readonly kind: 'not';
  readonly operand: Expr;
}

/** `a and b`, `a or b` (three-valued, as in SQL). */
export interface LogicalExpr extends ExprNode {
  readonly kind: 'logical';
  readonly op: 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
}

/** `a ?? b`: `a` unless it is null, else `b`. */
export interface CoalesceExpr extends ExprNode {
  readonly kind: 'coalesce';
  readonly left: Expr;
  readonly right: Expr;
}

/** Comparison operators; `<>` is read as `!=`. */
export const COMPARE_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;
/** One of COMPARE_OPS. */
export type CompareOp = (typeof COMPARE_OPS)[number];

/** `a = b`, `a < b`, …: null when either side is null. */
export interface CompareExpr extends ExprNode {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** Arithmetic operators. */
export const ARITHMETIC_OPS = ['+', '-', '*', '/'] as const;
/** One of ARITHMETIC_OPS. */
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];

/** `a + b`, `a - b`, `a * b`, `a / b`; also date ± duration. */
export interface ArithmeticExpr extends ExprNode {
  readonly kind: 'arithmetic';
  readonly op: ArithmeticOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `x is null`, `x is not null`. */
export interface IsNullExpr extends ExprNode {
  readonly kind: 'isNull';
  readonly operand: Expr;
  readonly negated: boolean;
}

/** `x in (a, b)`, `x not in (a, b)`: SQL semantics, so a null in the list can make the result null. */
export interface InExpr extends ExprNode {
  readonly kind: 'in';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

/** `x like '%@example.ch'`: case-insensitive, `%` any run, `_` one character, `\` escapes. */
export interface LikeExpr extends ExprNode {
  readonly kind: 'like';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly negated: boolean;
}

/** `lower(email)`, `if(c, a, b)`: a call of a function from the registry; `name` is lower-case. */
export interface CallExpr extends ExprNode {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
}

/**
 * `count(contracts where role_id = 1)`, `exists(addresses)`: how many related records (of a relation
 * path) satisfy the condition, or whether any does. Paths inside `where` name fields of the related
 * record; `job.*`, `param()` and `link.*` keep their meaning.
 */
export interface AggregateExpr extends ExprNode {
  readonly kind: 'aggregate';
  readonly fn: 'count' | 'exists';
  /** The relation path, e.g. `['contracts']` or `['person', 'addresses']`. */
  readonly relation: readonly string[];
  /** 0-based offset of the relation path. */
  readonly relationPos: number;
  readonly where: Expr | null;
}

/** Any expression node. */
export type Expr =
  | LiteralExpr
  | DurationExpr
  | PathExpr
  | NegateExpr
  | NotExpr
  | LogicalExpr
  | CoalesceExpr
  | CompareExpr
  | ArithmeticExpr
  | IsNullExpr
  | InExpr
  | LikeExpr
  | CallExpr
  | AggregateExpr;

/** The node type of a given kind, e.g. `NodeOf<'call'>` is CallExpr. */
export type NodeOf<K extends Expr['kind']> = Extract<Expr, { kind: K }>;

/** The direct sub-expressions of a node, in source order. */
export function childrenOf(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'literal':
    case 'duration':
    case 'path':
      return [];
    case 'negate':
    case 'not':
    case 'isNull':
      return [expr.operand];
    case 'logical':
    case 'coalesce':
    case 'compare':
    case 'arithmetic':
      return [expr.left, expr.right];
    case 'in':
      return [expr.operand, ...expr.list];
    case 'like':
      return [expr.operand, expr.pattern];
    case 'call':
      return expr.args;
    case 'aggregate':
      return expr.where ? [expr.where] : [];
  }
}

/** Record-scope roots with a meaning of their own: `job.last_success`, `link.external_id`. */
export const SCOPE_ROOTS = ['job', 'link'] as const;

/** Nesting depth of a tree (a leaf has depth 1), computed without recursion so any tree is safe. */
export function depthOf(expr: Expr): number {
  let max = 0;
  const stack: Array<[Expr, number]> = [[expr, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (depth > max) max = depth;
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return max;
}
