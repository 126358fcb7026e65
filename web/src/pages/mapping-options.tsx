import { Field } from '../components/ui.tsx';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import { type MappingDraft, WRITE_BACK_MARKS } from '../mapping-draft.ts';
import { DELETE_POLICIES } from '../options.ts';
import { MappingLinks } from './mapping-links.tsx';

type Choice<K extends keyof MappingDraft> = {
  key: K;
  label: TextKey;
  options: { value: MappingDraft[K]; label: TextKey }[];
};

const CHOICES = [
  {
    key: 'deletes',
    label: 'map.deletes',
    options: DELETE_POLICIES.map((d) => ({ value: d, label: `map.del.${d}` as TextKey })),
  } satisfies Choice<'deletes'>,
  {
    key: 'targetDeletes',
    label: 'map.targetDeletes',
    options: [
      { value: 'unlink', label: 'map.tdel.unlink' },
      { value: 'recreate', label: 'map.tdel.recreate' },
    ],
  } satisfies Choice<'targetDeletes'>,
  {
    key: 'privacy',
    label: 'map.privacy',
    options: [
      { value: '', label: 'map.privacy.default' },
      { value: 'delete', label: 'map.privacy.delete' },
      { value: 'anonymise', label: 'map.privacy.anonymise' },
    ],
  } satisfies Choice<'privacy'>,
  {
    key: 'sync',
    label: 'map.sync',
    options: [
      { value: '', label: 'map.sync.default' },
      { value: 'insert', label: 'map.sync.insert' },
      { value: 'update', label: 'map.sync.update' },
      { value: 'upsert', label: 'map.sync.upsert' },
    ],
  } satisfies Choice<'sync'>,
  {
    key: 'identifier',
    label: 'map.identifier',
    options: [
      { value: '', label: 'map.identifier.default' },
      { value: 'source', label: 'map.identifier.source' },
      { value: 'target', label: 'map.identifier.target' },
    ],
  } satisfies Choice<'identifier'>,
] as const;

/**
 * What happens on deletions and privacy requests, which writes are made, the sync marks written back
 * onto the source record, read-back, initial matching and associations.
 */
export function MappingOptions({
  draft,
  set,
  errorAt,
  sourceList,
  targetObjects,
}: {
  draft: MappingDraft;
  set: (patch: Partial<MappingDraft>) => void;
  errorAt: (place: string) => string | undefined;
  sourceList: string;
  targetObjects: readonly string[];
}) {
  const { t } = useI18n();
  return (
    <>
      <h2>{t('map.options')}</h2>
      <div className="grid-3">
        {CHOICES.map((c) => (
          <Field key={c.key} label={t(c.label)} error={errorAt(c.key)}>
            {(p) => (
              <select
                {...p}
                name={c.key}
                value={draft[c.key]}
                onChange={(e) => set({ [c.key]: e.target.value } as Partial<MappingDraft>)}
              >
                {c.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {t(o.label)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ))}
      </div>
      <h2>{t('map.writeBack')}</h2>
      <p className="muted small">{t('map.writeBackHint')}</p>
      <div className="grid-3">
        {WRITE_BACK_MARKS.map((mark) => (
          <Field key={mark} label={t(`map.mark.${mark}`)} error={errorAt(`writeBack.${mark}`)}>
            {(p) => (
              <input
                {...p}
                name={`writeBack.${mark}`}
                list={sourceList}
                value={draft.writeBack[mark]}
                onChange={(e) => set({ writeBack: { ...draft.writeBack, [mark]: e.target.value } })}
              />
            )}
          </Field>
        ))}
      </div>
      <MappingLinks draft={draft} set={set} errorAt={errorAt} targetObjects={targetObjects} />
    </>
  );
}
