import type { FieldDescription } from '../connectors/connector.ts';
import { keyOf } from '../connectors/spreadsheet/index.ts';
import type { SheetRow } from '../connectors/spreadsheet/sheet.ts';
import type { Expr } from '../core/expression/ast.ts';
import { matches, prepareExpression } from '../core/expression/index.ts';
import { compileMapping, type RecordMapper } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import { isEmailAddress } from '../core/transforms.ts';

/** One thing wrong with one row. `field` is the target field, when the problem is about one. */
export interface RowProblem {
  row: number;
  field: string | null;
  code: string;
  message: string;
}

/** What the validator decided for a row. */
export type RowVerdict =
  | { kind: 'filtered'; row: number }
  | {
      kind: 'valid';
      row: number;
      key: string;
      data: Record<string, unknown>;
      payload: Record<string, unknown>;
    }
  | {
      kind: 'invalid';
      row: number;
      key: string | null;
      data: Record<string, unknown>;
      payload: Record<string, unknown>;
      problems: RowProblem[];
    };

const EMAIL_TARGET = /(^|[_.-])e-?mail$/i;
const NUMERIC_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function typeProblem(value: unknown, type: FieldDescription['type']): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && NUMERIC_TEXT.test(value))
        ? null
        : 'a number';
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? null : 'true or false';
    case 'date':
    case 'datetime':
      return value instanceof Date ||
        typeof value === 'number' ||
        (typeof value === 'string' && ISO_DATE.test(value))
        ? null
        : 'a date';
    default:
      return null;
  }
}

/**
 * Checks rows one by one the way the import will treat them: the key column must be filled, the
 * mapping (required fields, transforms: e-mail, dates, numbers…) must succeed, e-mail fields must hold
 * addresses, values must fit the target's field types, and neither the key nor the match key may repeat
 * an earlier row of the file. Stateful (it remembers keys), so one instance per pass over a file.
 */
export class RowValidator {
  private readonly map: RecordMapper;
  private readonly filter: Expr | null;
  private readonly emailTargets: string[];
  private readonly types: Map<string, FieldDescription['type']>;
  private readonly seenKeys = new Map<string, number>();
  private readonly seenMatch = new Map<string, number>();
  private readonly matchField: string;
  /** Other target fields the target keeps unique (HubSpot says which): a repeat would fail when written. */
  private readonly uniqueFields: Map<string, Map<string, number>>;

  constructor(
    private readonly mapping: MappingDefinition,
    targetFields: FieldDescription[] = [],
  ) {
    this.map = compileMapping(mapping.fields);
    this.filter = mapping.filter?.trim() ? prepareExpression(mapping.filter) : null;
    // Fields named like an e-mail but without the email transform still get its check.
    this.emailTargets = mapping.fields
      .filter((f) => EMAIL_TARGET.test(f.target) && !f.transform.some((t) => t.type === 'email'))
      .map((f) => f.target);
    const mapped = new Set(mapping.fields.map((f) => f.target));
    this.types = new Map(targetFields.filter((f) => mapped.has(f.name)).map((f) => [f.name, f.type]));
    this.matchField = mapping.matchKey.source ?? mapping.matchKey.target;
    this.uniqueFields = new Map(
      targetFields
        .filter((f) => f.unique && mapped.has(f.name) && f.name !== this.matchField)
        .map((f) => [f.name, new Map<string, number>()]),
    );
  }

  /** Judges one row. */
  check(row: SheetRow, now = new Date()): RowVerdict {
    if (this.filter && !matches(this.filter, { record: row.data, now }))
      return { kind: 'filtered', row: row.row };
    const problems: RowProblem[] = row.issues.map((message) => ({
      row: row.row,
      field: null,
      code: 'cell_invalid',
      message,
    }));
    const problem = (field: string | null, code: string, message: string) =>
      problems.push({ row: row.row, field, code, message });
    const keyColumn = this.mapping.source.key;
    const key = keyOf(row.data[keyColumn]);
    if (key === null) problem(null, 'key_missing', `column '${keyColumn}' (the record key) is empty`);
    const mapped = this.map(row.data);
    if (!mapped.ok) for (const e of mapped.errors) problem(e.field, e.code, e.message);
    const payload = mapped.payload;
    for (const field of this.emailTargets) {
      const v = payload[field];
      if (typeof v === 'string' && v !== '' && !isEmailAddress(v.trim().toLowerCase()))
        problem(field, 'invalid_email', `'${v}' is not a valid e-mail address`);
    }
    for (const [field, type] of this.types) {
      const wanted = typeProblem(payload[field], type);
      if (wanted)
        problem(field, 'invalid_type', `${field} must be ${wanted}, got '${String(payload[field])}'`);
    }
    const matchValue = keyOf(payload[this.matchField]);
    if (mapped.ok && matchValue === null)
      problem(this.matchField, 'match_key_missing', `${this.matchField} (the match key) is empty`);
    if (key !== null) {
      const first = this.seenKeys.get(key);
      if (first !== undefined)
        problem(null, 'duplicate_key', `the same ${keyColumn} '${key}' as row ${first}`);
      else this.seenKeys.set(key, row.row);
    }
    if (matchValue !== null) {
      const norm = matchValue.toLowerCase();
      const first = this.seenMatch.get(norm);
      if (first !== undefined)
        problem(
          this.matchField,
          'duplicate_match_key',
          `the same ${this.matchField} '${matchValue}' as row ${first}`,
        );
      else this.seenMatch.set(norm, row.row);
    }
    for (const [field, seen] of this.uniqueFields) {
      const value = keyOf(payload[field])?.toLowerCase();
      if (value === undefined) continue;
      const first = seen.get(value);
      if (first !== undefined)
        problem(
          field,
          'duplicate_value',
          `the same ${field} '${String(payload[field])}' as row ${first}; the target allows it once`,
        );
      else seen.set(value, row.row);
    }
    if (problems.length) return { kind: 'invalid', row: row.row, key, data: row.data, payload, problems };
    return { kind: 'valid', row: row.row, key: key as string, data: row.data, payload };
  }
}

/** The reason text of a row for the error file and remarks: every problem, field first. */
export function reasonText(problems: RowProblem[]): string {
  return problems
    .map((p) => (p.field && !p.message.includes(p.field) ? `${p.field}: ${p.message}` : p.message))
    .join('; ');
}
