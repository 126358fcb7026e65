import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** A place in the code that decides something by a fixed system name. */
export interface SystemBranch {
  file: string;
  line: number;
  /** What kind of branch (`comparison`, `case`, `in`, `prefix`, `lookup`, `list`, `table`, `type`). */
  kind: string;
  text: string;
}

/** String methods and collection lookups whose literal argument names a system (or a system's prefix). */
const LOOKUP_METHODS = new Set(['startsWith', 'endsWith', 'includes', 'indexOf', 'has', 'get', 'match']);

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/**
 * Finds the branches on fixed system names in TypeScript source, by its syntax tree (so spelling, quotes,
 * operand order and line breaks do not matter): comparisons with a system's name on either side
 * (`system === 'hubspot'`, `'hubspot' === c.system`, `!=`), `case 'hubspot':`, `'hubspot' in x`, a
 * system's name or error prefix handed to `startsWith`/`includes`/`has`/`get`/… (`code.startsWith('hubspot_')`),
 * element and property lookups (`CONNECTORS['hubspot']`, `CONNECTORS.hubspot`), lists of system names
 * (`['hubspot', 'brevo']`), tables keyed by them (`{ hubspot: …, brevo: … }`) and literal types (`'hubspot'`).
 * Template literals count like strings; a name inside a longer text (`'hubspot_rate_limited'` in a message)
 * does not, unless it is a prefix handed to a lookup.
 */
export function findSystemBranches(file: string, source: string, systems: readonly string[]): SystemBranch[] {
  const names = new Set(systems);
  const sf = ts.createSourceFile(
    file,
    source,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: SystemBranch[] = [];
  const add = (node: ts.Node, kind: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push({ file, line: line + 1, kind, text: node.getText(sf).replace(/\s+/g, ' ').slice(0, 120) });
  };
  /** The text of a string or substitution-free template literal. */
  const literal = (node: ts.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  /** The literal text at the start of a string or template (`hubspot_${code}` → `hubspot_`). */
  const head = (node: ts.Node | undefined): string | undefined =>
    literal(node) ?? (node && ts.isTemplateExpression(node) ? node.head.text : undefined);
  const unwrap = (node: ts.Expression): ts.Expression =>
    ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)
      ? unwrap(node.expression)
      : node;
  const isName = (node: ts.Node | undefined) => {
    const text = literal(node && ts.isExpression(node) ? unwrap(node) : node);
    return text !== undefined && names.has(text);
  };
  const isPrefix = (node: ts.Node | undefined) => {
    const text = head(node);
    return text !== undefined && [...names].some((n) => text === n || text.startsWith(`${n}_`));
  };
  const keyName = (name: ts.PropertyName | undefined) =>
    name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name))
      ? name.text
      : undefined;

  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (EQUALITY.has(op) && (isName(node.left) || isName(node.right))) add(node, 'comparison');
      if (op === ts.SyntaxKind.InKeyword && isName(node.left)) add(node, 'in');
    } else if (ts.isCaseClause(node) && isName(node.expression)) {
      add(node.expression, 'case');
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      LOOKUP_METHODS.has(node.expression.name.text) &&
      node.arguments.some((a) => isName(a) || isPrefix(a))
    ) {
      add(node, 'prefix');
    } else if (ts.isElementAccessExpression(node) && isName(node.argumentExpression)) {
      add(node, 'lookup');
    } else if (
      ts.isPropertyAccessExpression(node) &&
      names.has(node.name.text) &&
      /connectors|systems|bysystem/i.test(node.expression.getText(sf))
    ) {
      add(node, 'lookup');
    } else if (ts.isArrayLiteralExpression(node) && node.elements.filter((e) => isName(e)).length >= 2) {
      add(node, 'list');
    } else if (
      ts.isObjectLiteralExpression(node) &&
      node.properties.filter((p) => {
        const key = keyName(p.name);
        return key !== undefined && names.has(key);
      }).length >= 2
    ) {
      add(node, 'table');
    } else if (ts.isLiteralTypeNode(node) && isName(node.literal)) {
      add(node, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every `.ts`/`.tsx` file below `dir`, except paths `skip` matches (the systems' own folders). */
export function sourceFiles(dir: string, skip?: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (skip?.test(p)) return [];
    if (statSync(p).isDirectory()) return sourceFiles(p, skip);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The system branches in `files`. */
export function scanForSystemBranches(files: string[], systems: readonly string[]): SystemBranch[] {
  return files.flatMap((f) => findSystemBranches(f, readFileSync(f, 'utf8'), systems));
}
