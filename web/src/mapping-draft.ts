import { choose, compact, keep } from './draft-values.ts';
import { emptyField, type FieldDraft, fieldDraft, fromFieldDraft } from './field-draft.ts';
import { type AssignmentDraft, assignmentDraft, fromAssignmentDrafts } from './mapping-draft-assignments.ts';
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
import type { MappingDefinitionInput } from './types.ts';

export {
  emptyField,
  FIELD_KINDS,
  type FieldDraft,
  type FieldKind,
  fieldDraft,
  fromFieldDraft,
} from './field-draft.ts';

/**
 * The mapping editor's form state. A draft keeps the definition it was opened from (`base`) and
 * `fromDraft` lays the edited parts over it: what the form does not edit (unknown keys, the parts of an
 * assignment it does not show) and what was not changed is saved exactly as it was, so opening and saving
 * a mapping changes nothing (test/mapping/mapping-draft-round-trip.test.ts).
 */

/** The sync marks a mapping can write back onto the source record, in the order the form shows them. */
export const WRITE_BACK_MARKS = ['externalId', 'lastSync', 'lastSuccess', 'status', 'remark'] as const;
export type WriteBackMark = (typeof WRITE_BACK_MARKS)[number];

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
  /** Further assignments, in the order they run. */
  assignments: AssignmentDraft[];
}

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
  assignments: [],
});

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
    assignments: (m.assignments ?? []).map(assignmentDraft),
  };
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
    assignments: fromAssignmentDrafts(base.assignments, d.assignments),
  }) as Omit<MappingDefinitionInput, 'id'>;
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
