/**
 * External function descriptions (Moodle's `external_value`, `external_single_structure`,
 * `external_multiple_structure`) and the two walks Moodle makes over them: `validate_parameters` on the
 * request (with its exact error details, e.g. `users => Invalid parameter value detected: Missing
 * required key in single structure: email`) and `clean_returnvalue` on the answer, which fixes the keys,
 * their order and their JSON types.
 */
import { invalidParameter, invalidResponse, MoodleException } from './errors.ts';
import {
  cleanParam,
  type ParamType,
  phpString,
  phpType,
  type Scalar,
  type SiteFacts,
} from './param-types.ts';
import type { PhpArray } from './php-params.ts';

/** VALUE_REQUIRED, VALUE_OPTIONAL or VALUE_DEFAULT. */
export type Presence = 'required' | 'optional' | 'default';

/** `external_value`. */
export interface ValueDesc {
  kind: 'value';
  type: ParamType;
  presence: Presence;
  default?: Scalar | null;
}
/** `external_single_structure`. */
export interface SingleDesc {
  kind: 'single';
  keys: Record<string, Desc>;
  presence: Presence;
  default?: Record<string, never>;
}
/** `external_multiple_structure`. */
export interface MultipleDesc {
  kind: 'multiple';
  content: Desc;
  presence: Presence;
  default?: readonly never[];
}
/** Any description. */
export type Desc = ValueDesc | SingleDesc | MultipleDesc;

/** `new external_value(PARAM_X)`; pass `'optional'` or a default value for VALUE_OPTIONAL / VALUE_DEFAULT. */
export function value(
  type: ParamType,
  presence: 'optional' | { default: Scalar | null } | undefined = undefined,
): ValueDesc {
  if (presence === undefined) return { kind: 'value', type, presence: 'required' };
  if (presence === 'optional') return { kind: 'value', type, presence: 'optional' };
  return { kind: 'value', type, presence: 'default', default: presence.default };
}

/** `new external_single_structure([...])`; `'optional'` or `'default'` (default: an empty array). */
export function single(keys: Record<string, Desc>, presence: Presence = 'required'): SingleDesc {
  return presence === 'default'
    ? { kind: 'single', keys, presence, default: {} }
    : { kind: 'single', keys, presence };
}

/** `new external_multiple_structure(...)`; `'optional'` or `'default'` (default: an empty list). */
export function multiple(content: Desc, presence: Presence = 'required'): MultipleDesc {
  return presence === 'default'
    ? { kind: 'multiple', content, presence, default: [] }
    : { kind: 'multiple', content, presence };
}

/** `new external_warnings()`: the list of `{ item?, itemid?, warningcode, message }` many functions return. */
export function warnings(): MultipleDesc {
  return multiple(
    single({
      item: value('text', 'optional'),
      itemid: value('int', 'optional'),
      warningcode: value('alphanum'),
      message: value('raw'),
    }),
    'optional',
  );
}

/** A validated parameter or a cleaned return value, as JSON would carry it. */
export type Json = Scalar | null | Json[] | { [key: string]: Json };

// PHP arrays arrive as Maps (requests) or as JS arrays/objects (defaults and return values).
function entries(input: unknown): [string, unknown][] | undefined {
  if (input instanceof Map) return [...(input as PhpArray).entries()];
  if (Array.isArray(input)) return input.map((v, i) => [String(i), v]);
  if (input !== null && typeof input === 'object') return Object.entries(input);
  return undefined;
}

// print_r of a scalar is the scalar itself.
const printR = (v: unknown) => phpString((v ?? null) as Scalar | null);

function wrap(key: string, e: unknown, make: (detail: string) => MoodleException): never {
  if (
    e instanceof MoodleException &&
    (e.errorcode === 'invalidparameter' || e.errorcode === 'invalidresponse')
  )
    throw make(`${key} => ${e.message}: ${e.debuginfo ?? ''}`);
  throw e;
}

function validateValue(desc: ValueDesc, input: unknown, site: SiteFacts): Scalar | null {
  if (entries(input) !== undefined) throw invalidParameter('Scalar type expected, array or object received.');
  if (input === null || input === undefined) return null;
  const v = input as Scalar;
  if (desc.type === 'bool' && (typeof v === 'boolean' || v === 0 || v === 1 || v === '0' || v === '1'))
    return v === true || v === 1 || v === '1';
  const detail = `Invalid external api parameter: the value is "${phpString(v)}", the server was expecting "${desc.type}" type`;
  if (desc.type === 'float') {
    if (typeof v === 'number') return v;
    if (!/^[+-]?[0-9]*\.?[0-9]*(e[-+]?[0-9]+)?$/i.test(String(v)) || Number.isNaN(Number(v)))
      throw invalidParameter(detail);
    return Number(v);
  }
  const cleaned = cleanParam(v, desc.type, site);
  if (phpString(v) !== phpString(cleaned)) throw invalidParameter(detail);
  return desc.type === 'bool' ? cleaned === 1 : cleaned;
}

/** `external_api::validate_parameters`: checks the request against the description, adds defaults. */
export function validateParameters(desc: Desc, input: unknown, site: SiteFacts): Json {
  if (desc.kind === 'value') return validateValue(desc, input, site);
  const items = entries(input);
  if (desc.kind === 'multiple') {
    if (items === undefined)
      throw invalidParameter(`Only arrays accepted. The bad value is: '${printR(input)}'`);
    return items.map(([, v]) => validateParameters(desc.content, v, site));
  }
  if (items === undefined)
    throw invalidParameter(`Only arrays accepted. The bad value is: '${printR(input)}'`);
  const given = new Map(items);
  const result: Record<string, Json> = {};
  for (const [key, sub] of Object.entries(desc.keys)) {
    if (!given.has(key)) {
      if (sub.presence === 'required')
        throw invalidParameter(`Missing required key in single structure: ${key}`);
      if (sub.presence === 'default') {
        try {
          result[key] = validateParameters(sub, sub.default, site);
        } catch (e) {
          wrap(key, e, invalidParameter);
        }
      }
    } else {
      try {
        result[key] = validateParameters(sub, given.get(key), site);
      } catch (e) {
        wrap(key, e, invalidParameter);
      }
    }
    given.delete(key);
  }
  if (given.size > 0)
    throw invalidParameter(`Unexpected keys (${[...given.keys()].join(', ')}) detected in parameter array.`);
  return result;
}

function cleanValue(desc: ValueDesc, output: unknown, site: SiteFacts): Scalar | null {
  if (entries(output) !== undefined) throw invalidResponse('Scalar type expected, array or object received.');
  if (output === null || output === undefined) return null;
  const v = output as Scalar;
  if (desc.type === 'bool' && (typeof v === 'boolean' || v === 0 || v === 1 || v === '0' || v === '1'))
    return v === true || v === 1 || v === '1';
  if (desc.type === 'float' && typeof v === 'number') return v;
  const cleaned = cleanParam(v, desc.type, site);
  if (phpString(v) !== phpString(cleaned))
    throw invalidResponse(
      `Invalid external api response: the value is "${phpString(v)}" of PHP type "${phpType(v)}", the server was expecting "${desc.type}" type`,
    );
  return desc.type === 'bool' ? cleaned === 1 : cleaned;
}

/** `external_api::clean_returnvalue`: keeps described keys in described order, fails on missing required ones. */
export function cleanReturnValue(desc: Desc, output: unknown, site: SiteFacts): Json {
  if (desc.kind === 'value') return cleanValue(desc, output, site);
  const items = entries(output);
  if (items === undefined)
    throw invalidResponse(
      `Only arrays${desc.kind === 'single' ? '/objects' : ''} accepted. The bad value is: '${printR(output)}'`,
    );
  if (desc.kind === 'multiple') return items.map(([, v]) => cleanReturnValue(desc.content, v, site));
  const given = new Map(items);
  const result: Record<string, Json> = {};
  for (const [key, sub] of Object.entries(desc.keys)) {
    if (!given.has(key) || given.get(key) === undefined) {
      if (sub.presence === 'required')
        throw invalidResponse(
          `Error in response - Missing following required key in a single structure: ${key}`,
        );
      if (sub.kind === 'value' && sub.presence === 'default')
        result[key] = cleanValue(sub, sub.default, site);
      continue;
    }
    try {
      result[key] = cleanReturnValue(sub, given.get(key), site);
    } catch (e) {
      wrap(key, e, invalidResponse);
    }
  }
  return result;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The REST server's XML rendering (`xmlize_result`) of a cleaned value, for `moodlewsrestformat=xml`. */
export function xmlize(output: Json, desc: Desc | null): string {
  if (desc === null) return '';
  if (desc.kind === 'value') {
    if (output === null) return '<VALUE null="null"/>\n';
    const v = typeof output === 'boolean' ? (output ? 1 : 0) : output;
    return `<VALUE>${xmlEscape(String(v))}</VALUE>\n`;
  }
  if (desc.kind === 'multiple') {
    const list = Array.isArray(output) ? output : [];
    return `<MULTIPLE>\n${list.map((v) => xmlize(v, desc.content)).join('')}</MULTIPLE>\n`;
  }
  const obj = (output ?? {}) as Record<string, Json>;
  const keys = Object.entries(desc.keys)
    .filter(([k]) => k in obj)
    .map(([k, sub]) => `<KEY name="${k}">${xmlize(obj[k] ?? null, sub)}</KEY>\n`);
  return `<SINGLE>\n${keys.join('')}</SINGLE>\n`;
}

/** XML error document (`generate_error` for the xml format). */
export function xmlError(e: MoodleException, debug: boolean): string {
  const info = debug && e.debuginfo !== undefined ? `<DEBUGINFO>${xmlEscape(e.debuginfo)}</DEBUGINFO>\n` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="${e.exception}">\n` +
    `<ERRORCODE>${xmlEscape(e.errorcode)}</ERRORCODE>\n<MESSAGE>${xmlEscape(e.message)}</MESSAGE>\n${info}</EXCEPTION>\n`
  );
}
