import { CompletionInput } from '../components/completion-input.tsx';
import { Field } from '../components/ui.tsx';
import {
  completeExpression,
  manyRelations,
  type ObjectDescription,
  sourcePaths,
} from '../expression-completion.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import type { MappingDraft } from '../mapping-draft.ts';
import { type AssignmentDraft, emptyAssignment, keptAssignmentParts } from '../mapping-draft-assignments.ts';
import type { FieldIssues } from './mapping-fields.tsx';
import { MappingFields } from './mapping-fields.tsx';

const SYNC: { value: AssignmentDraft['sync']; label: TextKey }[] = [
  { value: '', label: 'map.sync.default' },
  { value: 'insert', label: 'map.sync.insert' },
  { value: 'update', label: 'map.sync.update' },
  { value: 'upsert', label: 'map.sync.upsert' },
];
const IDENTIFIER: { value: AssignmentDraft['identifier']; label: TextKey }[] = [
  { value: '', label: 'map.identifier.default' },
  { value: 'source', label: 'map.identifier.source' },
  { value: 'target', label: 'map.identifier.target' },
];

/**
 * The further assignments, in the order they run after the mapping's own: each with its name, the
 * source object and key and the target object it uses instead of the mapping's (empty: the mapping's),
 * match key, filter, fields, sync option and identifier. Moved up or down, added, removed.
 */
export function MappingAssignments({
  draft,
  set,
  errorAt,
  issuesAt,
  sourceObjects,
}: {
  draft: MappingDraft;
  set: (patch: Partial<MappingDraft>) => void;
  errorAt: (place: string) => string | undefined;
  issuesAt: (prefix: string) => FieldIssues;
  /** The source connection's objects (an assignment may read another one). */
  sourceObjects: readonly ObjectDescription[];
}) {
  const { t } = useI18n();
  const list = draft.assignments;
  const update = (i: number, patch: Partial<AssignmentDraft>) =>
    set({ assignments: list.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  const move = (i: number, by: -1 | 1) => {
    const next = [...list];
    const [a] = next.splice(i, 1);
    if (a) next.splice(i + by, 0, a);
    set({ assignments: next });
  };
  return (
    <>
      <h2>{t('map.assignments')}</h2>
      <p className="muted small">{t('map.assignmentsHint')}</p>
      {list.map((a, i) => {
        const n = i + 1;
        const at = (part: string) => errorAt(`assignments.${i}.${part}`);
        const object = a.sourceObject.trim() || draft.source.object;
        const source = {
          paths: sourcePaths(sourceObjects, object),
          many: manyRelations(sourceObjects, object),
        };
        const kept = keptAssignmentParts(a);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: assignments are identified by their place in the order
          <fieldset className="group-box assignment" key={i} data-assignment={i}>
            <legend>
              {a.name ? t('map.asg.legendNamed', { n, name: a.name }) : t('map.asg.legend', { n })}
            </legend>
            <div className="row assignment-actions">
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={t('map.asg.up', { n })}
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={t('map.asg.down', { n })}
                disabled={i === list.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => set({ assignments: list.filter((_, j) => j !== i) })}
              >
                {t('map.asg.remove', { n })}
              </button>
            </div>
            {errorAt(`assignments.${i}`) ? (
              <div className="field-error" role="alert">
                {errorAt(`assignments.${i}`)}
              </div>
            ) : null}
            <Field label={t('map.asg.name', { n })} error={at('name')}>
              {(p) => <input {...p} value={a.name} onChange={(e) => update(i, { name: e.target.value })} />}
            </Field>
            <div className="grid-2">
              <Field label={t('map.asg.sourceObject', { n })} error={at('source.object')}>
                {(p) =>
                  // Without a description (it failed, or is loading) the object is typed.
                  sourceObjects.length === 0 ? (
                    <input
                      {...p}
                      placeholder={draft.source.object}
                      value={a.sourceObject}
                      onChange={(e) => update(i, { sourceObject: e.target.value })}
                    />
                  ) : (
                    <select
                      {...p}
                      value={a.sourceObject}
                      onChange={(e) => update(i, { sourceObject: e.target.value })}
                    >
                      <option value="">{t('map.asg.asMapping', { value: draft.source.object })}</option>
                      {a.sourceObject && !sourceObjects.some((o) => o.name === a.sourceObject) ? (
                        <option value={a.sourceObject}>{a.sourceObject}</option>
                      ) : null}
                      {sourceObjects.map((o) => (
                        <option key={o.name} value={o.name}>
                          {o.name}
                        </option>
                      ))}
                    </select>
                  )
                }
              </Field>
              <Field label={t('map.asg.sourceKey', { n })} error={at('source.key')}>
                {(p) => (
                  <input
                    {...p}
                    placeholder={draft.source.key}
                    value={a.sourceKey}
                    onChange={(e) => update(i, { sourceKey: e.target.value })}
                  />
                )}
              </Field>
              <Field label={t('map.asg.targetObject', { n })} error={at('target.object')}>
                {(p) => (
                  <input
                    {...p}
                    list="target-objects"
                    placeholder={draft.target.object}
                    value={a.targetObject}
                    onChange={(e) => update(i, { targetObject: e.target.value })}
                  />
                )}
              </Field>
              <Field label={t('map.asg.matchKey', { n })} error={at('matchKey.target')}>
                {(p) => (
                  <input
                    {...p}
                    placeholder={draft.matchKey.target}
                    value={a.matchKey}
                    onChange={(e) => update(i, { matchKey: e.target.value })}
                  />
                )}
              </Field>
            </div>
            <Field label={t('map.asg.filter', { n })} error={at('filter')}>
              {(p) => (
                <CompletionInput
                  field={p}
                  multiline
                  className="mono"
                  rows={2}
                  value={a.filter}
                  onValue={(filter) => update(i, { filter })}
                  complete={(text, caret, force) => completeExpression(text, caret, source, force)}
                  listLabel={t('complete.list')}
                />
              )}
            </Field>
            <MappingFields
              fields={a.fields}
              onChange={(fields) => update(i, { fields })}
              source={source}
              targetList="target-fields"
              issuesOf={issuesAt(`assignments.${i}.`)}
              error={at('fields')}
            />
            <div className="grid-2">
              <Field label={t('map.asg.sync', { n })} error={at('sync')}>
                {(p) => (
                  <select
                    {...p}
                    value={a.sync}
                    onChange={(e) => update(i, { sync: e.target.value as AssignmentDraft['sync'] })}
                  >
                    {SYNC.map((o) => (
                      <option key={o.value} value={o.value}>
                        {t(o.label)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('map.asg.identifier', { n })} error={at('identifier')}>
                {(p) => (
                  <select
                    {...p}
                    value={a.identifier}
                    onChange={(e) =>
                      update(i, { identifier: e.target.value as AssignmentDraft['identifier'] })
                    }
                  >
                    {IDENTIFIER.map((o) => (
                      <option key={o.value} value={o.value}>
                        {t(o.label)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            {kept.length > 0 ? (
              <p className="notice notice-info kept-parts" data-testid="kept-parts">
                {t('map.asg.kept')} {kept.map((k) => t(`map.asg.kept.${k}`)).join(', ')}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      {errorAt('assignments') ? (
        <div className="field-error" role="alert">
          {errorAt('assignments')}
        </div>
      ) : null}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => set({ assignments: [...list, emptyAssignment()] })}
      >
        + {t('map.addAssignment')}
      </button>
    </>
  );
}
