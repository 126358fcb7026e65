import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { CompletionInput } from '../components/completion-input.tsx';
import { ErrorNote, Field, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { completeExpression, manyRelations, sourcePaths } from '../expression-completion.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { emptyDraft, fromDraft, type MappingDraft, toDraft } from '../mapping-draft.ts';
import { type AnyIssue, issueText, placeOf } from '../mapping-issues.ts';
import type { ConnectionRow, MappingRow } from '../types.ts';
import { useUnsavedChangesPrompt } from '../unsaved-changes.ts';
import { MappingAssignments } from './mapping-assignments.tsx';
import { MappingFields } from './mapping-fields.tsx';
import { MappingOptions } from './mapping-options.tsx';
import { fieldIssuesAt, isPlaced } from './mapping-places.ts';
import { DryRunPanel, MappingPreview } from './mapping-preview.tsx';
import { SidePicker, useSideObjects } from './mapping-side.tsx';

/** The filter's issue in words, with a caret under the character it is about. */
function FilterError({ filter, issue }: { filter: string; issue: AnyIssue }) {
  const { t } = useI18n();
  const pos =
    issue.position ?? (typeof issue.params?.position === 'number' ? issue.params.position : undefined);
  return (
    <div className="filter-error" data-position={pos}>
      <div>{issueText(t, issue)}</div>
      {pos === undefined ? null : (
        <pre className="caret" aria-hidden="true">
          {filter}
          {'\n'}
          {' '.repeat(pos)}^
        </pre>
      )}
    </div>
  );
}

/** Create or edit a mapping definition, with live preview and dry run. */
export function MappingEditor() {
  const { id: editId } = useParams();
  const isNew = editId === undefined;
  const { t } = useI18n();
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const stored = useResource<MappingRow>(isNew ? null : `/api/mappings/${seg(editId)}`);
  const connections = useResource<{ connections: ConnectionRow[] }>('/api/connections');
  const [draft, setDraft] = useState<MappingDraft>(emptyDraft);
  // What the definition was when opened or last saved: leaving with anything else asks first.
  const [savedJson, setSavedJson] = useState(() => JSON.stringify(fromDraft(emptyDraft())));
  const [issues, setIssues] = useState<AnyIssue[]>([]);
  const [warnings, setWarnings] = useState<AnyIssue[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!stored.data) return;
    const opened = toDraft(stored.data);
    setDraft(opened);
    setSavedJson(JSON.stringify(fromDraft(opened)));
  }, [stored.data]);
  const dirty = isAdmin && JSON.stringify(fromDraft(draft)) !== savedJson;
  useUnsavedChangesPrompt(dirty, t('map.unsaved'));
  const set = (patch: Partial<MappingDraft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const errorAt = (place: string) =>
    issues
      .filter((i) => placeOf(i) === place)
      .map((i) => issueText(t, i))
      .join(' ') || undefined;
  const issuesOf = fieldIssuesAt(issues, t, '');
  const conns = connections.data?.connections ?? [];
  const sourceSide = useSideObjects('source', conns, draft.source.connectionId);
  const targetSide = useSideObjects('target', conns, draft.target.connectionId);
  // The source's fields and relation paths, for the `from` pickers, formulas and the filter.
  const source = useMemo(
    () => ({
      paths: sourcePaths(sourceSide.objects, draft.source.object),
      many: manyRelations(sourceSide.objects, draft.source.object),
    }),
    [sourceSide.objects, draft.source.object],
  );
  const elsewhere = useMemo(() => issues.filter((i) => !isPlaced(placeOf(i))), [issues]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = fromDraft(draft);
    try {
      const answer = await apiSend<{ warnings?: AnyIssue[] }>('PUT', `/api/mappings/${seg(draft.id)}`, body);
      setIssues([]);
      setWarnings(answer.warnings ?? []);
      setSaved(true);
      setSavedJson(JSON.stringify(body));
      if (isNew) navigate(`/mappings/${seg(draft.id)}`, { replace: true });
    } catch (err) {
      const api = err as ApiError;
      const details = api.details as { issues?: AnyIssue[]; warnings?: AnyIssue[] } | undefined;
      setIssues(details?.issues ?? []);
      setWarnings(details?.warnings ?? []);
      setError(api);
    }
  };
  if (!isNew && stored.error) return <ErrorNote error={stored.error} />;
  if (!isNew && !stored.data) return <Loading />;
  const filterIssue = issues.find((i) => placeOf(i) === 'filter');
  return (
    <>
      <p>
        <Link to="/mappings">← {t('map.title')}</Link>
      </p>
      <PageHeader
        title={isNew ? t('map.new') : `${t(isAdmin ? 'map.edit' : 'nav.mappings')}: ${draft.name}`}
      />
      <div className="editor-layout">
        <form className="card form" onSubmit={save} aria-label={t('map.edit')}>
          <fieldset disabled={!isAdmin}>
            <div className="grid-2">
              <Field label={t('common.name')} error={errorAt('name')}>
                {(p) => (
                  <input
                    {...p}
                    name="name"
                    required
                    value={draft.name}
                    onChange={(e) => set({ name: e.target.value })}
                  />
                )}
              </Field>
              <Field
                label={t('common.id')}
                hint={isNew ? t('common.idHint') : undefined}
                error={errorAt('id')}
              >
                {(p) => (
                  <input
                    {...p}
                    name="id"
                    required
                    readOnly={!isNew}
                    pattern="[A-Za-z0-9][A-Za-z0-9_\-]*"
                    value={draft.id}
                    onChange={(e) => set({ id: e.target.value })}
                  />
                )}
              </Field>
            </div>
            <div className="grid-2 sides">
              <div>
                <SidePicker
                  side="source"
                  described={sourceSide}
                  listId="source-fields"
                  connections={conns}
                  connectionId={draft.source.connectionId}
                  object={draft.source.object}
                  onChange={(p) => set({ source: { ...draft.source, ...p } })}
                  errorAt={errorAt}
                />
                <Field label={t('map.key')} error={errorAt('source.key')}>
                  {(p) => (
                    <input
                      {...p}
                      name="source.key"
                      list="source-fields"
                      required
                      value={draft.source.key}
                      onChange={(e) => set({ source: { ...draft.source, key: e.target.value } })}
                    />
                  )}
                </Field>
                <Field label={t('map.modifiedField')} error={errorAt('source.modifiedField')}>
                  {(p) => (
                    <input
                      {...p}
                      list="source-fields"
                      value={draft.source.modifiedField}
                      onChange={(e) => set({ source: { ...draft.source, modifiedField: e.target.value } })}
                    />
                  )}
                </Field>
              </div>
              <div>
                <SidePicker
                  side="target"
                  described={targetSide}
                  listId="target-fields"
                  connections={conns}
                  connectionId={draft.target.connectionId}
                  object={draft.target.object}
                  onChange={(p) => set({ target: { ...draft.target, ...p } })}
                  errorAt={errorAt}
                />
                <Field label={t('map.matchKey')} error={errorAt('matchKey.target')}>
                  {(p) => (
                    <input
                      {...p}
                      name="matchKey.target"
                      list="target-fields"
                      required
                      value={draft.matchKey.target}
                      onChange={(e) => set({ matchKey: { ...draft.matchKey, target: e.target.value } })}
                    />
                  )}
                </Field>
                <Field label={t('map.matchSource')} error={errorAt('matchKey.source')}>
                  {(p) => (
                    <input
                      {...p}
                      name="matchKey.source"
                      value={draft.matchKey.source}
                      placeholder={draft.matchKey.target}
                      onChange={(e) => set({ matchKey: { ...draft.matchKey, source: e.target.value } })}
                    />
                  )}
                </Field>
              </div>
            </div>
            <Field
              label={t('map.filter')}
              hint={`${t('map.filterHint')} ${t('complete.hint')}`}
              error={filterIssue ? <FilterError filter={draft.filter} issue={filterIssue} /> : undefined}
            >
              {(p) => (
                <CompletionInput
                  field={p}
                  multiline
                  name="filter"
                  className="mono"
                  rows={2}
                  value={draft.filter}
                  onValue={(filter) => set({ filter })}
                  complete={(text, caret, force) => completeExpression(text, caret, source, force)}
                  listLabel={t('complete.list')}
                />
              )}
            </Field>
            <h2>{t('map.fields')}</h2>
            <MappingFields
              fields={draft.fields}
              onChange={(fields) => set({ fields })}
              source={source}
              targetList="target-fields"
              issuesOf={issuesOf}
              error={errorAt('fields')}
            />
            <MappingOptions
              draft={draft}
              set={set}
              errorAt={errorAt}
              sourceList="source-fields"
              targetObjects={targetSide.objects.map((o) => o.name)}
            />
            <MappingAssignments
              draft={draft}
              set={set}
              errorAt={errorAt}
              issuesAt={(prefix) => fieldIssuesAt(issues, t, prefix)}
              sourceObjects={sourceSide.objects}
            />
          </fieldset>
          {isAdmin ? (
            <div className="form-actions save-row" data-testid="save-row">
              <button type="submit" className="btn btn-primary">
                {t('common.save')}
              </button>
              {error && issues.length === 0 ? <ErrorNote error={error} /> : null}
              {error && issues.length > 0 ? (
                <div role="alert" className="save-problems">
                  <Notice tone="error">{t('map.notSaved', { n: issues.length })}</Notice>
                  {elsewhere.length > 0 ? (
                    <ul className="save-issues">
                      {elsewhere.map((i) => (
                        <li key={`${i.field}-${i.message}`}>
                          <span className="place">{placeOf(i)}</span>: {issueText(t, i)}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              ) : null}
              {saved ? (
                <Notice>{warnings.length ? t('map.savedWithWarnings') : t('common.saved')}</Notice>
              ) : null}
              {warnings.length > 0 ? (
                <ul
                  className="save-issues warnings"
                  aria-label={t('map.warnings')}
                  data-testid="mapping-warnings"
                >
                  {warnings.map((w) => (
                    <li key={`${w.field}-${w.message}`}>
                      <span className="place">{placeOf(w)}</span>: {issueText(t, w)}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </form>
        {isAdmin ? (
          <div className="editor-side">
            <MappingPreview draft={draft} onIssues={setIssues} />
            {!isNew ? <DryRunPanel mappingId={draft.id} /> : null}
          </div>
        ) : null}
      </div>
    </>
  );
}
