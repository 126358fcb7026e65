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
export { type EvalScope, evaluate, matches, resolvePath } from './evaluate.ts';
export { FUNCTIONS, type FunctionContext, type FunctionSpec, findFunction } from './functions.ts';
export { MAX_DEPTH, MAX_NESTING, parseExpression } from './parser.ts';
export { print } from './print.ts';
export type { SqlDialect, SqlFragment, SqlPart } from './sql-parts.ts';
export { compileToSql, type SqlCompileOptions } from './to-sql.ts';
export { Duration } from './values.ts';
export { type JobScope, type LinkView, relatedRecords } from './evaluate.ts';
export { type FieldType, type RelationDescription, type SchemaObject, type SourceSchema, relationOf, schemaOf } from './schema.ts';
export type { SqlSchema, TableScope } from './sql-relations.ts';
export { type ExprType, typeCheck, type TypeCheckContext } from './type-check.ts';
export { expressionPaths } from './paths.ts';
