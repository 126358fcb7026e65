import type { Expr } from '../../core/expression/ast.ts';
import { compileToSql, type SqlCompileOptions, type SqlFragment } from '../../core/expression/index.ts';

/** The top-level `and` terms of a filter: `a and (b and c)` gives a, b, c. */
export function conjuncts(expr: Expr): Expr[] {
  if (expr.kind === 'logical' && expr.op === 'and')
    return [...conjuncts(expr.left), ...conjuncts(expr.right)];
  return [expr];
}

/**
 * Pushes down what it can: the terms of a top-level `and` that compile to SQL, ANDed (each narrows the
 * rows the whole filter can accept, so leaving some to memory stays exact). `complete` is true when every
 * term compiled, so the engine need not evaluate the filter again.
 */
export function splitFilter(
  filter: Expr,
  options: SqlCompileOptions,
): { fragment: SqlFragment | null; rest: Expr | null } {
  const whole = compileToSql(filter, options);
  if (whole) return { fragment: whole, rest: null };
  const parts: SqlFragment['parts'] = [];
  const left: Expr[] = [];
  for (const term of conjuncts(filter)) {
    const compiled = compileToSql(term, options);
    if (!compiled) {
      left.push(term);
      continue;
    }
    parts.push(...(parts.length ? [' AND '] : []), ...compiled.parts);
  }
  const rest = left.reduce((a, b): Expr => ({ kind: 'logical', op: 'and', left: a, right: b, pos: a.pos }));
  return { fragment: parts.length ? { parts: ['(', ...parts, ')'] } : null, rest };
}
