import { normalize, toBool, toDate, toNumber, toText } from './values.ts';

/** What a function may read besides its arguments; `now` is injected so evaluation never reads the clock. */
export interface FunctionContext {
  readonly now: Date;
  /** Task parameters (`param('tenant')`). */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

/** One function of the expression language. */
export interface FunctionSpec {
  /** Lower-case name as written in expressions. */
  readonly name: string;
  /** Signature and purpose, for error messages and the editor's help. */
  readonly doc: string;
  readonly minArgs: number;
  /** `Infinity` for variadic functions. */
  readonly maxArgs: number;
  /** Computes the result; arguments are already evaluated and `undefined` is normalised to null. */
  evaluate(args: readonly unknown[], context: FunctionContext): unknown;
}

const DAY_MS = 86_400_000;
const TRIMMED = ' \t\n\r';

/** Wraps a text function so a null (or non-text) argument gives null. */
function onText(fn: (text: string) => unknown): (args: readonly unknown[]) => unknown {
  return ([value]) => {
    const text = toText(value);
    return text === null ? null : fn(text);
  };
}

/** Removes spaces, tabs and line breaks at both ends (the SQL forms trim exactly these characters). */
export function trimText(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && TRIMMED.includes(text[start] as string)) start++;
  while (end > start && TRIMMED.includes(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

/** The characters `trim` removes, for the SQL forms. */
export const TRIM_CHARACTERS = TRIMMED;

function utcMidnight(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function validDate(time: number): Date | null {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : date;
}

const SPECS: FunctionSpec[] = [
  {
    name: 'lower',
    doc: 'lower(text): text in lower case',
    minArgs: 1,
    maxArgs: 1,
    evaluate: onText((t) => t.toLowerCase()),
  },
  {
    name: 'upper',
    doc: 'upper(text): text in upper case',
    minArgs: 1,
    maxArgs: 1,
    evaluate: onText((t) => t.toUpperCase()),
  },
  {
    name: 'trim',
    doc: 'trim(text): text without leading and trailing spaces, tabs and line breaks',
    minArgs: 1,
    maxArgs: 1,
    evaluate: onText(trimText),
  },
  {
    name: 'length',
    doc: 'length(text): number of characters',
    minArgs: 1,
    maxArgs: 1,
    evaluate: onText((t) => [...t].length),
  },
  {
    name: 'coalesce',
    doc: 'coalesce(a, b, …): the first argument that is not null',
    minArgs: 2,
    maxArgs: Number.POSITIVE_INFINITY,
    evaluate: (args) => args.find((a) => normalize(a) !== null) ?? null,
  },
  {
    name: 'concat',
    doc: 'concat(a, b, …): the arguments joined as text, nulls left out',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    evaluate: (args) => args.map((a) => toText(a) ?? '').join(''),
  },
  {
    name: 'left',
    doc: 'left(text, n): the first n characters',
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, count]) => {
      const text = toText(value);
      const n = toNumber(count);
      if (text === null || n === null) return null;
      return Array.from(text)
        .slice(0, Math.max(0, Math.trunc(n)))
        .join('');
    },
  },
  {
    name: 'replace',
    doc: 'replace(text, search, replacement): every occurrence of search replaced (case-sensitive)',
    minArgs: 3,
    maxArgs: 3,
    evaluate: (args) => {
      const [text, search, replacement] = args.map(toText);
      if (text == null || search == null || replacement == null) return null;
      return search === '' ? text : text.split(search).join(replacement);
    },
  },
  {
    name: 'now',
    doc: 'now(): the time the run started',
    minArgs: 0,
    maxArgs: 0,
    evaluate: (_args, context) => new Date(context.now.getTime()),
  },
  {
    name: 'today',
    doc: 'today(): midnight (UTC) at the start of the current day',
    minArgs: 0,
    maxArgs: 0,
    evaluate: (_args, context) => utcMidnight(context.now),
  },
  {
    name: 'date',
    doc: 'date(year, month, day): midnight (UTC) of that day; null for a day that does not exist',
    minArgs: 3,
    maxArgs: 3,
    evaluate: (args) => {
      const [y, m, d] = args.map(toNumber);
      if (y == null || m == null || d == null || ![y, m, d].every(Number.isInteger)) return null;
      if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return null;
      const date = new Date(Date.UTC(2000, m - 1, d));
      date.setUTCFullYear(y);
      return date.getUTCMonth() === m - 1 ? date : null;
    },
  },
  {
    name: 'add_days',
    doc: 'add_days(date, n): the date n days (of 24 hours) later; n may be negative',
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, days]) => {
      const date = toDate(value);
      const n = toNumber(days);
      return date && n !== null ? validDate(date.getTime() + n * DAY_MS) : null;
    },
  },
  {
    name: 'end_of_day',
    doc: 'end_of_day(date): 23:59:59.999 (UTC) of that day',
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value]) => {
      const date = toDate(value);
      return date ? validDate(utcMidnight(date).getTime() + DAY_MS - 1) : null;
    },
  },
  {
    name: 'param',
    doc: "param('name'): the task parameter of that name; null when the task has none",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([name], context) => {
      const key = toText(name);
      const params = context.params ?? {};
      return key !== null && Object.hasOwn(params, key) ? normalize(params[key]) : null;
    },
  },
  {
    name: 'if',
    doc: 'if(condition, then, else): `then` when the condition is true, otherwise `else`',
    minArgs: 3,
    maxArgs: 3,
    evaluate: ([condition, then, otherwise]) => (toBool(condition) === true ? then : otherwise),
  },
];

/** Every function of the language, by lower-case name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(SPECS.map((s) => [s.name, s]));

/** The function called `name` (any letter case), or undefined. */
export function findFunction(name: string): FunctionSpec | undefined {
  return FUNCTIONS.get(name.toLowerCase());
}
