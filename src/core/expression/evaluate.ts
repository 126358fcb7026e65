import type { Expr, NodeOf } from './ast.ts';
import { DURATION_UNIT_MS } from './ast.ts';
import { resolveCall } from './check.ts';
import { likeMatches } from './like.ts';
import {
  and3,
  compareValues,
  Duration,
  normalize,
  not3,
  or3,
  toBool,
  toDate,
  toNumber,
  toText,
} from './values.ts';

/** `job.last_success`, `job.last_run`: start times of the task's last successful and last finished run. */
export interface JobScope {
  readonly last_success: Date | null;
  readonly last_run: Date | null;
}

/**
 * `link.*`: the record's sync link for the current target, snake_case as written in expressions.
 * Null (`link is null`) when the record was never synced there successfully.
 */
export interface LinkView {
  readonly external_id: string | null;
  readonly external_number?: unknown;
  readonly last_sync: Date | null;
  readonly last_success: Date | null;
  readonly status: string;
  readonly remark: string | null;
}

/** What an expression is evaluated against. `now` is injected: evaluation never reads the clock. */
export interface EvalScope {
  readonly record: Readonly<Record<string, unknown>>;
  readonly now: Date;
  /** Task parameters, read by `param('name')`. */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  readonly job?: JobScope | undefined;
  /** The record's link for the current target; absent or null: not linked. */
  readonly link?: LinkView | null | undefined;
}

type Evaluators = { [K in Expr['kind']]: (node: NodeOf<K>, scope: EvalScope) => unknown };

/**
 * Evaluates an expression with SQL semantics (null propagates; three-valued logic).
 * Throws ExpressionError only for an unknown function or wrong argument count (see checkExpression).
 */
export function evaluate(expr: Expr, scope: EvalScope): unknown {
  return (EVALUATORS[expr.kind] as (node: Expr, scope: EvalScope) => unknown)(expr, scope);
}

/** True only when the expression is exactly true (1 counts as true): null and false both reject a record. */
export function matches(expr: Expr, scope: EvalScope): boolean {
  return toBool(evaluate(expr, scope)) === true;
}

/** Reads `a.b.c` through nested plain objects, falling back to a flat key `'a.b.c'`. */
export function resolvePath(record: Readonly<Record<string, unknown>>, segments: readonly string[]): unknown {
  let current: unknown = record;
  for (const segment of segments) {
    // Own properties of plain objects only: `constructor` or `__proto__` must not reach the prototype.
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) {
      current = undefined;
      break;
    }
    current = current[segment];
  }
  if (current === undefined && segments.length > 1) {
    const flat = segments.join('.');
    if (Object.hasOwn(record, flat)) current = record[flat];
  }
  return normalize(current);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Date ± duration, duration ± duration, or numbers; anything else is null. */
function arithmetic(op: NodeOf<'arithmetic'>['op'], a: unknown, b: unknown): unknown {
  if (a instanceof Duration || b instanceof Duration) return durationArithmetic(op, a, b);
  const left = toNumber(a);
  const right = toNumber(b);
  if (left === null || right === null) return null;
  const result =
    op === '+'
      ? left + right
      : op === '-'
        ? left - right
        : op === '*'
          ? left * right
          : right === 0
            ? null
            : left / right;
  return result !== null && Number.isFinite(result) ? result : null;
}

function durationArithmetic(op: string, a: unknown, b: unknown): unknown {
  if (a instanceof Duration && b instanceof Duration) {
    if (op === '+') return new Duration(a.ms + b.ms);
    if (op === '-') return new Duration(a.ms - b.ms);
    return null;
  }
  const [value, duration] = b instanceof Duration ? [a, b] : [b, a as Duration];
  // `7d - now()` has no meaning; `now() - 7d`, `now() + 7d` and `7d + now()` do.
  if (op === '-' && a instanceof Duration) return null;
  if (op !== '+' && op !== '-') return null;
  const date = toDate(value);
  if (!date) return null;
  const shifted = new Date(date.getTime() + (op === '-' ? -duration.ms : duration.ms));
  return Number.isNaN(shifted.getTime()) ? null : shifted;
}

const COMPARISONS: Record<NodeOf<'compare'>['op'], (c: number) => boolean> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

const EVALUATORS: Evaluators = {
  literal: (node) => node.value,
  duration: (node) => new Duration(node.amount * DURATION_UNIT_MS[node.unit]),
  path: (node, scope) => {
    const [root, ...rest] = node.segments;
    if (root === 'job' && rest.length) return resolvePath((scope.job ?? {}) as Record<string, unknown>, rest);
    if (root === 'link') {
      if (!scope.link) return null;
      return rest.length ? resolvePath(scope.link as unknown as Record<string, unknown>, rest) : scope.link;
    }
    return resolvePath(scope.record, node.segments);
  },
  negate: (node, scope) => {
    const value = evaluate(node.operand, scope);
    if (value instanceof Duration) return new Duration(-value.ms);
    const n = toNumber(value);
    return n === null ? null : -n;
  },
  not: (node, scope) => not3(toBool(evaluate(node.operand, scope))),
  logical: (node, scope) => {
    const left = toBool(evaluate(node.left, scope));
    // Short-circuit only where SQL's answer is already fixed.
    if (node.op === 'and' && left === false) return false;
    if (node.op === 'or' && left === true) return true;
    const right = toBool(evaluate(node.right, scope));
    return node.op === 'and' ? and3(left, right) : or3(left, right);
  },
  coalesce: (node, scope) => {
    const left = normalize(evaluate(node.left, scope));
    return left !== null ? left : normalize(evaluate(node.right, scope));
  },
  compare: (node, scope) => {
    const c = compareValues(evaluate(node.left, scope), evaluate(node.right, scope));
    return c === null ? null : COMPARISONS[node.op](c);
  },
  arithmetic: (node, scope) => arithmetic(node.op, evaluate(node.left, scope), evaluate(node.right, scope)),
  isNull: (node, scope) => (normalize(evaluate(node.operand, scope)) === null) !== node.negated,
  in: (node, scope) => {
    const value = evaluate(node.operand, scope);
    // SQL defines `x in (a, b)` as `x = a or x = b`, which fixes how nulls in the list behave.
    let found: boolean | null = false;
    for (const item of node.list) {
      const c = compareValues(value, evaluate(item, scope));
      found = or3(found, c === null ? null : c === 0);
      if (found === true) break;
    }
    return node.negated ? not3(found) : found;
  },
  like: (node, scope) => {
    const operand = evaluate(node.operand, scope);
    const pattern = evaluate(node.pattern, scope);
    // Booleans are 1/0 in SQLite and true/false elsewhere, so their text is not comparable: unknown.
    const text = typeof operand === 'boolean' ? null : toText(operand);
    const glob = typeof pattern === 'boolean' ? null : toText(pattern);
    if (text === null || glob === null) return null;
    return likeMatches(text, glob) !== node.negated;
  },
  call: (node, scope) => {
    const spec = resolveCall(node.name, node.args.length, node.pos);
    const args = node.args.map((arg) => normalize(evaluate(arg, scope)));
    return normalize(spec.evaluate(args, scope));
  },
  aggregate: (node, scope) => {
    let count = 0;
    for (const item of relatedRecords(scope.record, node.relation)) {
      if (!node.where || matches(node.where, { ...scope, record: item })) count++;
    }
    return node.fn === 'count' ? count : count > 0;
  },
};

/**
 * The related records along a relation path: to-many relations are arrays, to-one relations objects;
 * a path through several relations collects every record at its end. A relation that is not there counts
 * as none, as the SQL form (a correlated COUNT) sees it.
 */
export function relatedRecords(
  record: Readonly<Record<string, unknown>>,
  relation: readonly string[],
): Record<string, unknown>[] {
  let current: Record<string, unknown>[] = [record as Record<string, unknown>];
  for (const segment of relation) {
    const next: Record<string, unknown>[] = [];
    for (const r of current) {
      const value = Object.hasOwn(r, segment) ? r[segment] : undefined;
      if (Array.isArray(value)) for (const v of value) if (isPlainObject(v)) next.push(v);
      if (isPlainObject(value)) next.push(value);
    }
    current = next;
  }
  return current;
}
