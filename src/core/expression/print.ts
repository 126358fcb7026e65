import type { Expr, NodeOf } from './ast.ts';
import { IDENTIFIER, isKeyword } from './lexer.ts';

// Binding strength of each kind, lowest first; the parser has one method per level in the same order.
const PRECEDENCE: { [K in Expr['kind']]: number | ((node: NodeOf<K>) => number) } = {
  coalesce: 1,
  logical: (node) => (node.op === 'or' ? 2 : 3),
  not: 4,
  compare: 5,
  isNull: 5,
  in: 5,
  like: 5,
  arithmetic: (node) => (node.op === '+' || node.op === '-' ? 6 : 7),
  negate: 8,
  literal: 9,
  duration: 9,
  path: 9,
  call: 9,
  aggregate: 9,
};
const OPERAND_OF_COMPARISON = 6;
const ANY = 1;

function precedence(expr: Expr): number {
  const p = PRECEDENCE[expr.kind] as number | ((node: Expr) => number);
  return typeof p === 'number' ? p : p(expr);
}

/** Prints `expr`, in parentheses when it binds more loosely than `min` requires. */
function at(expr: Expr, min: number): string {
  const text = print(expr);
  return precedence(expr) < min ? `(${text})` : text;
}

/** A field name as written in an expression: bare when it can be, otherwise "double-quoted". */
export function printName(name: string): string {
  return IDENTIFIER.test(name) && !isKeyword(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A text value as a single-quoted literal. */
export function printString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

type Printers = { [K in Expr['kind']]: (node: NodeOf<K>) => string };

const PRINTERS: Printers = {
  literal: (node) =>
    // Stryker disable next-line ConditionalExpression: String(null) is 'null' as well
    node.value === null
      ? 'null'
      : typeof node.value === 'string'
        ? printString(node.value)
        : String(node.value),
  duration: (node) => `${node.amount}${node.unit}`,
  path: (node) => node.segments.map(printName).join('.'),
  negate: (node) => `-${at(node.operand, 8)}`,
  not: (node) => `not ${at(node.operand, 4)}`,
  // Left-associative: a right operand of the same level needs parentheses, a left one does not.
  logical: (node) => {
    const p = precedence(node);
    return `${at(node.left, p)} ${node.op} ${at(node.right, p + 1)}`;
  },
  coalesce: (node) => `${at(node.left, 1)} ?? ${at(node.right, 2)}`,
  arithmetic: (node) => {
    const p = precedence(node);
    return `${at(node.left, p)} ${node.op} ${at(node.right, p + 1)}`;
  },
  compare: (node) =>
    `${at(node.left, OPERAND_OF_COMPARISON)} ${node.op} ${at(node.right, OPERAND_OF_COMPARISON)}`,
  isNull: (node) => `${at(node.operand, OPERAND_OF_COMPARISON)} is ${node.negated ? 'not ' : ''}null`,
  in: (node) =>
    `${at(node.operand, OPERAND_OF_COMPARISON)} ${node.negated ? 'not in' : 'in'} (${node.list.map((e) => at(e, ANY)).join(', ')})`,
  like: (node) =>
    `${at(node.operand, OPERAND_OF_COMPARISON)} ${node.negated ? 'not like' : 'like'} ${at(node.pattern, OPERAND_OF_COMPARISON)}`,
  call: (node) => `${node.name}(${node.args.map((e) => at(e, ANY)).join(', ')})`,
  aggregate: (node) =>
    `${node.fn}(${node.relation.map(printName).join('.')}${node.where ? ` where ${at(node.where, ANY)}` : ''})`,
};

/**
 * Canonical text of an expression: lower-case keywords, `!=`, single spaces, parentheses only where
 * needed. `parseExpression(print(e))` gives `e` back (positions aside).
 * @example print(parseExpression("A=1 AND (b<>'x')")) // "A = 1 and b != 'x'"
 */
export function print(expr: Expr): string {
  return (PRINTERS[expr.kind] as (node: Expr) => string)(expr);
}
