/**
 * Junction's expression language: filters (which source records are synced) and field formulas.
 * @example
 *   const expr = prepareExpression("status = 'active' and modified_at > now() - 7d");
 *   matches(expr, { record, now });            // in memory
 *   compileToSql(expr, { dialect, column, now }); // or pushed down to the source database
 */
export type * from './ast.ts';
export { childrenOf, depthOf } from './ast.ts';
export { checkExpression, prepareExpression } from './check.ts';
export {
  type EvalScope,
  evaluate,
  type JobScope,
  type LinkView,
  matches,
  relatedRecords,
  resolvePath,
} from './evaluate.ts';
export { FUNCTIONS, type FunctionContext, type FunctionSpec, findFunction } from './functions.ts';
export { MAX_DEPTH, MAX_NESTING, parseExpression } from './parser.ts';
export { expressionPaths } from './paths.ts';
export { print } from './print.ts';
export {
  type FieldType,
  type RelationDescription,
  relationOf,
  type SchemaObject,
  type SourceSchema,
  schemaOf,
} from './schema.ts';
export type { SqlDialect, SqlFragment, SqlPart } from './sql-parts.ts';
export type { SqlSchema, TableScope } from './sql-relations.ts';
export { compileToSql, type SqlCompileOptions } from './to-sql.ts';
export { type ExprType, type TypeCheckContext, typeCheck } from './type-check.ts';
export { Duration } from './values.ts';
