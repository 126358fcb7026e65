import { childrenOf, type Expr } from './ast.ts';

/**
 * Every source path an expression reads, dotted, relation prefixes of `count()`/`exists()` included
 * (`contracts.role_id`), `job.*` and `link.*` left out: what a connector must load for evaluating it in memory.
 */
export function expressionPaths(
  expr: Expr | null,
  prefix: readonly string[] = [],
  out = new Set<string>(),
): Set<string> {
  if (!expr) return out;
  if (expr.kind === 'path') {
    if (!(expr.segments[0] === 'link' || (expr.segments[0] === 'job' && expr.segments.length > 1)))
      out.add([...prefix, ...expr.segments].join('.'));
    return out;
  }
  if (expr.kind === 'aggregate') {
    const inner = [...prefix, ...expr.relation];
    out.add(inner.join('.'));
    expressionPaths(expr.where, inner, out);
    return out;
  }
  for (const child of childrenOf(expr)) expressionPaths(child, prefix, out);
  return out;
}
