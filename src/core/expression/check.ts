import { ExpressionError } from '../errors.ts';
import { childrenOf, type Expr } from './ast.ts';
import { FUNCTIONS, type FunctionSpec, findFunction } from './functions.ts';
import { parseExpression } from './parser.ts';

/** Throws ExpressionError (with `details.position`) for an unknown function or a wrong number of arguments. */
export function checkExpression(expr: Expr): void {
  const stack: Expr[] = [expr];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.kind === 'call') resolveCall(node.name, node.args.length, node.pos);
    stack.push(...childrenOf(node));
  }
}

/** Parses and checks an expression: the one call for validating a filter or formula a user typed. */
export function prepareExpression(source: string): Expr {
  const expr = parseExpression(source);
  checkExpression(expr);
  return expr;
}

/** The function for a call, or ExpressionError at `position` naming what is wrong. */
export function resolveCall(name: string, argCount: number, position: number): FunctionSpec {
  const spec = findFunction(name);
  if (!spec) {
    const known = [...FUNCTIONS.keys()].join(', ');
    throw new ExpressionError(
      `unknown function '${name}' at position ${position} (known functions: ${known})`,
      {
        details: { position, function: name },
      },
    );
  }
  if (argCount < spec.minArgs || argCount > spec.maxArgs) {
    const expected =
      spec.minArgs === spec.maxArgs
        ? `${spec.minArgs}`
        : // Stryker disable next-line ConditionalExpression: no function yet has a finite range of argument counts
          spec.maxArgs === Number.POSITIVE_INFINITY
          ? `at least ${spec.minArgs}`
          : // Stryker disable next-line StringLiteral: no function yet has a finite range of argument counts
            `${spec.minArgs} to ${spec.maxArgs}`;
    const plural = expected === '1' ? '' : 's';
    throw new ExpressionError(
      `${name}() takes ${expected} argument${plural} but got ${argCount} at position ${position}: ${spec.doc}`,
      { details: { position, function: name } },
    );
  }
  return spec;
}
