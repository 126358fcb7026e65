import { childrenOf, type Expr, type NodeOf } from './ast.ts';
import { checkExpression } from './check.ts';
import { evaluate, type JobScope } from './evaluate.ts';
import { likePatternText } from './like.ts';
import type { FieldType } from './schema.ts';
import { SQL_FORMS } from './sql-functions.ts';
import {
  bind,
  type Compiled,
  isDate,
  isNumber,
  join,
  mysqlBinary,
  mysqlText,
  partsOf,
  type SqlDialect,
  type SqlFragment,
  type SqlPart,
  type SqlType,
  shiftDate,
  sqliteCanonicalDate,
  sqlOf,
} from './sql-parts.ts';
import { compileAggregate, compileRelationPath, type SqlSchema, type TableScope } from './sql-relations.ts';
import { Duration, parseIsoDate, toBool, toText } from './values.ts';

/** How to compile: the database, the column behind each field path (null: not a column), the run's time. */
export interface SqlCompileOptions {
  readonly dialect: SqlDialect;
  /** The column of a one-segment path, when no `schema` is given (null: not a column). */
  column?(path: string): string | null;
  /** Bound for `now()` and `today()`, so SQL and in-memory evaluation agree to the millisecond. */
  readonly now: Date;
  /** Task parameters for `param()`, bound as values. */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** `job.last_success`, `job.last_run`, bound as values. */
  readonly job?: JobScope | undefined;
  /**
   * Tables, columns and foreign-key relations of the source database: with it, paths through to-one
   * relations become correlated subqueries and `count()`/`exists()` correlated COUNT/EXISTS. `table` is
   * the table the WHERE clause filters; its columns are qualified by its name.
   */
  readonly schema?: SqlSchema | undefined;
  readonly table?: string | undefined;
}

/**
 * Compiles a filter to parameterised SQL for a WHERE clause, selecting exactly the rows `matches()`
 * accepts. Returns null when any part has no exact SQL form (a field that is not a column, a function
 * without one), so the caller filters in memory instead. Values are always bound, never spliced into text.
 * Throws ExpressionError for an unknown function or wrong argument count.
 * @example compileToSql(parseExpression("status = 'active'"), { dialect: 'sqlite', column: (p) => p, now })
 *   // { parts: ['(', { identifier: 'status' }, ' = ', { value: 'active' }, ')'] }
 */
export function compileToSql(expr: Expr, options: SqlCompileOptions): SqlFragment | null {
  checkExpression(expr);
  const compiler = new Compiler(options, recordDependent(expr));
  const result = compiler.compile(expr);
  if (!result) return null;
  if (result.kind === 'const') return { parts: bind(toBool(result.value) === true, options.dialect) ?? [] };
  return { parts: [...result.parts] };
}

/** The nodes whose value depends on the record; every other subtree is folded into a constant. */
function recordDependent(expr: Expr): Set<Expr> {
  const dependent = new Set<Expr>();
  const visit = (node: Expr): boolean => {
    // `job.*` is the same for every record (bound); `link.*` differs per record.
    let depends =
      (node.kind === 'path' && !(node.segments[0] === 'job' && node.segments.length > 1)) ||
      node.kind === 'aggregate';
    for (const child of childrenOf(node)) if (visit(child)) depends = true;
    if (depends) dependent.add(node);
    return depends;
  };
  visit(expr);
  return dependent;
}

type Compilers = { [K in Expr['kind']]: (node: NodeOf<K>, c: Compiler) => Compiled | null };

class Compiler {
  /** The table whose fields unqualified paths name: the filtered table, or the related table inside `where`. */
  scope: TableScope | null;
  private aliases = 0;

  constructor(
    readonly options: SqlCompileOptions,
    private readonly dependent: Set<Expr>,
  ) {
    this.scope = options.schema && options.table ? { table: options.table, alias: options.table } : null;
  }

  /** A fresh table alias for a subquery (`jx1`, `jx2`, …). */
  alias(): string {
    this.aliases++;
    return `jx${this.aliases}`;
  }

  /** Compiles `node` with `scope` as the table of unqualified paths. */
  within<T>(scope: TableScope, fn: () => T): T {
    const outer = this.scope;
    this.scope = scope;
    try {
      return fn();
    } finally {
      this.scope = outer;
    }
  }

  get dialect(): SqlDialect {
    return this.options.dialect;
  }

  compile(node: Expr): Compiled | null {
    if (!this.dependent.has(node)) {
      const { now, params, job } = this.options;
      return { kind: 'const', value: evaluate(node, { record: {}, now, params, job }) };
    }
    return (COMPILERS[node.kind] as (node: Expr, c: Compiler) => Compiled | null)(node, this);
  }

  /** Compiles every node, or null when one fails. */
  compileAll(nodes: readonly Expr[]): Compiled[] | null {
    const out: Compiled[] = [];
    for (const node of nodes) {
      const c = this.compile(node);
      if (!c) return null;
      out.push(c);
    }
    return out;
  }

  parts(c: Compiled): SqlPart[] | null {
    return partsOf(c, this.dialect);
  }

  /** A truth value: constants are bound as the evaluator reads them (`'abc'` is unknown, not false). */
  condition(c: Compiled): SqlPart[] | null {
    return c.kind === 'const' ? bind(toBool(c.value), this.dialect) : [...c.parts];
  }

  /** What the dialect may rely on a column of this described type to hold. */
  columnType(type: FieldType): SqlType {
    if (type === 'string' || type === 'enum') return 'text';
    if (type === 'number' || type === 'boolean') return 'number';
    // MySQL's date columns hold dates; SQLite's may hold text of any format, PostgreSQL needs no hint.
    return (type === 'date' || type === 'datetime') && this.dialect === 'mysql' ? 'date' : 'any';
  }

  /**
   * How the two sides of a comparison are compared: on SQLite dates as canonical ISO text (by time); on
   * MySQL text as bytes (its collations ignore case, accents and trailing spaces; the evaluator does not),
   * unless a side is a number or a date, which MySQL compares as such.
   */
  comparison(left: Compiled, right: Compiled): 'plain' | 'sqlite-dates' | 'mysql-text' | 'mysql-dates' {
    const dates = isDate(left) || isDate(right);
    if (this.dialect === 'sqlite') return dates ? 'sqlite-dates' : 'plain';
    if (this.dialect !== 'mysql') return 'plain';
    if (dates) return 'mysql-dates';
    return isNumber(left) || isNumber(right) ? 'plain' : 'mysql-text';
  }

  /** Both sides of a comparison, in the form `comparison()` chose. */
  comparable(left: Compiled, right: Compiled): [SqlPart[], SqlPart[]] | null {
    const form = this.comparison(left, right);
    const side = (c: Compiled): SqlPart[] | null => {
      if (form === 'sqlite-dates') return sqliteCanonicalDate(c);
      const parts = this.parts(c);
      if (form === 'mysql-text') return parts && mysqlBinary(parts);
      // ISO text against a date compares by time in memory: bound as the date it names (or NULL).
      if (form === 'mysql-dates' && c.kind === 'const' && typeof c.value === 'string')
        return bind(parseIsoDate(c.value), 'mysql');
      return parts;
    };
    const l = side(left);
    const r = side(right);
    return l && r ? [l, r] : null;
  }
}

/** A floating-point type for division. */
const FLOAT_TYPE: Record<SqlDialect, string> = {
  sqlite: 'REAL',
  postgres: 'double precision',
  mysql: 'DOUBLE',
};

const SQL_COMPARE: Record<NodeOf<'compare'>['op'], string> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

function binary(left: Compiled | null, right: Compiled | null): [Compiled, Compiled] | null {
  return left && right ? [left, right] : null;
}

const CONST_NULL: Compiled = { kind: 'const', value: null };
const isNullConst = (c: Compiled): boolean => c.kind === 'const' && c.value === null;

const COMPILERS: Compilers = {
  literal: (node) => ({ kind: 'const', value: node.value }),
  duration: () => null,
  path: (node, c) => {
    // The sync link lives in Junction's store, not in the source database: evaluated in memory.
    if (node.segments[0] === 'link') return null;
    if (c.scope && c.options.schema) return compileRelationPath(node.segments, c.scope, c.options.schema, c);
    const column = c.options.column?.(node.segments.join('.')) ?? null;
    return column === null ? null : { kind: 'sql', parts: [{ identifier: column }], type: 'any' };
  },
  aggregate: (node, c) => {
    if (!c.scope || !c.options.schema) return null;
    return compileAggregate(node, c.scope, c.options.schema, c);
  },
  negate: (node, c) => {
    const operand = c.compile(node.operand);
    if (!operand || isDate(operand)) return null;
    if (isNullConst(operand)) return CONST_NULL;
    const x = c.parts(operand);
    return x && sqlOf('number', '(-', x, ')');
  },
  not: (node, c) => {
    const operand = c.compile(node.operand);
    const x = operand && c.condition(operand);
    return x && sqlOf('any', '(NOT ', x, ')');
  },
  logical: (node, c) => {
    const pair = binary(c.compile(node.left), c.compile(node.right));
    const l = pair && c.condition(pair[0]);
    const r = pair && c.condition(pair[1]);
    return l && r && sqlOf('any', '(', l, node.op === 'and' ? ' AND ' : ' OR ', r, ')');
  },
  coalesce: (node, c) => {
    const pair = binary(c.compile(node.left), c.compile(node.right));
    return pair && (SQL_FORMS.coalesce?.(pair, c.dialect) ?? null);
  },
  compare: (node, c) => {
    const pair = binary(c.compile(node.left), c.compile(node.right));
    // A null side makes the comparison null; folding it spares PostgreSQL an untyped NULL.
    if (pair?.some(isNullConst)) return CONST_NULL;
    const sides = pair && c.comparable(...pair);
    return sides && sqlOf('any', '(', sides[0], ` ${SQL_COMPARE[node.op]} `, sides[1], ')');
  },
  arithmetic: (node, c) => {
    const pair = binary(c.compile(node.left), c.compile(node.right));
    if (!pair) return null;
    if (pair.some(isNullConst)) return CONST_NULL;
    const [left, right] = pair;
    const durationLeft = left.kind === 'const' && left.value instanceof Duration;
    const durationRight = right.kind === 'const' && right.value instanceof Duration;
    if (durationLeft || durationRight) {
      // date ± duration and duration + date; everything else with a duration is null in memory too.
      const [date, duration] = durationRight ? [left, right] : [right, left];
      if (date.kind !== 'sql' || node.op === '*' || node.op === '/' || (node.op === '-' && durationLeft))
        return null;
      const ms = (duration as { value: Duration }).value.ms;
      return shiftDate(date, node.op === '-' ? -ms : ms, c.dialect);
    }
    if (isDate(left) || isDate(right)) return null;
    const l = c.parts(left);
    const r = c.parts(right);
    if (!l || !r) return null;
    if (node.op !== '/') return sqlOf('number', '(', l, ` ${node.op} `, r, ')');
    // SQL divides integers as integers (MySQL as 4-digit decimals) and PostgreSQL fails on zero; the
    // evaluator does float division, null on zero.
    return sqlOf('number', '(CAST(', l, ` AS ${FLOAT_TYPE[c.dialect]}) / NULLIF(`, r, ', 0))');
  },
  isNull: (node, c) => {
    const path = node.operand.kind === 'path' && node.operand.segments[0] !== 'link' ? node.operand : null;
    const operand =
      path && c.scope && c.options.schema
        ? compileRelationPath(path.segments, c.scope, c.options.schema, c, true)
        : c.compile(node.operand);
    const x = operand && c.parts(operand);
    return x && sqlOf('any', '(', x, node.negated ? ' IS NOT NULL)' : ' IS NULL)');
  },
  in: (node, c) => {
    const operand = c.compile(node.operand);
    const items = operand && c.compileAll(node.list);
    if (!operand || !items) return null;
    if (items.some((item) => c.comparison(operand, item) !== 'plain')) {
      // Dates (SQLite) and text (MySQL) need their own comparison per item, so spell out what IN means:
      // x = a OR x = b.
      const terms: SqlPart[][] = [];
      for (const item of items) {
        const sides = c.comparable(operand, item);
        if (!sides) return null;
        terms.push(join('(', sides[0], ' = ', sides[1], ')'));
      }
      const any = join('(', ...terms.flatMap((t, i) => (i ? [' OR ', t] : [t])), ')');
      return node.negated ? sqlOf('any', '(NOT ', any, ')') : sqlOf('any', any);
    }
    const x = c.parts(operand);
    const list = items.map((i) => c.parts(i));
    if (!x || list.some((p) => p === null)) return null;
    const joined = (list as SqlPart[][]).flatMap((p, i) => (i ? [', ', ...p] : p));
    return sqlOf('any', '(', x, node.negated ? ' NOT IN (' : ' IN (', joined, '))');
  },
  like: (node, c) => {
    // LIKE ignores case anyway, and SQLite has no Unicode lower(): `lower(x) like 'abc%'` is `x like 'abc%'`.
    const inner = node.operand;
    const operandNode =
      c.dialect === 'sqlite' && inner.kind === 'call' && inner.name === 'lower' && inner.args.length === 1
        ? (inner.args[0] as Expr)
        : inner;
    const pair = binary(c.compile(operandNode), c.compile(node.pattern));
    if (!pair) return null;
    const [operand, pattern] = pair;
    if (operand.kind === 'const' && typeof operand.value === 'boolean') return null;
    const constant = pattern.kind === 'const' ? likePatternText(pattern.value) : null;
    if (pattern.kind === 'const' && constant === null) return null;
    const not = node.negated ? 'NOT ' : '';
    if (c.dialect === 'mysql') {
      // Both sides lower-cased and compared by code point: case-insensitive but accent-sensitive as in
      // memory (MySQL's own collations would take `a` for `ä`). A date would be text of another format.
      if (isDate(operand) || isDate(pattern)) return null;
      const text = (x: Compiled) => {
        const parts = x.kind === 'const' ? bind(toText(x.value), 'mysql') : x.parts;
        return parts && mysqlText(parts);
      };
      const x = text(operand);
      const p = pattern.kind === 'sql' ? text(pattern) : [{ value: constant }];
      return (
        x &&
        p &&
        sqlOf(
          'any',
          '(LOWER(',
          x,
          `) ${not}LIKE LOWER(`,
          p,
          ') COLLATE utf8mb4_bin ESCAPE ',
          [{ value: '\\' }],
          ')',
        )
      );
    }
    if (c.dialect === 'sqlite') {
      // SQLite's LIKE ignores case for ASCII letters only: other patterns are matched in memory.
      if (constant === null || [...constant].some((ch) => (ch.codePointAt(0) as number) > 0x7f)) return null;
      const x = c.parts(operand);
      return x && sqlOf('any', '(', x, ` ${not}LIKE `, [{ value: constant }], " ESCAPE '\\')");
    }
    const x =
      operand.kind === 'const'
        ? bind(toText(operand.value), 'postgres')
        : ['CAST(', ...operand.parts, ' AS text)'];
    const p = pattern.kind === 'sql' ? ['CAST(', ...pattern.parts, ' AS text)'] : [{ value: constant }];
    return x && sqlOf('any', '(', x, ` ${not}ILIKE `, p, ')');
  },
  call: (node, c) => {
    const form = SQL_FORMS[node.name];
    const args = form && c.compileAll(node.args);
    return args ? form(args, c.dialect) : null;
  },
};
