import { CompletionInput } from '../components/completion-input.tsx';
import { Field } from '../components/ui.tsx';
import {
  completeExpression,
  completeSourceField,
  completeTemplate,
  type SourcePath,
  type Suggestion,
} from '../expression-completion.ts';
import { useI18n } from '../i18n/index.tsx';
import { emptyField, FIELD_KINDS, type FieldDraft } from '../mapping-draft.ts';
import { TransformEditor } from './transform-editor.tsx';

/** Where a field's issues show: at its target, at its value's input, or below the row (transforms…). */
export type FieldIssues = (row: number) => { target?: string; input?: string; row: string[] };

/**
 * The field mappings: target field, where its value comes from, transforms, required. A source field is
 * picked from the source's fields and relation paths; a formula completes names and functions.
 */
export function MappingFields({
  fields,
  onChange,
  source,
  targetList,
  issuesOf,
  error,
}: {
  fields: FieldDraft[];
  onChange: (f: FieldDraft[]) => void;
  /** The source object's fields and relation paths, and its to-many relations. */
  source: { paths: readonly SourcePath[]; many: readonly Suggestion[] };
  targetList: string;
  issuesOf: FieldIssues;
  error?: string;
}) {
  const { t } = useI18n();
  const update = (i: number, patch: Partial<FieldDraft>) =>
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <div className="field-rows">
      {fields.map((f, i) => {
        const label = `${t('map.targetField')} ${i + 1}`;
        const issues = issuesOf(i);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are identified by their place in the list
          <div className="field-row" key={i} data-field-row={i}>
            <div className="field-row-main">
              <Field label={label} error={issues.target}>
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
                    {FIELD_KINDS.map((k) => (
                      <option key={k} value={k}>
                        {t(`map.kind.${k}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field
                label={t(`map.kind.${f.kind}`)}
                hint={
                  f.kind === 'template'
                    ? t('map.templateHint')
                    : f.kind === 'formula'
                      ? t('map.formulaHint')
                      : undefined
                }
                error={issues.input}
              >
                {(p) =>
                  f.kind !== 'value' ? (
                    <CompletionInput
                      field={p}
                      className={f.kind === 'formula' ? 'mono' : undefined}
                      value={f.input}
                      onValue={(input) => update(i, { input })}
                      complete={(text, caret, force) =>
                        f.kind === 'from'
                          ? completeSourceField(text, source.paths)
                          : f.kind === 'template'
                            ? completeTemplate(text, caret, source.paths)
                            : completeExpression(text, caret, source, force)
                      }
                      listLabel={t('complete.list')}
                    />
                  ) : (
                    <input {...p} value={f.input} onChange={(e) => update(i, { input: e.target.value })} />
                  )
                }
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
            {issues.row.length > 0 ? (
              <ul className="row-issues" role="alert">
                {issues.row.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            ) : null}
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
