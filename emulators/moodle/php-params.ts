/**
 * PHP's request-variable parsing, which Moodle's REST server relies on: `users[0][email]=a@b.ch` becomes
 * the nested array `users => [0 => [email => 'a@b.ch']]`, `ids[]=1&ids[]=2` appends, the last value of a
 * repeated key wins. PHP arrays are ordered maps, so they are `Map`s here: a JS object would reorder
 * numeric keys, while Moodle walks a list in the order the client sent it.
 */

/** A request value: a string, or an ordered PHP array of values. */
export type PhpValue = string | PhpArray;
/** An ordered PHP array. */
export type PhpArray = Map<string, PhpValue>;

// `name[a][b][]` → ['name', 'a', 'b', '']. Like PHP, a name whose brackets do not close keeps them as text.
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) break;
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return parts;
}

function nextIndex(array: PhpArray): string {
  let max = -1;
  for (const k of array.keys()) if (/^(0|-?[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

/** Adds one `key=value` pair to `target` the way PHP fills `$_POST`. */
export function setPhpParam(target: PhpArray, key: string, value: string): void {
  const parts = splitKey(key);
  let node = target;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const name = part === '' && i > 0 ? nextIndex(node) : part;
    if (i === parts.length - 1) {
      node.set(name, value);
      return;
    }
    const existing = node.get(name);
    if (existing instanceof Map) node = existing;
    else {
      const child: PhpArray = new Map();
      node.set(name, child);
      node = child;
    }
  }
}

/** Parses a query string or an urlencoded body. */
export function parsePhpQuery(text: string): PhpArray {
  const out: PhpArray = new Map();
  for (const [key, value] of new URLSearchParams(text)) setPhpParam(out, key, value);
  return out;
}

/** `array_merge($_GET, $_POST)`: top-level keys of the body replace those of the query string whole. */
export function mergeRequestVariables(get: PhpArray, post: PhpArray): PhpArray {
  const merged: PhpArray = new Map(get);
  for (const [k, v] of post) merged.set(k, v);
  return merged;
}

/** A JS value a client wants to send: scalars, arrays and plain objects, nested. */
export type ClientParam =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly ClientParam[]
  | { readonly [key: string]: ClientParam };

/**
 * Flattens nested parameters into Moodle's form syntax, e.g. `{ users: [{ email }] }` → `users[0][email]`.
 * Booleans become `1`/`0` (what PARAM_BOOL accepts); null and undefined are left out.
 *
 * @example
 * encodeMoodleParams({ field: 'email', values: ['a@b.ch'] }) // → field=email&values%5B0%5D=a%40b.ch
 */
export function encodeMoodleParams(params: Record<string, ClientParam>): URLSearchParams {
  const out = new URLSearchParams();
  const walk = (prefix: string, value: ClientParam): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(`${prefix}[${i}]`, v);
    } else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value as Record<string, ClientParam>)) walk(`${prefix}[${k}]`, v);
    else out.append(prefix, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return out;
}
