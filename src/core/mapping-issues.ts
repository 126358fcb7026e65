/**
 * What the check of a mapping definition finds (on save and on `junction apply`): one issue per problem,
 * at its place, with a stable code and parameters so the dashboard words it in German or English and the
 * CLI in English. Pure types and wording; the checking itself is in src/engine/check-mapping.ts.
 */
import { TRANSFORM_TYPES, TransformSchema } from './mapping-definition.ts';

/** Problems that refuse the save. */
export const MAPPING_ERROR_CODES = [
  /** The definition does not fit its schema (zod's message in `detail`). */
  'invalid_definition',
  /** A transform option the transform does not have (`from:` instead of `input:`). */
  'unknown_option',
  /** A key a field mapping or the definition does not have. */
  'unknown_key',
  /** A transform type that does not exist. */
  'unknown_transform',
  /** A transform whose options no record could pass (a bad date pattern, an unknown country). */
  'invalid_transform',
  /** A filter or formula that does not parse. */
  'expression_syntax',
  /** A filter or formula that parses but cannot work (wrong types, unknown function, arity). */
  'expression_error',
  /** A source field (or a relation path's step) the source object does not have. */
  'unknown_source_field',
  /** A target property the target object does not have. */
  'unknown_target_property',
  /** A value of one type sent to a property of another that cannot take it. */
  'type_mismatch',
  /** The match key's field is not among the mapped fields, so no record could be matched. */
  'match_key_unmapped',
  /** A connection the mapping names does not exist. */
  'unknown_connection',
  /** An association's related mapping does not exist (in the mapping's workspace). */
  'unknown_mapping',
] as const;

/** Things worth knowing that do not refuse the save. */
export const MAPPING_WARNING_CODES = [
  /** A mapped target property the target sets itself; writes to it are refused or ignored. */
  'read_only_property',
  /** A property the target requires that no field maps. */
  'required_property_unmapped',
  /** A system could not be reached to describe it: its fields were not checked. */
  'describe_failed',
  /** The object is not among the connection's described objects (a table created later?): not checked. */
  'unknown_object',
] as const;

export type MappingIssueCode = (typeof MAPPING_ERROR_CODES)[number] | (typeof MAPPING_WARNING_CODES)[number];

/**
 * One problem of a mapping at its place. `field` is the path in the definition (`filter`,
 * `fields.2.from`, `fields.0.transform.1`, `assignments.0.matchKey.target`); `position` the 0-based
 * offset in a filter or formula; `params` what the message names (field, property, option, type…).
 */
export interface MappingIssue {
  field: string;
  code: MappingIssueCode;
  params: Record<string, string | number>;
  message: string;
  position?: number;
}

/** The outcome of checking a mapping: errors refuse the save, warnings are shown beside it. */
export interface MappingCheck {
  errors: MappingIssue[];
  warnings: MappingIssue[];
}

type Params = Record<string, string | number>;

const q = (v: string | number | undefined) => `'${v ?? ''}'`;
// Positions are 0-based offsets (for a caret under the text); people count characters from 1.
const at = (p: Params) => (typeof p.position === 'number' ? ` at position ${p.position + 1}` : '');

const ENGLISH: Record<MappingIssueCode, (p: Params) => string> = {
  invalid_definition: (p) => String(p.detail ?? 'invalid'),
  unknown_option: (p) =>
    `the ${p.transform} transform has no option ${q(p.option)}${p.known ? ` (it has: ${p.known})` : ''}`,
  unknown_key: (p) => `unknown key ${q(p.key)}`,
  unknown_transform: (p) => `unknown transform ${q(p.transform)} (known: ${p.known})`,
  invalid_transform: (p) => `the ${p.transform} transform cannot work: ${p.detail}`,
  expression_syntax: (p) => `${p.detail}${at(p)}`,
  expression_error: (p) => `${p.detail}${at(p)}`,
  unknown_source_field: (p) => `unknown field ${q(p.field)} of ${p.object}${at(p)}`,
  unknown_target_property: (p) => `${p.object} has no property ${q(p.property)}`,
  type_mismatch: (p) => `${q(p.field)} is ${p.sourceType}, but ${q(p.property)} takes ${p.targetType}`,
  match_key_unmapped: (p) =>
    `the match key ${q(p.matchKey)} needs a mapped field ${q(p.field)}: no field maps it`,
  unknown_connection: (p) => `connection ${q(p.connection)} does not exist`,
  unknown_mapping: (p) => `mapping ${q(p.mapping)} does not exist`,
  read_only_property: (p) => `${q(p.property)} is read-only in ${p.object}: the target sets it itself`,
  required_property_unmapped: (p) => `${p.object} requires ${q(p.property)}, but no field maps it`,
  describe_failed: (p) => `connection ${q(p.connection)} could not be described (${p.reason}); not checked`,
  unknown_object: (p) =>
    `connection ${q(p.connection)} has no object ${q(p.object)} (yet?); its fields were not checked`,
};

/** An issue with its English message (the CLI's words and the API's `message`). */
export function mappingIssue(
  field: string,
  code: MappingIssueCode,
  params: Params,
  position?: number,
): MappingIssue {
  const all = position === undefined ? params : { ...params, position };
  return {
    field,
    code,
    params: all,
    message: ENGLISH[code](all),
    ...(position === undefined ? {} : { position }),
  };
}

/** One line per issue, as `junction apply` and error messages print them (the definition's own: no place). */
export const formatMappingIssue = (i: MappingIssue) => (i.field ? `${i.field}: ${i.message}` : i.message);

/** A zod issue as the mapping schema reports it (the parts used here). */
interface SchemaIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  note?: string;
}

const TRANSFORM_PATH = /(^|\.)transform\.\d+$/;

/** The value at a dotted path of `input` (the definition as it came), if any. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** The options each transform type has, from its schema. */
function transformOptions(type: string): string[] {
  const schema = TransformSchema.options.find((o) => o.shape.type.value === type);
  return schema ? Object.keys(schema.shape).filter((k) => k !== 'type') : [];
}

/**
 * The schema's complaints about `input` as mapping issues: an unknown transform option names the option
 * and the transform's known ones, an unknown transform type the known types, a misspelt key the key; the
 * rest keep zod's wording as `invalid_definition`.
 */
export function issuesFromSchema(issues: readonly SchemaIssue[], input: unknown): MappingIssue[] {
  return issues.flatMap((i) => {
    const field = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys' && TRANSFORM_PATH.test(field)) {
      const type = String((valueAt(input, i.path) as { type?: unknown } | undefined)?.type ?? '');
      const known = transformOptions(type).join(', ');
      return (i.keys ?? []).map((option) =>
        mappingIssue(field, 'unknown_option', { transform: type, option, known }),
      );
    }
    if (i.code === 'unrecognized_keys')
      return (i.keys ?? []).map((key) => mappingIssue(field, 'unknown_key', { key }));
    if (i.code === 'invalid_union' && i.note === 'No matching discriminator' && i.path.at(-1) === 'type') {
      const place = i.path.slice(0, -1);
      if (TRANSFORM_PATH.test(place.map(String).join('.')))
        return [
          mappingIssue(place.map(String).join('.'), 'unknown_transform', {
            transform: String(valueAt(input, i.path) ?? ''),
            known: TRANSFORM_TYPES.join(', '),
          }),
        ];
    }
    return [mappingIssue(field, 'invalid_definition', { detail: i.message })];
  });
}
