import type { Expr, NodeOf } from './ast.ts';
import { type FieldType, type RelationDescription, relationOf, type SourceSchema } from './schema.ts';
import { type Compiled, join, type SqlPart, type SqlType, sqlOf } from './sql-parts.ts';

/** The schema the SQL compiler resolves paths against (the same shape the type checker reads). */
export type SqlSchema = SourceSchema;

/** The table unqualified paths refer to, and the name (table or alias) its columns are qualified with. */
export interface TableScope {
  readonly table: string;
  readonly alias: string;
}

/** The part of the compiler relation compilation needs. */
export interface RelationCompiler {
  alias(): string;
  within<T>(scope: TableScope, fn: () => T): T;
  compile(node: Expr): Compiled | null;
  condition(c: Compiled): SqlPart[] | null;
  /** What the dialect may rely on a column of this described type to hold. */
  columnType(type: FieldType): SqlType;
}

const ref = (alias: string, column: string): SqlPart => ({ identifier: `${alias}.${column}` });

/** Walks relation names from `table`; null when a segment is not a relation (or `onlyOne` and it is to-many). */
function walk(
  schema: SqlSchema,
  table: string,
  names: readonly string[],
  onlyOne: boolean,
): RelationDescription[] | null {
  const chain: RelationDescription[] = [];
  let current = table;
  for (const name of names) {
    const relation = relationOf(schema.object(current), name);
    if (!relation || (onlyOne && relation.kind !== 'one')) return null;
    chain.push(relation);
    current = relation.object;
  }
  return chain;
}

/**
 * `FROM t1 AS a1 JOIN t2 AS a2 ON … WHERE a1.to = outer.from` for a chain of relations, and the alias of
 * its last table: the body of a correlated subquery.
 */
function fromChain(
  chain: readonly RelationDescription[],
  outer: TableScope,
  c: RelationCompiler,
): { parts: SqlPart[]; last: string } {
  const first = chain[0] as RelationDescription;
  let alias = c.alias();
  const parts: SqlPart[] = [' FROM ', { identifier: first.object }, ' AS ', { identifier: alias }];
  const firstAlias = alias;
  for (const relation of chain.slice(1)) {
    const next = c.alias();
    parts.push(
      ' JOIN ',
      { identifier: relation.object },
      ' AS ',
      { identifier: next },
      ' ON ',
      ref(next, relation.to),
      ' = ',
      ref(alias, relation.from),
    );
    alias = next;
  }
  parts.push(' WHERE ', ref(firstAlias, first.to), ' = ', ref(outer.alias, first.from));
  return { parts, last: alias };
}

/**
 * A field path as SQL: a column of the scope's table, or a column reached through to-one relations as a
 * correlated scalar subquery (NULL when a related record is missing, as in memory). Null when the path
 * names no column (a JSON sub-field, a to-many relation): the engine evaluates it in memory.
 */
export function compileRelationPath(
  segments: readonly string[],
  scope: TableScope,
  schema: SqlSchema,
  c: RelationCompiler,
  relationAsKey = false,
): Compiled | null {
  const chain = walk(schema, scope.table, segments.slice(0, -1), true);
  if (!chain) return null;
  const column = segments[segments.length - 1] as string;
  const table = chain.length ? (chain[chain.length - 1] as RelationDescription).object : scope.table;
  const field = schema.object(table)?.fields.find((f) => f.name === column);
  if (!field) {
    // `current_address is null`: a to-one relation is null exactly when its related key is.
    const relation = relationAsKey ? relationOf(schema.object(table), column) : undefined;
    if (relation?.kind !== 'one') return null;
    return compileRelationPath([...segments, relation.to], scope, schema, c);
  }
  const type = c.columnType(field.type);
  if (!chain.length) return { kind: 'sql', parts: [ref(scope.alias, column)], type };
  const body = fromChain(chain, scope, c);
  return sqlOf(type, '(SELECT ', [ref(body.last, column)], body.parts, ')');
}

/** `count(…)` as a correlated `(SELECT COUNT(*) …)`, `exists(…)` as `EXISTS (SELECT 1 …)`. */
export function compileAggregate(
  node: NodeOf<'aggregate'>,
  scope: TableScope,
  schema: SqlSchema,
  c: RelationCompiler,
): Compiled | null {
  const chain = walk(schema, scope.table, node.relation, false);
  if (!chain?.length) return null;
  const body = fromChain(chain, scope, c);
  let condition: SqlPart[] = [];
  if (node.where) {
    const where = node.where;
    const related = { table: (chain[chain.length - 1] as RelationDescription).object, alias: body.last };
    const compiled = c.within(related, () => c.compile(where));
    const parts = compiled && c.condition(compiled);
    if (!parts) return null;
    condition = join(' AND (', parts, ')');
  }
  return node.fn === 'count'
    ? sqlOf('number', '(SELECT COUNT(*)', body.parts, condition, ')')
    : sqlOf('number', '(EXISTS (SELECT 1', body.parts, condition, '))');
}
