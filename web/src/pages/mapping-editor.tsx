import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Field, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { emptyDraft, fromDraft, type MappingDraft, toDraft } from '../mapping-draft.ts';
import { DELETE_POLICIES } from '../options.ts';
import type { ConnectionRow, Issue, MappingRow, ObjectDescription } from '../types.ts';
import { MappingFields } from './mapping-fields.tsx';
import { DryRunPanel, MappingPreview } from './mapping-preview.tsx';
import { useSampleColumns } from './sample-columns.tsx';

/** The filter with a caret under the character where parsing failed. */
function FilterError({ filter, issue }: { filter: string; issue: Issue }) {
  const { t } = useI18n();
  const pos = issue.position ?? 0;
  return (
    <div className="filter-error" data-position={pos}>
      <div>{t('map.filterErrorAt', { pos: pos + 1, message: issue.message })}</div>
      <pre className="caret" aria-hidden="true">
        {filter}
        {'\n'}
        {' '.repeat(pos)}^
      </pre>
    </div>
  );
}

/** Objects of one side's connection and a datalist of the chosen object's fields. */
function SidePicker({
  side,
  connections,
  connectionId,
  object,
  onChange,
  listId,
}: {
  side: 'source' | 'target';
  connections: ConnectionRow[];
  connectionId: string;
  object: string;
  onChange: (patch: { connectionId?: string; object?: string }) => void;
  listId: string;
}) {
  const { t } = useI18n();
  const { isAdmin } = useAuth();
  // Describing makes live calls with the connection's credentials: admins only (viewers see the saved names).
  const describe = useResource<{ objects: ObjectDescription[] }>(
    isAdmin && connectionId ? `/api/connections/${seg(connectionId)}/describe` : null,
  );
  // A file-reading source without a file of its own (imports) takes its fields from an uploaded sample.
  const sample = useSampleColumns(
    side === 'source' ? connections.find((c) => c.id === connectionId) : undefined,
  );
  const objects = sample.objects ?? describe.data?.objects ?? [];
  const fields = objects.find((o) => o.name === object)?.fields ?? [];
  return (
    <div className="side">
      <Field label={`${t(side === 'source' ? 'map.source' : 'map.target')}: ${t('map.connection')}`}>
        {(p) => (
          <select
            {...p}
            name={`${side}.connection`}
            value={connectionId}
            onChange={(e) => onChange({ connectionId: e.target.value, object: '' })}
          >
            <option value="">{t('map.choose')}</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.system})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label={`${t(side === 'source' ? 'map.source' : 'map.target')}: ${t('map.object')}`}
        hint={describe.loading ? t('map.fieldsLoading') : undefined}
        error={sample.objects ? undefined : describe.error?.message}
      >
        {(p) =>
          objects.length > 0 ? (
            <select
              {...p}
              name={`${side}.object`}
              value={object}
              onChange={(e) => onChange({ object: e.target.value })}
            >
              <option value="">{t('map.choose')}</option>
              {object && !objects.some((o) => o.name === object) ? (
                <option value={object}>{object}</option>
              ) : null}
              {objects.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.label && o.label !== o.name ? `${o.label} (${o.name})` : o.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              {...p}
              name={`${side}.object`}
              value={object}
              onChange={(e) => onChange({ object: e.target.value })}
            />
          )
        }
      </Field>
      {sample.picker}
      <datalist id={listId}>
        {fields.map((f) => (
          <option key={f.name} value={f.name}>
            {f.label ?? f.name} · {f.type}
          </option>
        ))}
      </datalist>
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
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (stored.data) setDraft(toDraft(stored.data));
  }, [stored.data]);
  const set = (patch: Partial<MappingDraft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const issue = (field: string) => issues.find((i) => i.field === field || i.field === `body.${field}`);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await apiSend('PUT', `/api/mappings/${seg(draft.id)}`, fromDraft(draft));
      setIssues([]);
      setSaved(true);
      if (isNew) navigate(`/mappings/${seg(draft.id)}`, { replace: true });
    } catch (err) {
      const api = err as ApiError;
      const found = (api.details as { issues?: Issue[] } | undefined)?.issues;
      setIssues(found ?? []);
      setError(api);
    }
  };
  if (!isNew && stored.error) return <ErrorNote error={stored.error} />;
  if (!isNew && !stored.data) return <Loading />;
  const conns = connections.data?.connections ?? [];
  const filterIssue = issue('filter');
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
              <Field label={t('common.name')}>
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
                error={issue('id')?.message}
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
                  listId="source-fields"
                  connections={conns}
                  connectionId={draft.source.connectionId}
                  object={draft.source.object}
                  onChange={(p) => set({ source: { ...draft.source, ...p } })}
                />
                <Field label={t('map.key')}>
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
                <Field label={t('map.modifiedField')}>
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
                  listId="target-fields"
                  connections={conns}
                  connectionId={draft.target.connectionId}
                  object={draft.target.object}
                  onChange={(p) => set({ target: { ...draft.target, ...p } })}
                />
                <Field label={t('map.matchKey')}>
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
                <Field label={t('map.deletes')}>
                  {(p) => (
                    <select
                      {...p}
                      value={draft.deletes}
                      onChange={(e) => set({ deletes: e.target.value as MappingDraft['deletes'] })}
                    >
                      {DELETE_POLICIES.map((d) => (
                        <option key={d} value={d}>
                          {t(`map.del.${d}`)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              </div>
            </div>
            <Field
              label={t('map.filter')}
              hint={t('map.filterHint')}
              error={filterIssue ? <FilterError filter={draft.filter} issue={filterIssue} /> : undefined}
            >
              {(p) => (
                <textarea
                  {...p}
                  name="filter"
                  className="mono"
                  rows={2}
                  spellCheck={false}
                  value={draft.filter}
                  onChange={(e) => set({ filter: e.target.value })}
                />
              )}
            </Field>
            <h2>{t('map.fields')}</h2>
            <MappingFields
              fields={draft.fields}
              onChange={(fields) => set({ fields })}
              sourceList="source-fields"
              targetList="target-fields"
              error={
                issues
                  .filter(
                    (i) =>
                      i.field === 'fields' ||
                      i.field.startsWith('fields.') ||
                      i.field.startsWith('body.fields'),
                  )
                  .map((i) => i.message)
                  .join('; ') || undefined
              }
            />
          </fieldset>
          {error && issues.length === 0 ? <ErrorNote error={error} /> : null}
          {error && issues.length > 0 && !filterIssue ? <Notice tone="error">{error.message}</Notice> : null}
          {saved ? <Notice>{t('common.saved')}</Notice> : null}
          {isAdmin ? (
            <div className="form-actions">
              <button type="submit" className="btn btn-primary">
                {t('common.save')}
              </button>
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
