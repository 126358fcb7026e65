import { type FormEvent, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ListTable } from '../components/list-table.tsx';
import { ErrorNote, Field } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import {
  type UserRow,
  WORKSPACE_ROLES,
  type WorkspaceMember,
  type WorkspaceRole,
  type WorkspaceRow,
} from '../types.ts';

function RoleOptions() {
  const { t } = useI18n();
  return (
    <>
      {WORKSPACE_ROLES.map((r) => (
        <option key={r} value={r}>
          {t(`ws.role.${r}` as TextKey)}
        </option>
      ))}
    </>
  );
}

/** The members of one workspace with their roles: add an existing user, change a role, remove. */
export function WorkspaceMembers({ workspace, onClose }: { workspace: WorkspaceRow; onClose: () => void }) {
  const { t } = useI18n();
  const { refresh } = useAuth();
  const base = `/api/workspaces/${seg(workspace.id)}/members`;
  const members = useResource<{ members: WorkspaceMember[] }>(base);
  const users = useResource<{ users: UserRow[] }>('/api/users');
  const [error, setError] = useState<ApiError | null>(null);
  const [adding, setAdding] = useState<{ userId: string; role: WorkspaceRole }>({
    userId: '',
    role: 'viewer',
  });
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      members.reload();
      // The own memberships may have changed: the switcher and the rights follow.
      await refresh();
      return true;
    } catch (err) {
      setError(err as ApiError);
      return false;
    }
  };
  const memberIds = new Set((members.data?.members ?? []).map((m) => m.userId));
  const candidates = (users.data?.users ?? []).filter((u) => !memberIds.has(u.id));
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!adding.userId) return;
    if (await act(() => apiSend('PUT', `${base}/${seg(adding.userId)}`, { role: adding.role })))
      setAdding({ userId: '', role: 'viewer' });
  };
  return (
    <section className="card stack" aria-labelledby="ws-members" data-members={workspace.id}>
      <h2 id="ws-members">{t('ws.membersOf', { name: workspace.name })}</h2>
      <p className="muted small">{t('ws.rolesLegend')}</p>
      <ErrorNote error={members.error ?? users.error ?? error} />
      <ListTable
        rows={members.data?.members}
        loading={members.loading}
        empty={t('ws.noMembers')}
        columns={[t('users.username'), t('common.name'), t('users.role')]}
        actions
      >
        {(rows) =>
          rows.map((m) => (
            <tr key={m.userId} data-member={m.username}>
              <td className="mono">{m.username}</td>
              <td>{m.name}</td>
              <td>
                <select
                  aria-label={t('ws.roleOf', { name: m.username })}
                  value={m.role}
                  onChange={(e) =>
                    void act(() => apiSend('PUT', `${base}/${seg(m.userId)}`, { role: e.target.value }))
                  }
                >
                  <RoleOptions />
                </select>
              </td>
              <td className="row-actions">
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => {
                    if (
                      window.confirm(t('ws.confirmRemove', { name: m.username, workspace: workspace.name }))
                    )
                      void act(() => apiSend('DELETE', `${base}/${seg(m.userId)}`));
                  }}
                >
                  {t('ws.remove')}
                </button>
              </td>
            </tr>
          ))
        }
      </ListTable>
      {users.data && candidates.length === 0 ? (
        <p className="muted small">{t('ws.allMembers')}</p>
      ) : (
        <form className="row member-add" onSubmit={(e) => void add(e)} aria-label={t('ws.addMember')}>
          <Field label={t('ws.user')}>
            {(p) => (
              <select
                {...p}
                required
                value={adding.userId}
                onChange={(e) => setAdding({ ...adding, userId: e.target.value })}
              >
                <option value="">{t('ws.chooseUser')}</option>
                {candidates.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.username})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('users.role')}>
            {(p) => (
              <select
                {...p}
                value={adding.role}
                onChange={(e) => setAdding({ ...adding, role: e.target.value as WorkspaceRole })}
              >
                <RoleOptions />
              </select>
            )}
          </Field>
          <button type="submit" className="btn btn-primary">
            {t('ws.addMember')}
          </button>
        </form>
      )}
      <div>
        <button type="button" className="btn btn-small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </section>
  );
}
