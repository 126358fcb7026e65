/**
 * The record mapper: compiles a mapping's field list once into a function that turns one source record
 * into the target payload. Compilation does all parsing (paths, templates, transform closures); the
 * per-record function only reads, calls and assigns.
 */
import {
  type ExpressionError,
  ExpressionSyntaxError,
  JunctionError,
  TransformError,
  ValidationError,
} from './errors.ts';
import type { Expr } from './expression/ast.ts';
import { type EvalScope, evaluate, prepareExpression } from './expression/index.ts';
import { type FieldMapping, type FieldMappingInput, FieldMappingSchema } from './mapping-definition.ts';
import { compileTransforms, isEmptyValue, type TransformFn } from './transforms.ts';

/** What mapping one record produced; a failed record keeps the fields that did map (logged as "what should have been sent"). */
export type MapResult =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; payload: Record<string, unknown>; errors: TransformError[] };

/** What formulas may read besides the record: the run's time, task parameters, `job.*` and the record's `link.*`. */
export type MapContext = Partial<Omit<EvalScope, 'record'>>;

/** A compiled mapping: source record in, payload out. Never throws for any record. */
export type RecordMapper = (record: Record<string, unknown>, context?: MapContext) => MapResult;

type Reader = (record: Record<string, unknown>, context?: MapContext) => unknown;

interface CompiledField {
  target: string;
  targetPath: readonly string[];
  read: Reader;
  transform: TransformFn | null;
  required: boolean;
}

// Segments that would let a target name reach Object.prototype through a plain-object payload.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const WHITESPACE_RUN = /\s+/g;

const { hasOwn } = Object;

function own(obj: unknown, key: string): unknown {
  // Own properties only: a record never inherits `constructor` or `toString` as a field.
  return obj !== null && typeof obj === 'object' && hasOwn(obj, key)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/** Reads `a.b.c` through nested objects, falling back to a flat key named 'a.b.c' (SQL column aliases). */
export function compilePath(path: string): Reader {
  const segments = path.split('.');
  if (segments.length === 1) return (record) => own(record, path);
  return (record) => {
    let cur: unknown = record;
    for (const seg of segments) {
      cur = own(cur, seg);
      if (cur === undefined) return own(record, path);
    }
    return cur;
  };
}

/** The text a template shows for a value: empty for null/undefined, ISO for dates, JSON for objects. */
function templateText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Compiles `"{first_name} {last_name}"` into a reader. Placeholders are paths; `{{` and `}}` are literal
 * braces. The result has whitespace runs collapsed to one space and is trimmed, so a missing middle name
 * leaves no double space.
 */
export function compileTemplate(template: string): Reader {
  const parts: (string | Reader)[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    const next = template[i + 1];
    if ((ch === '{' && next === '{') || (ch === '}' && next === '}')) {
      literal += ch;
      i++;
    } else if (ch === '{') {
      const end = template.indexOf('}', i);
      const path = end < 0 ? '' : template.slice(i + 1, end).trim();
      if (path === '' || path.includes('{')) {
        throw new ValidationError(`template "${template}": unclosed or empty placeholder at position ${i}`, {
          details: { template, position: i },
        });
      }
      if (literal) parts.push(literal);
      literal = '';
      parts.push(compilePath(path));
      i = end;
    } else if (ch === '}') {
      throw new ValidationError(
        `template "${template}": unmatched '}' at position ${i} (write '}}' for a brace)`,
        {
          details: { template, position: i },
        },
      );
    } else {
      literal += ch;
    }
  }
  if (literal) parts.push(literal);
  return (record) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : templateText(p(record));
    return out.replace(WHITESPACE_RUN, ' ').trim();
  };
}

function compileConstant(value: unknown): Reader {
  // Objects are copied per record so one payload's later mutation cannot leak into the next.
  if (value !== null && typeof value === 'object') return () => structuredClone(value);
  return () => value;
}

/** A formula as a reader; dates come out as Date objects, like SQL date columns. */
function compileFormula(formula: string, target: string): Reader {
  let expr: Expr;
  try {
    expr = prepareExpression(formula);
  } catch (err) {
    const position =
      err instanceof ExpressionSyntaxError
        ? err.position
        : ((err as ExpressionError).details?.position as number | undefined);
    throw new ValidationError(`formula of '${target}': ${(err as Error).message}`, {
      details: { target, formula, position },
      cause: err,
    });
  }
  return (record, context) => evaluate(expr, { now: new Date(), ...context, record });
}

function compileField(field: FieldMapping): CompiledField {
  const targetPath = field.target.split('.');
  if (targetPath.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s))) {
    throw new ValidationError(`target '${field.target}' is not a usable field name`, {
      details: { target: field.target },
    });
  }
  const read =
    field.from !== undefined
      ? compilePath(field.from)
      : field.template !== undefined
        ? compileTemplate(field.template)
        : field.formula !== undefined
          ? compileFormula(field.formula, field.target)
          : compileConstant(field.value);
  return {
    target: field.target,
    targetPath,
    read,
    transform: compileTransforms(field.transform),
    required: field.required,
  };
}

/** Refuses two fields writing the same target, or one writing inside another ('a' and 'a.b'). */
function checkTargets(fields: readonly CompiledField[]): void {
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.target)) {
      throw new ValidationError(`target '${f.target}' is mapped twice`, { details: { target: f.target } });
    }
    seen.add(f.target);
  }
  for (const f of fields) {
    for (let i = 1; i < f.targetPath.length; i++) {
      const prefix = f.targetPath.slice(0, i).join('.');
      if (seen.has(prefix)) {
        throw new ValidationError(`target '${f.target}' lies inside target '${prefix}'`, {
          details: { target: f.target },
        });
      }
    }
  }
}

function parseField(input: FieldMappingInput, index: number): FieldMapping {
  const parsed = FieldMappingSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const target = typeof input?.target === 'string' ? ` '${input.target}'` : '';
  throw new ValidationError(
    `field ${index + 1}${target}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    {
      details: { index, issues: parsed.error.issues },
    },
  );
}

function setPath(payload: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let obj = payload;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const seg = path[i] as string;
    let child = obj[seg] as Record<string, unknown> | undefined;
    if (child === undefined) {
      child = {};
      obj[seg] = child;
    }
    obj = child;
  }
  obj[path[last] as string] = value;
}

function asTransformError(err: unknown, field: string): TransformError {
  if (err instanceof TransformError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof JunctionError ? err.code : 'transform_failed';
  return new TransformError(`could not map ${field}: ${message}`, field, code);
}

/**
 * Compiles field mappings (validated against FieldMappingSchema, defaults filled) into a RecordMapper.
 * Throws ValidationError for a configuration error; the returned mapper never throws: every field error
 * of a record is collected into `errors`, and fields whose result is undefined are left out.
 *
 * @example compileMapping([{ target: 'email', from: 'mail', transform: [{ type: 'email' }], required: true }])
 */
export function compileMapping(fields: readonly FieldMappingInput[]): RecordMapper {
  const compiled = fields.map((f, i) => compileField(parseField(f, i)));
  checkTargets(compiled);
  return (record, context) => {
    const payload: Record<string, unknown> = {};
    const errors: TransformError[] = [];
    for (const f of compiled) {
      let value: unknown;
      try {
        value = f.read(record, context);
        if (f.transform !== null) value = f.transform(value, f.target);
      } catch (err) {
        errors.push(asTransformError(err, f.target));
        continue;
      }
      if (f.required && isEmptyValue(value)) {
        errors.push(
          new TransformError(`${f.target} is required but empty`, f.target, 'required_field_missing'),
        );
        continue;
      }
      if (value !== undefined) setPath(payload, f.targetPath, value);
    }
    return errors.length > 0 ? { ok: false, payload, errors } : { ok: true, payload };
  };
}
