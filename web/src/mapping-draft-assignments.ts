import { choose, compact, keep } from './draft-values.ts';
import { emptyField, type FieldDraft, fieldDraft, fromFieldDraft } from './field-draft.ts';
import type { MappingDefinitionInput } from './types.ts';

/**
 * Further assignments while they are edited: each runs after the mapping's own one, in order, and takes
 * what it leaves empty (source object and key, target object, match key) from the mapping. The form
 * edits name, source object and key, target object, match key, filter, fields, sync option and
 * identifier; the rest of an assignment (connection overrides, write-back, read-back, initial matching,
 * unknown keys) is saved as it was opened.
 */

type Assignment = NonNullable<MappingDefinitionInput['assignments']>[number];

export interface AssignmentDraft {
  /** The assignment as it was opened (absent for a new one). */
  base?: Assignment;
  name: string;
  sourceObject: string;
  sourceKey: string;
  targetObject: string;
  matchKey: string;
  filter: string;
  fields: FieldDraft[];
  sync: '' | 'insert' | 'update' | 'upsert';
  identifier: '' | 'source' | 'target';
}

export const assignmentDraft = (a: Assignment): AssignmentDraft => ({
  base: a,
  name: a.name ?? '',
  sourceObject: a.source?.object ?? '',
  sourceKey: a.source?.key ?? '',
  targetObject: a.target?.object ?? '',
  matchKey: a.matchKey?.target ?? '',
  filter: a.filter ?? '',
  fields: a.fields.map(fieldDraft),
  sync: a.sync ?? '',
  identifier: a.identifier ?? '',
});

export const emptyAssignment = (): AssignmentDraft => ({
  name: '',
  sourceObject: '',
  sourceKey: '',
  targetObject: '',
  matchKey: '',
  filter: '',
  fields: [emptyField()],
  sync: '',
  identifier: '',
});

/** An optional object part: absent when it was absent and nothing is set in it now. */
function part<T extends object>(base: T | undefined, next: T): T | undefined {
  return base === undefined && Object.keys(next).length === 0 ? undefined : next;
}

/** The assignment to save, laid over the one it was opened from. */
export function fromAssignmentDraft(d: AssignmentDraft): Assignment {
  const b: Partial<Assignment> = d.base ?? {};
  return compact({
    ...b,
    name: keep(b.name, d.name),
    source: part(
      b.source,
      compact({
        ...b.source,
        object: keep(b.source?.object, d.sourceObject),
        key: keep(b.source?.key, d.sourceKey),
      }),
    ),
    target: part(b.target, compact({ ...b.target, object: keep(b.target?.object, d.targetObject) })),
    // Without a match key of its own the assignment takes the mapping's (a match key needs its target).
    matchKey: d.matchKey.trim()
      ? compact({ ...b.matchKey, target: keep(b.matchKey?.target, d.matchKey) as string })
      : undefined,
    fields: d.fields.filter((f) => f.target.trim()).map(fromFieldDraft),
    filter: keep(b.filter, d.filter, false),
    sync: choose(b.sync, d.sync, ''),
    identifier: choose(b.identifier, d.identifier, ''),
  }) as Assignment;
}

/** The assignments to save, in the form's order; none is no `assignments` key unless there was one. */
export function fromAssignmentDrafts(
  base: readonly Assignment[] | undefined,
  rows: readonly AssignmentDraft[],
): Assignment[] | undefined {
  return rows.length === 0 && base === undefined ? undefined : rows.map(fromAssignmentDraft);
}

/** The parts of an assignment the form keeps as they are (shown beside it). */
export function keptAssignmentParts(
  d: AssignmentDraft,
): ('connections' | 'writeBack' | 'readBack' | 'initialMatching')[] {
  const b = d.base;
  if (!b) return [];
  return [
    ...(b.source?.connectionId || b.target?.connectionId ? (['connections'] as const) : []),
    ...(b.writeBack ? (['writeBack'] as const) : []),
    ...(b.readBack ? (['readBack'] as const) : []),
    ...(b.initialMatching ? (['initialMatching'] as const) : []),
  ];
}
