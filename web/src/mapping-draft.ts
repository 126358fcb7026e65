import type { FieldMappingInput, MappingDefinitionInput, TransformInput } from './types.ts';

/** A field mapping while it is edited: where the value comes from is one choice plus its text. */
export interface FieldDraft {
  target: string;
  kind: 'from' | 'value' | 'template';
  input: string;
  required: boolean;
  transform: TransformInput[];
}

/** A mapping definition while it is edited (strings where the form has text inputs). */
export interface MappingDraft {
  id: string;
  name: string;
  source: { connectionId: string; object: string; key: string; modifiedField: string };
  target: { connectionId: string; object: string };
  matchKey: { target: string; source: string };
  fields: FieldDraft[];
  filter: string;
  deletes: 'propagate' | 'archive' | 'ignore';
  writeBack?: MappingDefinitionInput['writeBack'];
}

export const emptyField = (): FieldDraft => ({
  target: '',
  kind: 'from',
  input: '',
  required: false,
  transform: [],
});

export const emptyDraft = (): MappingDraft => ({
  id: '',
  name: '',
  source: { connectionId: '', object: '', key: '', modifiedField: '' },
  target: { connectionId: '', object: '' },
  matchKey: { target: '', source: '' },
  fields: [emptyField()],
  filter: '',
  deletes: 'ignore',
});

/** The form state of a stored definition. */
export function toDraft(m: MappingDefinitionInput & { id: string }): MappingDraft {
  return {
    id: m.id,
    name: m.name,
    source: {
      connectionId: m.source.connectionId,
      object: m.source.object,
      key: m.source.key,
      modifiedField: m.source.modifiedField ?? '',
    },
    target: { ...m.target },
    matchKey: { target: m.matchKey.target, source: m.matchKey.source ?? '' },
    fields: m.fields.map((f) => {
      const kind = f.from !== undefined ? 'from' : f.template !== undefined ? 'template' : 'value';
      const input =
        kind === 'from'
          ? (f.from ?? '')
          : kind === 'template'
            ? (f.template ?? '')
            : typeof f.value === 'string'
              ? f.value
              : JSON.stringify(f.value);
      return { target: f.target, kind, input, required: f.required ?? false, transform: f.transform ?? [] };
    }),
    filter: m.filter ?? '',
    deletes: m.deletes ?? 'ignore',
    ...(m.writeBack ? { writeBack: m.writeBack } : {}),
  };
}

// A constant typed as 42, true or null means that value; anything else is text.
function constant(input: string): unknown {
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(input.trim())) return JSON.parse(input.trim());
  return input;
}

/** The definition the API takes (without `id`), from the form state. */
export function fromDraft(d: MappingDraft): Omit<MappingDefinitionInput, 'id'> {
  const fields: FieldMappingInput[] = d.fields
    .filter((f) => f.target.trim())
    .map((f) => ({
      target: f.target.trim(),
      ...(f.kind === 'from'
        ? { from: f.input.trim() }
        : f.kind === 'template'
          ? { template: f.input }
          : { value: constant(f.input) }),
      transform: f.transform,
      required: f.required,
    }));
  return {
    name: d.name,
    source: {
      connectionId: d.source.connectionId,
      object: d.source.object,
      key: d.source.key,
      ...(d.source.modifiedField ? { modifiedField: d.source.modifiedField } : {}),
    },
    target: d.target,
    matchKey: { target: d.matchKey.target, ...(d.matchKey.source ? { source: d.matchKey.source } : {}) },
    fields,
    ...(d.filter.trim() ? { filter: d.filter } : {}),
    deletes: d.deletes,
    ...(d.writeBack ? { writeBack: d.writeBack } : {}),
  };
}

/** Whether the draft has enough to be previewed. */
export const previewable = (d: MappingDraft) =>
  Boolean(
    d.source.connectionId &&
      d.source.object &&
      d.source.key &&
      d.target.connectionId &&
      d.target.object &&
      d.matchKey.target,
  ) && d.fields.some((f) => f.target.trim() && (f.kind === 'value' || f.input.trim()));
