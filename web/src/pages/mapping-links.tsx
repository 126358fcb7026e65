import { Field } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { MappingDraft } from '../mapping-draft.ts';
import { type AssociationDraft, emptyAssociation } from '../mapping-draft-parts.ts';
import type { MappingRow } from '../types.ts';

/**
 * How the mapping's records are tied to the target beyond their fields: read-back of what the target
 * assigns, initial matching of existing target records, and associations to related records.
 */
export function MappingLinks({
  draft,
  set,
  errorAt,
  targetObjects,
}: {
  draft: MappingDraft;
  set: (patch: Partial<MappingDraft>) => void;
  errorAt: (place: string) => string | undefined;
  /** The target connection's objects (for the associations' related object). */
  targetObjects: readonly string[];
}) {
  const { t } = useI18n();
  const mappings = useResource<{ mappings: MappingRow[] }>('/api/mappings');
  const { readBack, initialMatching, associations } = draft;
  const mapped = [...new Set(draft.fields.map((f) => f.target.trim()).filter(Boolean))];
  const updateAssociation = (i: number, patch: Partial<AssociationDraft>) =>
    set({ associations: associations.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  return (
    <>
      <h2>{t('map.readBack')}</h2>
      <p className="muted small">{t('map.readBackHint')}</p>
      <div className="grid-3">
        <Field label={t('map.readBack.property')} error={errorAt('readBack.property')}>
          {(p) => (
            <input
              {...p}
              name="readBack.property"
              list="target-fields"
              value={readBack.property}
              onChange={(e) => set({ readBack: { ...readBack, property: e.target.value } })}
            />
          )}
        </Field>
        <Field label={t('map.readBack.idProperty')} error={errorAt('readBack.idProperty')}>
          {(p) => (
            <input
              {...p}
              name="readBack.idProperty"
              list="target-fields"
              placeholder="id"
              value={readBack.idProperty}
              onChange={(e) => set({ readBack: { ...readBack, idProperty: e.target.value } })}
            />
          )}
        </Field>
        <Field label={t('map.readBack.writeTo')} error={errorAt('readBack.writeTo')}>
          {(p) => (
            <input
              {...p}
              name="readBack.writeTo"
              list="source-fields"
              value={readBack.writeTo}
              onChange={(e) => set({ readBack: { ...readBack, writeTo: e.target.value } })}
            />
          )}
        </Field>
      </div>
      <h2>{t('map.initialMatching')}</h2>
      <p className="muted small">{t('map.initialMatchingHint')}</p>
      <div className="grid-2">
        <Field label={t('map.initialMatching.property')} error={errorAt('initialMatching.property')}>
          {(p) => (
            <input
              {...p}
              name="initialMatching.property"
              list="target-fields"
              value={initialMatching.property}
              onChange={(e) => set({ initialMatching: { ...initialMatching, property: e.target.value } })}
            />
          )}
        </Field>
        <Field label={t('map.initialMatching.source')} error={errorAt('initialMatching.source')}>
          {(p) => (
            <input
              {...p}
              name="initialMatching.source"
              list="mapped-fields"
              placeholder={initialMatching.property}
              value={initialMatching.source}
              onChange={(e) => set({ initialMatching: { ...initialMatching, source: e.target.value } })}
            />
          )}
        </Field>
      </div>
      <h2>{t('map.associations')}</h2>
      <p className="muted small">{t('map.associationsHint')}</p>
      {errorAt('associations') ? (
        <div className="field-error" role="alert">
          {errorAt('associations')}
        </div>
      ) : null}
      <div className="field-rows">
        {associations.map((a, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are identified by their place in the list
          <div className="field-row association-row" key={i} data-association-row={i}>
            <div className="field-row-main">
              <Field label={t('map.assoc.object', { n: i + 1 })} error={errorAt(`associations.${i}.object`)}>
                {(p) => (
                  <input
                    {...p}
                    list="target-objects"
                    value={a.object}
                    onChange={(e) => updateAssociation(i, { object: e.target.value })}
                  />
                )}
              </Field>
              <Field label={t('map.assoc.from', { n: i + 1 })} error={errorAt(`associations.${i}.from`)}>
                {(p) => (
                  <input
                    {...p}
                    list="source-fields"
                    value={a.from}
                    onChange={(e) => updateAssociation(i, { from: e.target.value })}
                  />
                )}
              </Field>
              <Field
                label={t('map.assoc.mapping', { n: i + 1 })}
                error={errorAt(`associations.${i}.mapping`)}
              >
                {(p) => (
                  <input
                    {...p}
                    list="mapping-ids"
                    value={a.mapping}
                    onChange={(e) => updateAssociation(i, { mapping: e.target.value })}
                  />
                )}
              </Field>
              <button
                type="button"
                className="btn btn-small btn-ghost remove-field"
                aria-label={t('map.removeAssociation', { n: i + 1 })}
                onClick={() => set({ associations: associations.filter((_, j) => j !== i) })}
              >
                ✕
              </button>
            </div>
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => set({ associations: [...associations, emptyAssociation()] })}
        >
          + {t('map.addAssociation')}
        </button>
      </div>
      <datalist id="mapped-fields">
        {mapped.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <datalist id="target-objects">
        {targetObjects.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <datalist id="mapping-ids">
        {(mappings.data?.mappings ?? []).map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </datalist>
    </>
  );
}
