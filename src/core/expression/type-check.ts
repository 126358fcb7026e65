import { ExpressionError } from '../errors.ts';
import type { Expr, NodeOf } from './ast.ts';
import { resolveCall } from './check.ts';
import { type FieldType, relationOf, type SchemaObject, type SourceSchema } from './schema.ts';

/** The static type of an expression; `any` is unknown (JSON fields, parameters) and fits everywhere. */
export type ExprType = 'text' | 'number' | 'boolean' | 'date' | 'duration' | 'null' | 'any' | 'link';

/** What an expression is checked against: the source object its paths start from. */
export interface TypeCheckContext {
  readonly schema: SourceSchema;
  readonly object: string;
}

const FIELD_TYPES: Record<FieldType, ExprType> = {
  string: 'text',
  enum: 'text',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'date',
  json: 'any',
};

const JOB_FIELDS: Record<string, ExprType> = { last_success: 'date', last_run: 'date' };
const LINK_FIELDS: Record<string, ExprType> = {
  external_id: 'text',
  external_number: 'any',
  last_sync: 'date',
  last_success: 'date',
  status: 'text',
  remark: 'text',
};

function fail(pos: number, message: string, extra: Record<string, unknown> = {}): never {
  throw new ExpressionError(`${message} at position ${pos}`, { details: { position: pos, ...extra } });
}

/** Pairs of types no comparison between can ever be true (the evaluator gives null). */
function comparable(a: ExprType, b: ExprType): boolean {
  if (a === 'any' || b === 'any' || a === 'null' || b === 'null' || a === b) return true;
  if (a === 'duration' || b === 'duration' || a === 'link' || b === 'link') return false;
  const pair = new Set([a, b]);
  // Text compares with numbers (numeric text) and dates (ISO text); booleans compare with numbers (1/0).
  return (
    !(pair.has('date') && (pair.has('number') || pair.has('boolean'))) &&
    !(pair.has('boolean') && pair.has('text'))
  );
}

function expect(node: Expr, type: ExprType, allowed: readonly ExprType[], what: string): void {
  if (type === 'any' || type === 'null' || allowed.includes(type)) return;
  fail(node.pos, `${what} must be ${allowed.join(' or ')}, not ${type}`, { type });
}

/** Unifies the types of two branches (`if`, `??`). */
function unify(a: ExprType, b: ExprType, pos: number): ExprType {
  if (a === 'null') return b;
  if (b === 'null' || a === b) return a;
  if (a === 'any' || b === 'any') return 'any';
  if (!comparable(a, b)) fail(pos, `the alternatives are of different types (${a} and ${b})`);
  return 'any';
}

class Checker {
  constructor(private readonly schema: SourceSchema) {}

  check(node: Expr, object: SchemaObject): ExprType {
    return (RULES[node.kind] as (n: Expr, c: Checker, o: SchemaObject) => ExprType)(node, this, object);
  }

  objectOf(name: string, pos: number): SchemaObject {
    const found = this.schema.object(name);
    if (!found) fail(pos, `unknown object '${name}'`);
    return found;
  }

  path(node: NodeOf<'path'>, object: SchemaObject): ExprType {
    const [root, ...rest] = node.segments as [string, ...string[]];
    if (root === 'job' && rest.length) return scoped(node, 'job', JOB_FIELDS, rest);
    if (root === 'link') return rest.length ? scoped(node, 'link', LINK_FIELDS, rest) : 'link';
    let current = object;
    for (const [i, segment] of node.segments.entries()) {
      const last = i === node.segments.length - 1;
      const relation = relationOf(current, segment);
      if (relation && !last) {
        if (relation.kind === 'many') {
          fail(
            node.pos,
            `'${node.segments.slice(0, i + 1).join('.')}' is a list of ${relation.object}: use count() or exists()`,
          );
        }
        current = this.objectOf(relation.object, node.pos);
        continue;
      }
      const field = current.fields.find((f) => f.name === segment);
      // A to-one relation itself is only good for `is null` (the record has none).
      if (!field && last && relation?.kind === 'one') return 'link';
      if (!field) {
        const known = [...current.fields.map((f) => f.name), ...(current.relations ?? []).map((r) => r.name)];
        fail(
          node.pos,
          `unknown field '${segment}' of ${current.name}${known.length ? ` (known: ${known.slice(0, 30).join(', ')})` : ''}`,
          { field: node.segments.join('.'), object: current.name },
        );
      }
      // Below a JSON field the structure is unknown.
      if (!last)
        return field.type === 'json'
          ? 'any'
          : fail(node.pos, `'${segment}' of ${current.name} is no relation`);
      return FIELD_TYPES[field.type];
    }
    return 'any';
  }
}

function scoped(
  node: NodeOf<'path'>,
  root: string,
  fields: Record<string, ExprType>,
  rest: string[],
): ExprType {
  const type = rest.length === 1 ? fields[rest[0] as string] : undefined;
  if (!type)
    fail(
      node.pos,
      `unknown field '${root}.${rest.join('.')}' (known: ${Object.keys(fields)
        .map((f) => `${root}.${f}`)
        .join(', ')})`,
    );
  return type;
}

type Rules = { [K in Expr['kind']]: (node: NodeOf<K>, c: Checker, object: SchemaObject) => ExprType };

const CONDITION: readonly ExprType[] = ['boolean', 'number'];
const DATE_FUNCTIONS = new Set(['end_of_day', 'add_days']);
const TEXT_RESULT = new Set(['lower', 'upper', 'trim', 'concat', 'left', 'replace']);

const RULES: Rules = {
  literal: (node) =>
    node.value === null
      ? 'null'
      : typeof node.value === 'string'
        ? 'text'
        : typeof node.value === 'number'
          ? 'number'
          : 'boolean',
  duration: () => 'duration',
  path: (node, c, o) => c.path(node, o),
  negate: (node, c, o) => {
    const t = c.check(node.operand, o);
    expect(node.operand, t, ['number', 'duration'], "the operand of '-'");
    return t;
  },
  not: (node, c, o) => {
    expect(node.operand, c.check(node.operand, o), CONDITION, "the operand of 'not'");
    return 'boolean';
  },
  logical: (node, c, o) => {
    expect(node.left, c.check(node.left, o), CONDITION, `the left side of '${node.op}'`);
    expect(node.right, c.check(node.right, o), CONDITION, `the right side of '${node.op}'`);
    return 'boolean';
  },
  coalesce: (node, c, o) => unify(c.check(node.left, o), c.check(node.right, o), node.right.pos),
  compare: (node, c, o) => {
    const l = c.check(node.left, o);
    const r = c.check(node.right, o);
    if (!comparable(l, r)) fail(node.pos, `cannot compare ${l} with ${r}`, { left: l, right: r });
    return 'boolean';
  },
  arithmetic: (node, c, o) => {
    const l = c.check(node.left, o);
    const r = c.check(node.right, o);
    if (l === 'date' || r === 'date') {
      if (
        (node.op === '+' || node.op === '-') &&
        (l === 'duration' || r === 'duration') &&
        !(node.op === '-' && l === 'duration')
      )
        return 'date';
      if (l !== 'any' && r !== 'any' && l !== 'null' && r !== 'null')
        fail(
          node.pos,
          `cannot compute ${l} ${node.op} ${r} (dates move by durations such as 7d, or add_days())`,
        );
      return 'date';
    }
    if (l === 'text' || r === 'text')
      fail(node.pos, `'${node.op}' needs numbers, not text (join text with concat())`);
    if (l === 'duration' && r === 'duration' && (node.op === '+' || node.op === '-')) return 'duration';
    expect(node.left, l, ['number'], `the left side of '${node.op}'`);
    expect(node.right, r, ['number'], `the right side of '${node.op}'`);
    return l === 'null' || r === 'null' ? 'null' : 'number';
  },
  isNull: (node, c, o) => {
    c.check(node.operand, o);
    return 'boolean';
  },
  in: (node, c, o) => {
    const t = c.check(node.operand, o);
    for (const item of node.list) {
      const i = c.check(item, o);
      if (!comparable(t, i)) fail(item.pos, `cannot compare ${t} with ${i}`);
    }
    return 'boolean';
  },
  like: (node, c, o) => {
    expect(node.operand, c.check(node.operand, o), ['text', 'number'], "the operand of 'like'");
    expect(node.pattern, c.check(node.pattern, o), ['text'], "the pattern of 'like'");
    return 'boolean';
  },
  call: (node, c, o) => {
    resolveCall(node.name, node.args.length, node.pos);
    const args = node.args.map((a) => c.check(a, o));
    const argAt = (i: number) => node.args[i] as Expr;
    switch (node.name) {
      case 'now':
      case 'today':
      case 'date':
        for (const [i, t] of args.entries()) expect(argAt(i), t, ['number'], `argument ${i + 1} of date()`);
        return 'date';
      case 'if':
        expect(argAt(0), args[0] as ExprType, CONDITION, 'the condition of if()');
        return unify(args[1] as ExprType, args[2] as ExprType, argAt(2).pos);
      case 'coalesce':
        return args.reduce((a, b, i) => unify(a, b, argAt(i).pos), 'null' as ExprType);
      case 'length':
        return 'number';
      case 'param':
        if (argAt(0).kind !== 'literal' || args[0] !== 'text')
          fail(argAt(0).pos, "param() takes the parameter's name as text, e.g. param('tenant')");
        return 'any';
    }
    if (DATE_FUNCTIONS.has(node.name)) {
      expect(argAt(0), args[0] as ExprType, ['date', 'text'], `the argument of ${node.name}()`);
      if (node.name === 'add_days')
        expect(argAt(1), args[1] as ExprType, ['number'], 'the day count of add_days()');
      return 'date';
    }
    if (TEXT_RESULT.has(node.name)) {
      if (node.name === 'left') expect(argAt(1), args[1] as ExprType, ['number'], 'the length of left()');
      return 'text';
    }
    return 'any';
  },
  aggregate: (node, c, o) => {
    let current = o;
    for (const [i, segment] of node.relation.entries()) {
      const relation = relationOf(current, segment);
      if (!relation) {
        const known = (current.relations ?? []).map((r) => r.name);
        fail(
          node.relationPos,
          `'${node.relation.slice(0, i + 1).join('.')}' is no relation of ${current.name}${known.length ? ` (relations: ${known.join(', ')})` : ''}`,
        );
      }
      current = c.objectOf(relation.object, node.relationPos);
    }
    if (node.where)
      expect(node.where, c.check(node.where, current), CONDITION, `the condition of ${node.fn}()`);
    return node.fn === 'count' ? 'number' : 'boolean';
  },
};

/**
 * Checks an expression against the source object it runs on: every path names a field (or a relation
 * of the schema), functions get arguments of fitting types, conditions are conditions. Throws
 * ExpressionError with `details.position` for the first problem; returns the expression's type.
 * @example typeCheck(parseExpression('count(contracts where role_id = 1) > 0'), { schema, object: 'addresses' })
 */
export function typeCheck(expr: Expr, context: TypeCheckContext): ExprType {
  const checker = new Checker(context.schema);
  return checker.check(expr, checker.objectOf(context.object, expr.pos));
}
