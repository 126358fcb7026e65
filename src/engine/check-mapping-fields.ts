/**
 * The checks of one assignment against what its systems describe: source fields and relation paths,
 * target properties, types, read-only and required properties. Each finding is a MappingIssue at its
 * place in the definition (`fields.2.from`, `assignments.0.filter`).
 */
import type { FieldDescription, ObjectDescription } from '../connectors/connector.ts';
import { ExpressionError, ExpressionSyntaxError } from '../core/errors.ts';
import { prepareExpression, schemaOf, typeCheck } from '../core/expression/index.ts';
import type { MappingDefinition, Transform } from '../core/mapping-definition.ts';
import { type MappingIssue, mappingIssue } from '../core/mapping-issues.ts';

type FieldType = FieldDescription['type'];

/** The issue of a filter or formula that does not parse or does not fit the source's fields. */
export function expressionIssue(field: string, err: unknown): MappingIssue {
  if (err instanceof ExpressionSyntaxError)
    return mappingIssue(
      field,
      'expression_syntax',
      { detail: err.message.replace(/ at line \d+, column \d+$/, '') },
      err.position,
    );
  const details = err instanceof ExpressionError ? err.details : undefined;
  const position = typeof details?.position === 'number' ? details.position : undefined;
  if (typeof details?.field === 'string' && typeof details.object === 'string')
    return mappingIssue(
      field,
      'unknown_source_field',
      { field: details.field, object: details.object },
      position,
    );
  const detail = (err as Error).message.replace(/ at position \d+$/, '');
  return mappingIssue(field, 'expression_error', { detail }, position);
}

// What a transform makes of its input; absent: the type passes through unchanged.
const OUTPUT: Partial<Record<Transform['type'], FieldType | 'any'>> = {
  trim: 'string',
  lower: 'string',
  upper: 'string',
  split: 'string',
  truncate: 'string',
  email: 'string',
  phone: 'string',
  number: 'number',
  boolean: 'boolean',
  valueMap: 'any',
  default: 'any',
};

// What a transform cannot take (only types that surely fail: text may hold anything).
const REFUSES: Partial<Record<Transform['type'], readonly FieldType[]>> = {
  date: ['boolean'],
  number: ['date', 'datetime'],
  boolean: ['date', 'datetime'],
  email: ['number', 'boolean', 'date', 'datetime'],
  phone: ['boolean', 'date', 'datetime'],
};

// What a transform takes, in the words of a type_mismatch message.
const TAKES: Partial<Record<Transform['type'], string>> = {
  date: 'text, a date or a number',
  number: 'text or a number',
  boolean: 'text, a number or yes/no',
  email: 'text',
  phone: 'text or a number',
};

// Value types a property type cannot take (numbers as 1/0 booleans and numeric text pass).
const PROPERTY_REFUSES: Partial<Record<FieldType, readonly FieldType[]>> = {
  date: ['boolean'],
  datetime: ['boolean'],
  boolean: ['date', 'datetime'],
  number: ['date', 'datetime'],
};

const norm = (t: FieldType): FieldType => (t === 'enum' ? 'string' : t);

/** Describes the objects a check works with: the source object, its schema, and the target object. */
export interface CheckSides {
  prefix: string;
  /** The source object's description, or undefined when it is unknown (then the source is not checked). */
  sourceObjects?: ObjectDescription[];
  source?: ObjectDescription;
  target?: ObjectDescription;
  /** Whether this assignment names its own source (then its key and modified field are checked here). */
  ownSource: boolean;
}

/** Finds the source field a plain or dotted path names; a dotted path may also walk relations. */
function sourcePathIssue(
  path: string,
  place: string,
  sides: CheckSides,
  position?: number,
): { issue?: MappingIssue; type?: FieldType } {
  const source = sides.source;
  if (!source || !sides.sourceObjects) return {};
  const whole = source.fields.find((f) => f.name === path);
  if (whole) return { type: whole.type };
  const segments = path.split('.');
  // Below a JSON field the structure is unknown; a nested name (Brevo's attributes.X) is one field.
  if (source.fields.some((f) => f.type === 'json' && path.startsWith(`${f.name}.`))) return {};
  try {
    const quoted = segments.map((s) => `"${s.replaceAll('"', '""')}"`).join('.');
    typeCheck(prepareExpression(quoted), { schema: schemaOf(sides.sourceObjects), object: source.name });
    return {};
  } catch (err) {
    // The position inside the quoted path means nothing to the reader; a template gives its own.
    const { code, params: found } = expressionIssue(place, err);
    const { position: _inPath, ...params } = found;
    return { issue: mappingIssue(place, code, params, position) };
  }
}

/** Whether `name` is a property of `target` (or lies below a JSON property, or heads nested ones). */
function targetProperty(target: ObjectDescription, name: string): FieldDescription | 'nested' | undefined {
  const exact = target.fields.find((f) => f.name === name);
  if (exact) return exact;
  if (
    target.fields.some(
      (f) => (f.type === 'json' && name.startsWith(`${f.name}.`)) || f.name.startsWith(`${name}.`),
    )
  )
    return 'nested';
  return undefined;
}

/**
 * Checks one assignment against its source and target descriptions. `a` is the assignment as the
 * engine runs it (`assignmentsOf`); places are prefixed with `sides.prefix`.
 */
export function checkAgainstSystems(a: MappingDefinition, sides: CheckSides): MappingIssue[] {
  const { prefix, source, target } = sides;
  const issues: MappingIssue[] = [];
  const checkExpression = (place: string, text: string | undefined) => {
    if (!text?.trim() || !source || !sides.sourceObjects) return;
    try {
      typeCheck(prepareExpression(text), { schema: schemaOf(sides.sourceObjects), object: source.name });
    } catch (err) {
      issues.push(expressionIssue(place, err));
    }
  };
  const checkSourceField = (place: string, name: string | undefined) => {
    if (!name) return;
    const found = sourcePathIssue(name, place, sides);
    if (found.issue) issues.push(found.issue);
  };

  if (sides.ownSource) {
    checkSourceField(`${prefix}source.key`, a.source.key);
    checkSourceField(`${prefix}source.modifiedField`, a.source.modifiedField);
  }
  checkExpression(`${prefix}filter`, a.filter);
  for (const [mark, column] of Object.entries(a.writeBack ?? {}))
    checkSourceField(`${prefix}writeBack.${mark}`, column);
  checkSourceField(`${prefix}readBack.writeTo`, a.readBack?.writeTo);
  for (const [i, assoc] of (a.associations ?? []).entries())
    checkSourceField(`${prefix}associations.${i}.from`, assoc.from);

  for (const [j, f] of a.fields.entries()) {
    const place = `${prefix}fields.${j}`;
    checkExpression(`${place}.formula`, f.formula);
    let valueType: FieldType | 'any' | undefined;
    // The record's key is always there, whatever the source describes (HubSpot's id, a file's row).
    if (f.from && f.from !== a.source.key) {
      const found = sourcePathIssue(f.from, `${place}.from`, sides);
      if (found.issue) issues.push(found.issue);
      valueType = found.type;
    }
    for (const m of f.template?.matchAll(/\{([^{}]+)\}/g) ?? []) {
      const name = (m[1] as string).trim();
      if (name === a.source.key) continue;
      const found = sourcePathIssue(name, `${place}.template`, sides, m.index);
      if (found.issue) issues.push(found.issue);
    }
    for (const [k, t] of f.transform.entries()) {
      if (valueType && valueType !== 'any' && REFUSES[t.type]?.includes(norm(valueType)))
        issues.push(
          mappingIssue(`${place}.transform.${k}`, 'type_mismatch', {
            field: f.from ?? '',
            sourceType: valueType,
            property: `the ${t.type} transform`,
            targetType: TAKES[t.type] ?? 'another type',
          }),
        );
      valueType =
        t.type === 'date' ? (t.output === 'epoch-ms' ? 'number' : 'string') : (OUTPUT[t.type] ?? valueType);
    }
    if (!target) continue;
    const property = targetProperty(target, f.target);
    if (!property) {
      issues.push(
        mappingIssue(`${place}.target`, 'unknown_target_property', {
          property: f.target,
          object: target.name,
        }),
      );
      continue;
    }
    if (property === 'nested') continue;
    if (property.readOnly)
      issues.push(
        mappingIssue(`${place}.target`, 'read_only_property', { property: f.target, object: target.name }),
      );
    if (valueType && valueType !== 'any' && PROPERTY_REFUSES[norm(property.type)]?.includes(norm(valueType)))
      issues.push(
        mappingIssue(`${place}.from`, 'type_mismatch', {
          field: f.from ?? '',
          sourceType: valueType,
          property: f.target,
          targetType: property.type,
        }),
      );
  }

  if (target) {
    if (!targetProperty(target, a.matchKey.target))
      issues.push(
        mappingIssue(`${prefix}matchKey.target`, 'unknown_target_property', {
          property: a.matchKey.target,
          object: target.name,
        }),
      );
    const mapped = new Set(a.fields.map((f) => f.target));
    // The identifier column a source-keyed target gets from the record's key is mapped by the engine.
    if (a.identifier === 'source') mapped.add(a.matchKey.target);
    for (const p of target.fields)
      if (p.required && !p.readOnly && !mapped.has(p.name))
        issues.push(
          mappingIssue(`${prefix}fields`, 'required_property_unmapped', {
            property: p.name,
            object: target.name,
          }),
        );
  }
  return issues;
}
