import { type FormEvent, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ListTable } from '../components/list-table.tsx';
import { ErrorNote, Field, InputField, Notice, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { WorkspaceRow } from '../types.ts';
import { WorkspaceMembers } from './workspace-members.tsx';

/** The form's state: numbers as typed, so an empty "runs at once" (or share) can mean "no limit" ("none"). */
interface Draft {
  id: string;
  name: string;
  min: string;
  max: string;
  runs: string;
  share: string;
}

// The server's defaults for a new workspace (the range the issue names).
const NEW: Draft = { id: '', name: '', min: '10', max: '45', runs: '', share: '' };

const draftOf = (w: WorkspaceRow): Draft => ({
  id: w.id,
  name: w.name,
  min: String(w.limits.minIntervalMinutes),
  max: String(w.limits.maxIntervalMinutes),
  runs: w.limits.maxConcurrentRuns === null ? '' : String(w.limits.maxConcurrentRuns),
  share: w.limits.rateShare === null ? '' : String(w.limits.rateShare),
});

/** Create a workspace or change its name and limits. */
function WorkspaceForm({
  initial,
  onSaved,
  onCancel,
}: {
  initial: WorkspaceRow | null;
  onSaved: (name: string) => void;
  onCancel?: () => void;
}) {
  const { t } = useI18n();
  const isNew = initial === null;
  const [draft, setDraft] = useState<Draft>(initial ? draftOf(initial) : NEW);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await apiSend('PUT', `/api/workspaces/${seg(draft.id)}`, {
        name: draft.name,
        limits: {
          minIntervalMinutes: Number(draft.min),
          maxIntervalMinutes: Number(draft.max),
          maxConcurrentRuns: draft.runs.trim() === '' ? null : Number(draft.runs),
          rateShare: draft.share.trim() === '' ? null : Number(draft.share),
        },
      });
      if (isNew) setDraft(NEW);
      onSaved(draft.name);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const heading = isNew ? 'ws-new' : 'ws-edit';
  return (
    <form className="card form narrow-form" onSubmit={(e) => void save(e)} aria-labelledby={heading}>
      <h2 id={heading}>{isNew ? t('ws.new') : `${t('ws.edit')}: ${initial.name}`}</h2>
      <ErrorNote error={error} />
      <div className="grid-2">
        <InputField label={t('common.name')} required value={draft.name} onValue={(v) => set({ name: v })} />
        <Field label={t('common.id')} hint={isNew ? t('ws.idHint') : undefined}>
          {(p) => (
            <input
              {...p}
              required
              maxLength={63}
              pattern="[a-z0-9][a-z0-9_\-]*"
              readOnly={!isNew}
              value={draft.id}
              onChange={(e) => set({ id: e.target.value })}
            />
          )}
        </Field>
        <InputField
          label={t('ws.minInterval')}
          type="number"
          min={1}
          step={1}
          required
          value={draft.min}
          onValue={(v) => set({ min: v })}
        />
        <Field label={t('ws.maxInterval')} hint={t('ws.intervalHint')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={Number(draft.min) || 1}
              step={1}
              required
              value={draft.max}
              onChange={(e) => set({ max: e.target.value })}
            />
          )}
        </Field>
        <Field label={t('ws.maxRuns')} hint={t('ws.maxRunsHint')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              step={1}
              value={draft.runs}
              onChange={(e) => set({ runs: e.target.value })}
            />
          )}
        </Field>
        <Field label={t('ws.rateShare')} hint={t('ws.rateShareHint')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={100}
              step={1}
              value={draft.share}
              onChange={(e) => set({ share: e.target.value })}
            />
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">
          {isNew ? t('ws.new') : t('common.save')}
        </button>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** Workspaces (instance administrators only): list, create, rename, limits, members. */
export function WorkspacesPage() {
  const { t } = useI18n();
  const { refresh } = useAuth();
  const list = useResource<{ workspaces: WorkspaceRow[] }>('/api/workspaces');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<WorkspaceRow | null>(null);
  const [membersOf, setMembersOf] = useState<WorkspaceRow | null>(null);
  // Every change may touch the switcher's list: the session is loaded again.
  const changed = async (message: string) => {
    setDone(message);
    list.reload();
    await refresh();
  };
  const remove = async (w: WorkspaceRow) => {
    if (!window.confirm(t('common.confirmDelete', { name: w.name }))) return;
    setError(null);
    setDone(null);
    try {
      await apiSend('DELETE', `/api/workspaces/${seg(w.id)}`);
      if (membersOf?.id === w.id) setMembersOf(null);
      if (editing?.id === w.id) setEditing(null);
      await changed(t('ws.deleted', { name: w.name }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <PageHeader title={t('ws.title')} />
      <p className="muted">{t('ws.intro')}</p>
      <ErrorNote error={list.error ?? error} />
      {done ? <Notice>{done}</Notice> : null}
      <ListTable
        rows={list.data?.workspaces}
        loading={list.loading}
        empty={t('ws.none')}
        columns={[t('common.name'), t('common.id'), t('ws.interval'), t('ws.maxRuns'), t('ws.rateShare')]}
        actions
        stack
      >
        {(rows) =>
          rows.map((w) => (
            <tr key={w.id} data-workspace-row={w.id}>
              <td data-label={t('common.name')}>{w.name}</td>
              <td data-label={t('common.id')} className="mono">
                {w.id}
              </td>
              <td data-label={t('ws.interval')}>
                {t('ws.range', { min: w.limits.minIntervalMinutes, max: w.limits.maxIntervalMinutes })}
              </td>
              <td data-label={t('ws.maxRuns')}>{w.limits.maxConcurrentRuns ?? t('ws.unlimited')}</td>
              <td data-label={t('ws.rateShare')}>
                {w.limits.rateShare === null ? t('ws.noShare') : `${w.limits.rateShare} %`}
              </td>
              <td className="row-actions">
                <button type="button" className="btn btn-small" onClick={() => setMembersOf(w)}>
                  {t('ws.members')}
                </button>
                <button type="button" className="btn btn-small" onClick={() => setEditing(w)}>
                  {t('common.edit')}
                </button>
                <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(w)}>
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          ))
        }
      </ListTable>
      {membersOf ? (
        <WorkspaceMembers key={membersOf.id} workspace={membersOf} onClose={() => setMembersOf(null)} />
      ) : null}
      {editing ? (
        <WorkspaceForm
          key={editing.id}
          initial={editing}
          onCancel={() => setEditing(null)}
          onSaved={(name) => {
            setEditing(null);
            void changed(t('ws.saved', { name }));
          }}
        />
      ) : (
        <WorkspaceForm initial={null} onSaved={(name) => void changed(t('ws.saved', { name }))} />
      )}
    </>
  );
}
