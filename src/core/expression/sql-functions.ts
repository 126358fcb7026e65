import { TRIM_CHARACTERS } from './functions.ts';
import {
  bind,
  type Compiled,
  isDate,
  join,
  mysqlText,
  partsOf,
  type SqlDialect,
  type SqlPart,
  type SqlType,
  shiftDate,
  sqliteDateInput,
  sqlOf,
} from './sql-parts.ts';
import { toBool, toNumber, toText } from './values.ts';

/**
 * The SQL form of a function: gets its compiled arguments (at least one is SQL, else the call was folded
 * into a constant) and returns SQL, or null when this form cannot match the evaluator exactly, in which
 * case the engine filters in memory instead.
 */
export type SqlForm = (args: readonly Compiled[], dialect: SqlDialect) => Compiled | null;

const DAY_MS = 86_400_000;
const CONST_NULL: Compiled = { kind: 'const', value: null };

/** Parts of every argument, or null when one has no SQL form. */
function allParts(args: readonly Compiled[], dialect: SqlDialect, typed = false): SqlPart[][] | null {
  const out: SqlPart[][] = [];
  for (const arg of args) {
    const parts = partsOf(arg, dialect, typed);
    if (!parts) return null;
    out.push(parts);
  }
  return out;
}

/**
 * An argument as text: constants converted as the evaluator converts them, SQL cast. MySQL writes dates
 * as text of its own format, not ISO-8601: no form there.
 */
function textArg(arg: Compiled, dialect: SqlDialect): SqlPart[] | null {
  if (dialect === 'mysql') {
    if (isDate(arg)) return null;
    const parts = partsOf(arg.kind === 'const' ? { kind: 'const', value: toText(arg.value) } : arg, dialect);
    return parts && mysqlText(parts);
  }
  if (arg.kind === 'const') return bind(toText(arg.value), dialect, true);
  return dialect === 'postgres' ? ['CAST(', ...arg.parts, ' AS text)'] : [...arg.parts];
}

/**
 * A function of one text argument, named per dialect (null: no form there, e.g. SQLite's ASCII-only
 * lower()); `type` is what it yields.
 */
function unaryText(names: Readonly<Record<SqlDialect, string | null>>, type: SqlType): SqlForm {
  return ([arg], dialect) => {
    const name = names[dialect];
    const x = name === null ? null : textArg(arg as Compiled, dialect);
    return x && sqlOf(type, `${name}(`, x, ')');
  };
}

/**
 * Result type of a choice between values: a date when every choice is a date or null. A mix of dates and
 * other values (null here) has no SQLite form: the evaluator compares each by its own kind at run time.
 */
function choiceType(args: readonly Compiled[], dialect: SqlDialect): SqlType | null {
  const relevant = args.filter((a) => !(a.kind === 'const' && a.value === null));
  const dates = relevant.filter(isDate).length;
  if (dates === relevant.length) return 'date';
  if (dates > 0) return dialect === 'postgres' ? 'any' : null;
  const types = new Set(relevant.map((a) => (a.kind === 'sql' ? a.type : typeof a.value)));
  if ([...types].every((t) => t === 'text' || t === 'string')) return 'text';
  return [...types].every((t) => t === 'number') ? 'number' : 'any';
}

/** MySQL: the characters `trim` removes, at either end, as a regular expression. */
const MYSQL_TRIM = `^[${TRIM_CHARACTERS}]+|[${TRIM_CHARACTERS}]+$`;

/** SQL forms by function name; a function missing here is evaluated in memory only. */
export const SQL_FORMS: Readonly<Record<string, SqlForm>> = {
  // SQLite's lower()/upper() change ASCII letters only; the evaluator changes all, so no SQLite form.
  lower: unaryText({ sqlite: null, postgres: 'lower', mysql: 'LOWER' }, 'text'),
  upper: unaryText({ sqlite: null, postgres: 'upper', mysql: 'UPPER' }, 'text'),
  length: unaryText({ sqlite: 'length', postgres: 'char_length', mysql: 'CHAR_LENGTH' }, 'number'),
  trim: ([arg], dialect) => {
    const x = textArg(arg as Compiled, dialect);
    // MySQL's TRIM() removes one string, not a set of characters.
    if (dialect === 'mysql')
      return x && sqlOf('text', 'REGEXP_REPLACE(', x, ', ', [{ value: MYSQL_TRIM }], ", '')");
    const chars = [{ value: TRIM_CHARACTERS }];
    return x && sqlOf('text', dialect === 'postgres' ? 'btrim(' : 'trim(', x, ', ', chars, ')');
  },
  coalesce: (all, dialect) => {
    // NULL arguments change nothing, and untyped ones trouble PostgreSQL's type inference.
    const args = all.filter((a) => !(a.kind === 'const' && a.value === null));
    if (args.length <= 1) return args[0] ?? CONST_NULL;
    const parts = allParts(args, dialect);
    const type = choiceType(args, dialect);
    if (!parts || !type) return null;
    return sqlOf(
      type,
      'COALESCE(',
      parts.flatMap((p, i) => (i ? [', ', ...p] : p)),
      ')',
    );
  },
  concat: (args, dialect) => {
    const pieces: SqlPart[] = [];
    // MySQL's `||` is OR (unless PIPES_AS_CONCAT): CONCAT() there.
    const [open, separator, close] = dialect === 'mysql' ? ['CONCAT(', ', ', ')'] : ['(', ' || ', ')'];
    for (const [i, arg] of args.entries()) {
      const text =
        arg.kind === 'const'
          ? bind(toText(arg.value) ?? '', dialect, true)
          : dialect === 'mysql'
            ? textArg(arg, dialect) && join('COALESCE(', textArg(arg, dialect) as SqlPart[], ", '')")
            : ['COALESCE(CAST(', ...arg.parts, dialect === 'postgres' ? " AS text), '')" : " AS TEXT), '')"];
      if (!text) return null;
      pieces.push(...(i ? [separator] : []), ...text);
    }
    return sqlOf('text', open, pieces, close);
  },
  left: ([text, count], dialect) => {
    // Only a constant length: the evaluator truncates and clamps it, which SQL would do differently.
    if (text?.kind !== 'sql' || count?.kind !== 'const') return null;
    const n = toNumber(count.value);
    if (n === null) return CONST_NULL;
    const k = [{ value: Math.max(0, Math.trunc(n)) }];
    const x = textArg(text, dialect);
    if (!x) return null;
    return dialect === 'sqlite'
      ? sqlOf('text', 'substr(', x, ', 1, ', k, ')')
      : sqlOf('text', 'left(', x, ', ', k, ')');
  },
  replace: (args, dialect) => {
    const parts = args.map((a) => textArg(a, dialect));
    if (parts.some((p) => p === null)) return null;
    const [x, search, replacement] = parts as SqlPart[][];
    // MySQL's REPLACE() matches case-sensitively whatever the collation, as the evaluator does.
    return sqlOf(
      'text',
      'replace(',
      x as SqlPart[],
      ', ',
      search as SqlPart[],
      ', ',
      replacement as SqlPart[],
      ')',
    );
  },
  add_days: ([date, days], dialect) => {
    if (date?.kind !== 'sql' || days?.kind !== 'const') return null;
    const n = toNumber(days.value);
    return n === null ? CONST_NULL : shiftDate(date, n * DAY_MS, dialect);
  },
  end_of_day: ([date], dialect) => {
    if (date?.kind !== 'sql') return null;
    if (dialect === 'sqlite')
      return sqlOf('date', "strftime('%Y-%m-%dT23:59:59.999Z', ", sqliteDateInput(date), ')');
    // The connector's MySQL sessions run in UTC, so DATE() is the UTC day.
    if (dialect === 'mysql')
      return sqlOf('date', 'CAST(CONCAT(DATE(', date.parts, "), ' 23:59:59.999') AS DATETIME(3))");
    return sqlOf(
      'date',
      "((date_trunc('day', ",
      date.parts,
      " AT TIME ZONE 'UTC') + interval '1 day' - interval '1 millisecond') AT TIME ZONE 'UTC')",
    );
  },
  if: ([condition, then, otherwise], dialect) => {
    if (!condition || !then || !otherwise) return null;
    // Two NULL branches would make PostgreSQL guess the type text; the result is null either way.
    if (
      then.kind === 'const' &&
      then.value === null &&
      otherwise.kind === 'const' &&
      otherwise.value === null
    )
      return CONST_NULL;
    const c =
      condition.kind === 'const' ? bind(toBool(condition.value), dialect, true) : [...condition.parts];
    const branches = allParts([then, otherwise], dialect, true);
    const type = choiceType([then, otherwise], dialect);
    if (!c || !branches || !type) return null;
    const [a, b] = branches as [SqlPart[], SqlPart[]];
    return sqlOf(type, '(CASE WHEN ', c, ' THEN ', a, ' ELSE ', b, ' END)');
  },
};
