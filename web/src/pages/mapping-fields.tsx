import { Field } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { emptyField, type FieldDraft } from '../mapping-draft.ts';
import { TransformEditor } from './transform-editor.tsx';

/** The field mappings: target field, where its value comes from, transforms, required. */
export function MappingFields({
  fields,
  onChange,
  sourceList,
  targetList,
  error,
}: {
  fields: FieldDraft[];
  onChange: (f: FieldDraft[]) => void;
  sourceList: string;
  targetList: string;
  error?: string;
}) {
  const { t } = useI18n();
  const update = (i: number, patch: Partial<FieldDraft>) =>
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <div className="field-rows">
      {fields.map((f, i) => {
        const label = `${t('map.targetField')} ${i + 1}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are identified by their place in the list
          <div className="field-row" key={i} data-field-row={i}>
            <div className="field-row-main">
              <Field label={label}>
                {(p) => (
                  <input
                    {...p}
                    list={targetList}
                    value={f.target}
                    onChange={(e) => update(i, { target: e.target.value })}
                  />
                )}
              </Field>
              <Field label={t('map.kind')}>
                {(p) => (
                  <select
                    {...p}
                    value={f.kind}
                    onChange={(e) => update(i, { kind: e.target.value as FieldDraft['kind'] })}
                  >
                    <option value="from">{t('map.kind.from')}</option>
                    <option value="value">{t('map.kind.value')}</option>
                    <option value="template">{t('map.kind.template')}</option>
                  </select>
                )}
              </Field>
              <Field
                label={t(`map.kind.${f.kind}`)}
                hint={f.kind === 'template' ? t('map.templateHint') : undefined}
              >
                {(p) => (
                  <input
                    {...p}
                    list={f.kind === 'from' ? sourceList : undefined}
                    value={f.input}
                    onChange={(e) => update(i, { input: e.target.value })}
                  />
                )}
              </Field>
              <label className="check required-check">
                <input
                  type="checkbox"
                  checked={f.required}
                  onChange={(e) => update(i, { required: e.target.checked })}
                />
                {t('map.required')}
              </label>
              <button
                type="button"
                className="btn btn-small btn-ghost remove-field"
                aria-label={t('map.removeField', { n: i + 1 })}
                onClick={() => onChange(fields.filter((_, j) => j !== i))}
                disabled={fields.length === 1}
              >
                ✕
              </button>
            </div>
            <TransformEditor
              fieldLabel={label}
              value={f.transform}
              onChange={(transform) => update(i, { transform })}
            />
          </div>
        );
      })}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
      <button type="button" className="btn btn-small" onClick={() => onChange([...fields, emptyField()])}>
        + {t('map.addField')}
      </button>
    </div>
  );
}
