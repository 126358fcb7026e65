import { FUNCTIONS } from '../../src/core/expression/functions.ts';
import { IDENTIFIER, isKeyword, KEYWORDS } from '../../src/core/expression/lexer.ts';
import type { RelationDescription } from '../../src/core/expression/schema.ts';
import type { ObjectDescription as Described } from './types.ts';

/** An object as `describe` answers for it, relations included (SQL foreign keys). */
export type ObjectDescription = Described & { relations?: readonly RelationDescription[] };

/** One entry of a completion list: what it shows, what it puts in, and what kind of name it is. */
export interface Suggestion {
  label: string;
  insert: string;
  kind: 'field' | 'relation' | 'function' | 'keyword';
  /** The field's type, a relation's object, a function's signature. */
  detail?: string;
}

/** What a completion replaces (`start`…`end` of the text) and the entries offered for it. */
export interface Completion {
  start: number;
  end: number;
  items: Suggestion[];
}

/** A source field or a path through to-one relations (`company.name`), with its type. */
export interface SourcePath {
  path: string;
  type: string;
  /** The field's label when the system gives one that differs from its name. */
  label?: string;
  /** The relations the path walks (empty for the object's own fields). */
  via: string[];
}

/** How deep the pickers follow to-one relations (`company.country.name` is two). */
const RELATION_DEPTH = 2;
/** Most entries a list shows: the rest are reached by typing more. */
const MAX_ITEMS = 40;

/**
 * The object's own fields, then every field reached through its to-one relations (foreign keys) up to
 * RELATION_DEPTH, as the mapping check accepts them in `from`, formulas and filters. An object already on
 * the way is not entered again, so cycles end.
 */
export function sourcePaths(objects: readonly ObjectDescription[], object: string): SourcePath[] {
  const byName = new Map(objects.map((o) => [o.name, o]));
  const out: SourcePath[] = [];
  const walk = (name: string, prefix: string[], seen: string[]) => {
    const o = byName.get(name);
    if (!o) return;
    for (const f of o.fields)
      out.push({
        path: [...prefix, f.name].join('.'),
        type: f.type,
        ...(f.label && f.label !== f.name ? { label: f.label } : {}),
        via: prefix,
      });
    if (prefix.length >= RELATION_DEPTH) return;
    for (const r of o.relations ?? [])
      if (r.kind === 'one' && !seen.includes(r.object))
        walk(r.object, [...prefix, r.name], [...seen, r.object]);
  };
  walk(object, [], [object]);
  return out;
}

/** The to-many relations of the object (usable in `count(…)` and `exists(…)`). */
export function manyRelations(objects: readonly ObjectDescription[], object: string): Suggestion[] {
  const o = objects.find((x) => x.name === object);
  return (o?.relations ?? [])
    .filter((r) => r.kind === 'many')
    .map((r) => ({ label: r.name, insert: quoted(r.name), kind: 'relation' as const, detail: r.object }));
}

// A name that is not a bare identifier (spaces, a keyword) is written "double-quoted" in expressions.
const quoted = (name: string) =>
  IDENTIFIER.test(name) && !isKeyword(name) ? name : `"${name.replaceAll('"', '""')}"`;
const quotedPath = (path: string) => path.split('.').map(quoted).join('.');

const AGGREGATES: Suggestion[] = [
  { label: 'count', insert: 'count(', kind: 'function', detail: 'count(relation where condition)' },
  { label: 'exists', insert: 'exists(', kind: 'function', detail: 'exists(relation where condition)' },
];
const FUNCTION_ITEMS: Suggestion[] = [
  ...[...FUNCTIONS.values()].map((f) => ({
    label: f.name,
    insert: `${f.name}(`,
    kind: 'function' as const,
    detail: f.doc.split(':')[0] ?? f.name,
  })),
  ...AGGREGATES,
];
const KEYWORD_ITEMS: Suggestion[] = KEYWORDS.map((k) => ({ label: k, insert: k, kind: 'keyword' as const }));

/** Whether the caret stands inside a 'text' or "quoted name" (no completion there). */
function insideQuotes(text: string): boolean {
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
  }
  return quote !== null;
}

const WORD_PART = /[\p{L}\p{N}_.]/u;

/** Entries whose label starts with the typed word first, then those that contain it. */
function rank(items: readonly Suggestion[], word: string): Suggestion[] {
  const w = word.toLowerCase();
  const starts = items.filter((i) => i.label.toLowerCase().startsWith(w));
  const contains = w
    ? items.filter((i) => !i.label.toLowerCase().startsWith(w) && i.label.toLowerCase().includes(w))
    : [];
  return [...starts, ...contains];
}

/**
 * The list to show for `word`: a name typed in full stays first, so Enter keeps what was typed (instead
 * of taking a longer name); when it is the only match there is nothing to offer.
 */
function offer(items: readonly Suggestion[], word: string, start: number, end: number): Completion | null {
  const exact = items.filter((i) => i.insert === word);
  const others = items.filter((i) => i.insert !== word);
  return others.length ? { start, end, items: [...exact, ...others].slice(0, MAX_ITEMS) } : null;
}

/**
 * Completion for a filter or formula at the caret: the word being typed (letters, digits, `_` and the
 * dots of a relation path) is matched against the source's fields and relation paths, the language's
 * functions (inserted with their opening parenthesis) and keywords. Right after `count(` or `exists(` the
 * to-many relations come first. Nothing inside quotes, and nothing for an empty word unless `force`d
 * (Ctrl+Space).
 */
export function completeExpression(
  text: string,
  caret: number,
  source: { paths: readonly SourcePath[]; many: readonly Suggestion[] },
  force = false,
): Completion | null {
  const before = text.slice(0, caret);
  if (insideQuotes(before)) return null;
  let start = caret;
  while (start > 0 && WORD_PART.test(text[start - 1] as string)) start--;
  // A number (3, 7d, 1.5) is not a name.
  if (/^\d/.test(text.slice(start, caret))) return null;
  let end = caret;
  while (end < text.length && WORD_PART.test(text[end] as string)) end++;
  const word = text.slice(start, caret);
  if (!word && !force) return null;
  const inAggregate = /\b(count|exists)\s*\(\s*$/i.test(text.slice(0, start));
  const fields: Suggestion[] = source.paths.map((p) => ({
    label: p.path,
    insert: quotedPath(p.path),
    kind: 'field',
    detail: p.label ? `${p.label} · ${p.type}` : p.type,
  }));
  const items = inAggregate
    ? rank(source.many, word)
    : [
        ...rank(fields, word),
        ...rank(FUNCTION_ITEMS, word),
        ...(word ? rank(KEYWORD_ITEMS, word).filter((k) => k.label !== word.toLowerCase()) : []),
      ];
  return offer(items, word, start, end);
}

/**
 * Completion for a source field picker (`from`): the whole text is matched against the fields and the
 * relation paths; an empty text offers them all.
 */
export function completeSourceField(text: string, paths: readonly SourcePath[]): Completion | null {
  const word = text.trim();
  const items = rank(
    paths.map((p) => ({
      label: p.path,
      insert: p.path,
      kind: 'field' as const,
      detail: p.label ? `${p.label} · ${p.type}` : p.type,
    })),
    word,
  );
  return offer(items, word, 0, text.length);
}

/**
 * Completion in a template (`{first_name} {company.name}`): inside an open placeholder — a `{` before
 * the caret with no `}` after it, not the brace `{{` — the name typed so far is matched against the
 * fields and relation paths; taking one closes the placeholder unless a `}` already follows.
 */
export function completeTemplate(
  text: string,
  caret: number,
  paths: readonly SourcePath[],
): Completion | null {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf('{');
  if (open < 0 || before.slice(open).includes('}') || before[open - 1] === '{') return null;
  const word = before.slice(open + 1).trimStart();
  if (!/^[\p{L}\p{N}_.]*$/u.test(word)) return null;
  let end = caret;
  while (end < text.length && WORD_PART.test(text[end] as string)) end++;
  const close = text[end] === '}' ? '' : '}';
  const items = rank(
    paths.map((p) => ({
      label: p.path,
      insert: `${p.path}${close}`,
      kind: 'field' as const,
      detail: p.label ? `${p.label} · ${p.type}` : p.type,
    })),
    word,
  );
  return offer(items, word, caret - word.length, end);
}
