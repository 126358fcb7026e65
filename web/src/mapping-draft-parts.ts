import { compact, keep } from './draft-values.ts';
import type { MappingDefinitionInput } from './types.ts';

/**
 * The form state of read-back, initial matching and associations, and how each is saved over the
 * definition it was opened from: untouched parts stay exactly as they were (unknown keys included), a
 * part whose inputs are all emptied is left out.
 */

type ReadBack = NonNullable<MappingDefinitionInput['readBack']>;
type InitialMatching = NonNullable<MappingDefinitionInput['initialMatching']>;
type Association = NonNullable<MappingDefinitionInput['associations']>[number];

/** Read-back: the target property to keep, the target's id property, the source column to write it to. */
export interface ReadBackDraft {
  property: string;
  idProperty: string;
  writeTo: string;
}

/** Initial matching: the target property to look records up by, and the mapped field carrying it. */
export interface InitialMatchingDraft {
  property: string;
  source: string;
}

/** One association: the related records' target object, the source field with their key, their mapping. */
export interface AssociationDraft {
  object: string;
  from: string;
  mapping: string;
  /** The association as it was opened (absent for a new row). */
  base?: Association;
}

export const readBackDraft = (r: ReadBack | undefined): ReadBackDraft => ({
  property: r?.property ?? '',
  idProperty: r?.idProperty ?? '',
  writeTo: r?.writeTo ?? '',
});

export const initialMatchingDraft = (m: InitialMatching | undefined): InitialMatchingDraft => ({
  property: m?.property ?? '',
  source: m?.source ?? '',
});

export const associationDrafts = (list: readonly Association[] | undefined): AssociationDraft[] =>
  (list ?? []).map((a) => ({ object: a.object, from: a.from, mapping: a.mapping, base: a }));

export const emptyAssociation = (): AssociationDraft => ({ object: '', from: '', mapping: '' });

/** Laid over `base`; undefined when every input is empty (no read-back). */
export function fromReadBackDraft(base: ReadBack | undefined, d: ReadBackDraft): ReadBack | undefined {
  if (!d.property.trim() && !d.idProperty.trim() && !d.writeTo.trim()) return undefined;
  return compact({
    ...base,
    property: keep(base?.property, d.property),
    idProperty: keep(base?.idProperty, d.idProperty),
    writeTo: keep(base?.writeTo, d.writeTo),
  }) as ReadBack;
}

/** Laid over `base`; undefined when both inputs are empty (no initial matching). */
export function fromInitialMatchingDraft(
  base: InitialMatching | undefined,
  d: InitialMatchingDraft,
): InitialMatching | undefined {
  if (!d.property.trim() && !d.source.trim()) return undefined;
  return compact({
    ...base,
    property: keep(base?.property, d.property),
    source: keep(base?.source, d.source),
  }) as InitialMatching;
}

/**
 * The associations to save: each row over the association it was opened from, rows left wholly empty
 * dropped; none at all is no `associations` key unless the definition had one.
 */
export function fromAssociationDrafts(
  base: readonly Association[] | undefined,
  rows: readonly AssociationDraft[],
): Association[] | undefined {
  const kept = rows
    .filter((r) => r.object.trim() || r.from.trim() || r.mapping.trim())
    .map(
      (r) =>
        compact({
          ...r.base,
          object: keep(r.base?.object, r.object),
          from: keep(r.base?.from, r.from),
          mapping: keep(r.base?.mapping, r.mapping),
        }) as Association,
    );
  return kept.length === 0 && base === undefined ? undefined : kept;
}
