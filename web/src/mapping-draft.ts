import { choose, compact, keep, same } from './draft-values.ts';
import {
  type AssociationDraft,
  associationDrafts,
  fromAssociationDrafts,
  fromInitialMatchingDraft,
  fromReadBackDraft,
  type InitialMatchingDraft,
  initialMatchingDraft,
  type ReadBackDraft,
  readBackDraft,
} from './mapping-draft-parts.ts';
import type { FieldMappingInput, MappingDefinitionInput, TransformInput } from './types.ts';

/**
 * The mapping editor's form state. A draft keeps the definition it was opened from (`base`) and
 * `fromDraft` lays the edited parts over it: what the form does not edit (further assignments, unknown
 * keys) and what was not changed is saved exactly as it was, so
 * opening and saving a mapping changes nothing (test/web/mapping-draft-round-trip.test.ts).
 */

/** Where a field's value comes from. */
export const FIELD_KINDS = ['from', 'value', 'template', 'formula'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** The sync marks a mapping can write back onto the source record, in the order the form shows them. */
export const WRITE_BACK_MARKS = ['externalId', 'lastSync', 'lastSuccess', 'status', 'remark'] as const;
export type WriteBackMark = (typeof WRITE_BACK_MARKS)[number];

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

type Definition = Omit<MappingDefinitionInput, 'id'> & { id?: string };

/** A mapping definition while it is edited (strings where the form has text inputs; '' means absent). */
export interface MappingDraft {
  /** The definition as it was opened; everything the form leaves alone is saved from here. */
  base: Partial<Definition>;
  id: string;
  name: string;
  source: { connectionId: string; object: string; key: string; modifiedField: string };
  target: { connectionId: string; object: string };
  matchKey: { target: string; source: string };
  fields: FieldDraft[];
  filter: string;
  deletes: 'propagate' | 'archive' | 'ignore';
  targetDeletes: 'unlink' | 'recreate';
  privacy: '' | 'delete' | 'anonymise';
  sync: '' | 'insert' | 'update' | 'upsert';
  identifier: '' | 'source' | 'target';
  writeBack: Record<WriteBackMark, string>;
  readBack: ReadBackDraft;
  initialMatching: InitialMatchingDraft;
  associations: AssociationDraft[];
}

export const emptyField = (): FieldDraft => ({
  target: '',
  kind: 'from',
  input: '',
  required: false,
  transform: [],
});

const noMarks = (): Record<WriteBackMark, string> => ({
  externalId: '',
  lastSync: '',
  lastSuccess: '',
  status: '',
  remark: '',
});

export const emptyDraft = (): MappingDraft => ({
  base: {},
  id: '',
  name: '',
  source: { connectionId: '', object: '', key: '', modifiedField: '' },
  target: { connectionId: '', object: '' },
  matchKey: { target: '', source: '' },
  fields: [emptyField()],
  filter: '',
  deletes: 'ignore',
  targetDeletes: 'unlink',
  privacy: '',
  sync: '',
  identifier: '',
  writeBack: noMarks(),
  readBack: readBackDraft(undefined),
  initialMatching: initialMatchingDraft(undefined),
  associations: [],
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

/** The form state of a stored definition. */
export function toDraft(m: Definition): MappingDraft {
  return {
    base: m,
    id: m.id ?? '',
    name: m.name,
    source: {
      connectionId: m.source.connectionId,
      object: m.source.object,
      key: m.source.key,
      modifiedField: m.source.modifiedField ?? '',
    },
    target: { connectionId: m.target.connectionId, object: m.target.object },
    matchKey: { target: m.matchKey.target, source: m.matchKey.source ?? '' },
    fields: m.fields.map(fieldDraft),
    filter: m.filter ?? '',
    deletes: m.deletes ?? 'ignore',
    targetDeletes: m.targetDeletes ?? 'unlink',
    privacy: m.privacy ?? '',
    sync: m.sync ?? '',
    identifier: m.identifier ?? '',
    writeBack: Object.fromEntries(WRITE_BACK_MARKS.map((k) => [k, m.writeBack?.[k] ?? ''])) as Record<
      WriteBackMark,
      string
    >,
    readBack: readBackDraft(m.readBack),
    initialMatching: initialMatchingDraft(m.initialMatching),
    associations: associationDrafts(m.associations),
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

/** The definition the API takes (without `id`), from the form state laid over the opened definition. */
export function fromDraft(d: MappingDraft): Omit<MappingDefinitionInput, 'id'> {
  const { id: _id, ...base } = d.base;
  // Every mark is set from the form (an emptied one drops out); keys the form does not know stay.
  const marks = compact({
    ...base.writeBack,
    ...Object.fromEntries(WRITE_BACK_MARKS.map((k) => [k, keep(base.writeBack?.[k], d.writeBack[k])])),
  });
  const writeBack = base.writeBack === undefined && Object.keys(marks).length === 0 ? undefined : marks;
  return compact({
    ...base,
    name: d.name,
    source: compact({
      ...base.source,
      connectionId: d.source.connectionId,
      object: d.source.object,
      key: d.source.key,
      modifiedField: keep(base.source?.modifiedField, d.source.modifiedField),
    }),
    target: { ...base.target, connectionId: d.target.connectionId, object: d.target.object },
    matchKey: compact({
      ...base.matchKey,
      target: d.matchKey.target,
      source: keep(base.matchKey?.source, d.matchKey.source),
    }),
    fields: d.fields.filter((f) => f.target.trim()).map(fromFieldDraft),
    filter: keep(base.filter, d.filter, false),
    deletes: choose(base.deletes, d.deletes, 'ignore'),
    targetDeletes: choose(base.targetDeletes, d.targetDeletes, 'unlink'),
    privacy: choose(base.privacy, d.privacy, ''),
    sync: choose(base.sync, d.sync, ''),
    identifier: choose(base.identifier, d.identifier, ''),
    writeBack,
    readBack: fromReadBackDraft(base.readBack, d.readBack),
    initialMatching: fromInitialMatchingDraft(base.initialMatching, d.initialMatching),
    associations: fromAssociationDrafts(base.associations, d.associations),
  }) as Omit<MappingDefinitionInput, 'id'>;
}

/** The parts of a definition the form does not edit, with how many each has (shown as "kept as is"). */
export function keptParts(d: MappingDraft): { part: 'assignments'; count: number }[] {
  const count = d.base.assignments?.length ?? 0;
  return count > 0 ? [{ part: 'assignments', count }] : [];
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
