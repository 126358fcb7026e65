import { compact, same } from './draft-values.ts';
import type { FieldMappingInput, TransformInput } from './types.ts';

/**
 * A field mapping while it is edited, for the mapping and each of its assignments: where the value comes
 * from is one choice plus its text, and what the row did not change is saved as it was opened.
 */

/** Where a field's value comes from. */
export const FIELD_KINDS = ['from', 'value', 'template', 'formula'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** A field mapping while it is edited: where the value comes from is one choice plus its text. */
export interface FieldDraft {
  target: string;
  kind: FieldKind;
  input: string;
  required: boolean;
  transform: TransformInput[];
  /** The field as it was opened (absent for a new row). */
  base?: FieldMappingInput;
}

export const emptyField = (): FieldDraft => ({
  target: '',
  kind: 'from',
  input: '',
  required: false,
  transform: [],
});

function kindOf(f: FieldMappingInput): FieldKind {
  if (f.from !== undefined) return 'from';
  if (f.template !== undefined) return 'template';
  if (f.formula !== undefined) return 'formula';
  return 'value';
}

// A constant shows as itself when it is text, as JSON otherwise (42, true, {"a":1}).
function inputOf(f: FieldMappingInput, kind: FieldKind): string {
  if (kind === 'value') return typeof f.value === 'string' ? f.value : (JSON.stringify(f.value) ?? '');
  return (kind === 'from' ? f.from : kind === 'template' ? f.template : f.formula) ?? '';
}

/** The form state of a field mapping. */
export function fieldDraft(f: FieldMappingInput): FieldDraft {
  const kind = kindOf(f);
  return {
    target: f.target,
    kind,
    input: inputOf(f, kind),
    required: f.required ?? false,
    transform: f.transform ?? [],
    base: f,
  };
}

// A constant typed as 42, true, null, {…} or […] means that value; anything else is text.
function constant(input: string): unknown {
  const text = input.trim();
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(text)) return JSON.parse(text);
  if (/^[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all: the text is the constant.
    }
  }
  return input;
}

/** The field mapping to save, from its row: what the row did not change is kept as it was opened. */
export function fromFieldDraft(f: FieldDraft): FieldMappingInput {
  const base = f.base;
  const {
    from: _f,
    value: _v,
    template: _t,
    formula: _x,
    ...rest
  } = base ?? ({} as Partial<FieldMappingInput>);
  const unchangedSource = base !== undefined && f.kind === kindOf(base) && f.input === inputOf(base, f.kind);
  const source: Partial<FieldMappingInput> = unchangedSource
    ? { [f.kind]: base[f.kind] }
    : f.kind === 'from'
      ? { from: f.input.trim() }
      : f.kind === 'template'
        ? { template: f.input }
        : f.kind === 'formula'
          ? { formula: f.input }
          : { value: constant(f.input) };
  return compact({
    ...rest,
    target: base && f.target.trim() === base.target ? base.target : f.target.trim(),
    ...source,
    transform: base && same(f.transform, base.transform ?? []) ? base.transform : f.transform,
    required: base && f.required === (base.required ?? false) ? base.required : f.required,
  }) as FieldMappingInput;
}
