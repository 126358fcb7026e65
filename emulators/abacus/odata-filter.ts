/**
 * `$filter` for the entity API: comparisons (eq, ne, lt, gt, le, ge) joined by and/or/not with
 * parentheses, over property paths (`UserFields/UserField1`) and OData v4 literals: strings in single
 * quotes ('' escapes a quote), numbers, true/false/null, dates, date-times and GUIDs unquoted. Abacus
 * documents eq, lt, gt, le, ge; ne, and, or and not follow OData v4 (Part 2 §5.1.1). Functions and
 * lambda operators (contains, any) answer 400, as a service that does not support them does.
 */

import { type EntityDef, type EntityRecord, edmName, type PropDef } from './entities.ts';
import { badRequest } from './errors.ts';

type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'date' | 'datetime' | 'guid';
type Operand =
  | { kind: 'path'; segments: string[]; prop: PropDef }
  | { kind: 'literal'; type: LiteralType; value: unknown };
const COMPARISONS = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'] as const;
type Comparison = (typeof COMPARISONS)[number];

/** A parsed, type-checked filter. */
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'cmp'; op: Comparison; left: Operand; right: Operand }
  | { kind: 'test'; operand: Operand };

type Token =
  | { t: 'punct'; v: '(' | ')' | '/' | ',' }
  | { t: 'word'; v: string }
  | { t: 'lit'; type: LiteralType; v: unknown };

const LEXEMES: [RegExp, (m: string) => Token][] = [
  [
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/,
    (m) => ({ t: 'lit', type: 'datetime', v: m }),
  ],
  [
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/,
    (m) => ({ t: 'lit', type: 'guid', v: m.toLowerCase() }),
  ],
  [/^\d{4}-\d{2}-\d{2}/, (m) => ({ t: 'lit', type: 'date', v: m })],
  [/^-?\d+(\.\d+)?([eE][+-]?\d+)?/, (m) => ({ t: 'lit', type: 'number', v: Number(m) })],
  [/^[A-Za-z_][A-Za-z0-9_.]*/, (m) => ({ t: 'word', v: m })],
];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '/' || ch === ',') {
      out.push({ t: 'punct', v: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw badRequest(`Unterminated string literal at position ${i} in $filter.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      out.push({ t: 'lit', type: 'string', v: value });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const hit = LEXEMES.map(([re, make]) => [re.exec(rest), make] as const).find(([m]) => m);
    if (!hit?.[0]) throw badRequest(`Syntax error at position ${i} in $filter '${text}'.`);
    const word = hit[1](hit[0][0]);
    if (word.t === 'word' && ['true', 'false', 'null'].includes(word.v)) {
      out.push({
        t: 'lit',
        type: word.v === 'null' ? 'null' : 'boolean',
        v: word.v === 'null' ? null : word.v === 'true',
      });
    } else out.push(word);
    i += hit[0][0].length;
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly def: EntityDef,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    if (this.pos < this.tokens.length)
      throw badRequest(`Syntax error in $filter: unexpected '${this.show(this.tokens[this.pos])}'.`);
    return node;
  }

  private show(t: Token | undefined): string {
    if (!t) return 'end of input';
    return t.t === 'lit' ? String(t.v) : t.v;
  }

  private isWord(v: string): boolean {
    const t = this.tokens[this.pos];
    return t?.t === 'word' && t.v === v;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord('or')) {
      this.pos++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.not();
    while (this.isWord('and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): FilterNode {
    if (this.isWord('not')) {
      this.pos++;
      return { kind: 'not', expr: this.not() };
    }
    return this.comparison();
  }

  private comparison(): FilterNode {
    const t = this.tokens[this.pos];
    if (t?.t === 'punct' && t.v === '(') {
      this.pos++;
      const inner = this.or();
      const close = this.tokens[this.pos];
      if (close?.t !== 'punct' || close.v !== ')')
        throw badRequest(`Syntax error in $filter: ')' expected, found '${this.show(close)}'.`);
      this.pos++;
      return inner;
    }
    const left = this.operand();
    const opToken = this.tokens[this.pos];
    if (opToken?.t === 'word' && (COMPARISONS as readonly string[]).includes(opToken.v)) {
      this.pos++;
      const right = this.operand();
      checkTypes(left, right, opToken.v);
      return { kind: 'cmp', op: opToken.v as Comparison, left, right };
    }
    const isBool =
      (left.kind === 'path' && left.prop.type === 'boolean') ||
      (left.kind === 'literal' && left.type === 'boolean');
    if (!isBool)
      throw badRequest(
        `Syntax error in $filter: a comparison operator was expected after '${this.show(this.tokens[this.pos - 1])}'.`,
      );
    return { kind: 'test', operand: left };
  }

  private operand(): Operand {
    const t = this.tokens[this.pos];
    if (!t) throw badRequest('Syntax error in $filter: unexpected end of input.');
    if (t.t === 'lit') {
      this.pos++;
      return { kind: 'literal', type: t.type, value: t.v };
    }
    if (t.t !== 'word') throw badRequest(`Syntax error in $filter: unexpected '${t.v}'.`);
    const next = this.tokens[this.pos + 1];
    if (next?.t === 'punct' && next.v === '(')
      throw badRequest(`The function '${t.v}' is not supported in $filter.`);
    const segments = [t.v];
    this.pos++;
    while (this.tokens[this.pos]?.t === 'punct' && (this.tokens[this.pos] as { v: string }).v === '/') {
      const seg = this.tokens[this.pos + 1];
      if (seg?.t !== 'word') throw badRequest('Syntax error in $filter: property name expected after /.');
      segments.push(seg.v);
      this.pos += 2;
    }
    return { kind: 'path', segments, prop: resolvePath(this.def, segments) };
  }
}

/** The property a path like `UserFields/UserField1` names; 400 for unknown or navigation paths. */
export function resolvePath(def: EntityDef, segments: string[]): PropDef {
  let props: Record<string, PropDef> | undefined = def.props;
  let prop: PropDef | undefined;
  let owner = def.typeName;
  for (const seg of segments) {
    prop = props?.[seg];
    if (!prop) {
      if (def.navigation[seg])
        throw badRequest(`Navigation property '${seg}' cannot be used in $filter or $orderby.`);
      throw badRequest(`Could not find a property named '${seg}' on type '${owner}'.`);
    }
    owner = seg;
    props = prop.props;
  }
  if (!prop || prop.type === 'complex')
    throw badRequest(`'${segments.join('/')}' is not a primitive property.`);
  return prop;
}

const COMPATIBLE: Record<PropDef['type'], LiteralType[]> = {
  int: ['number'],
  string: ['string'],
  enum: ['string'],
  boolean: ['boolean'],
  guid: ['guid'],
  date: ['date'],
  datetime: ['datetime'],
  complex: [],
};

function checkTypes(left: Operand, right: Operand, op: string): void {
  const typeOf = (o: Operand) => (o.kind === 'path' ? edmName(o.prop) : `literal ${o.type}`);
  const fits = (a: Operand, b: Operand): boolean => {
    if (a.kind === 'literal' && a.type === 'null') return true;
    if (a.kind === 'path' && b.kind === 'path') return a.prop.type === b.prop.type;
    if (a.kind === 'path' && b.kind === 'literal')
      return b.type === 'null' || COMPATIBLE[a.prop.type].includes(b.type);
    if (a.kind === 'literal' && b.kind === 'literal') return a.type === b.type || b.type === 'null';
    return fits(b, a);
  };
  if (!fits(left, right)) {
    throw badRequest(
      `A binary operator with incompatible types was detected. Found operand types '${typeOf(left)}' and '${typeOf(right)}' for operator '${op}'.`,
    );
  }
}

/** Parses and type-checks a `$filter` against an entity's properties. */
export function parseFilter(text: string, def: EntityDef): FilterNode {
  return new Parser(tokenize(text), def).parse();
}

/** The value at a property path of a record. */
export function valueAt(record: EntityRecord, segments: readonly string[]): unknown {
  let cur: unknown = record;
  for (const seg of segments)
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  return cur ?? null;
}

function operandValue(o: Operand, record: EntityRecord): unknown {
  return o.kind === 'literal' ? o.value : valueAt(record, o.segments);
}

/** Orders two values of one type; null before everything (OData's ordering of null). */
export function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const [x, y] = [String(a), String(b)];
  // Date-times compare as instants, whatever their offsets.
  if (/T\d{2}:/.test(x) && /T\d{2}:/.test(y)) return Date.parse(x) - Date.parse(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether a record matches a filter. */
export function matches(node: FilterNode, record: EntityRecord): boolean {
  switch (node.kind) {
    case 'and':
      return matches(node.left, record) && matches(node.right, record);
    case 'or':
      return matches(node.left, record) || matches(node.right, record);
    case 'not':
      return !matches(node.expr, record);
    case 'test':
      return operandValue(node.operand, record) === true;
    case 'cmp': {
      const a = operandValue(node.left, record);
      const b = operandValue(node.right, record);
      if (a === null || b === null) {
        if (node.op === 'eq') return a === b;
        if (node.op === 'ne') return a !== b;
        return false;
      }
      const c = compareValues(a, b);
      return { eq: c === 0, ne: c !== 0, lt: c < 0, gt: c > 0, le: c <= 0, ge: c >= 0 }[node.op];
    }
  }
}
