import { type FormEvent, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ListTable } from '../components/list-table.tsx';
import { ErrorNote, Field, InputField, Notice, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import { type ApiTokenRow, type UserRow, WORKSPACE_ROLES, type WorkspaceRole } from '../types.ts';

/** A user's API tokens with their last use and expiry; the admin revokes any of them. */
function UserTokens({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const { t, date } = useI18n();
  const tokens = useResource<{ tokens: ApiTokenRow[] }>(`/api/users/${seg(user.id)}/tokens`);
  const [error, setError] = useState<ApiError | null>(null);
  const revoke = async (id: string) => {
    setError(null);
    try {
      await apiSend('DELETE', `/api/users/${seg(user.id)}/tokens/${seg(id)}`);
      tokens.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section className="card" aria-labelledby="user-tokens">
      <h2 id="user-tokens">{t('users.tokensOf', { name: user.username })}</h2>
      <p className="muted">{t('users.tokensNote')}</p>
      <ErrorNote error={tokens.error ?? error} />
      {tokens.data && tokens.data.tokens.length === 0 ? <p>{t('users.tokensNone')}</p> : null}
      {tokens.data?.tokens.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>{t('common.name')}</th>
              <th>{t('hist.started')}</th>
              <th>{t('users.tokenLastUsed')}</th>
              <th>{t('users.tokenExpires')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{date(k.createdAt)}</td>
                <td>{k.lastUsedAt ? date(k.lastUsedAt) : t('users.tokenNever')}</td>
                <td>{k.expiresAt ? date(k.expiresAt) : t('users.tokenNever')}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    onClick={() => void revoke(k.id)}
                  >
                    {t('users.tokenRevoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button type="button" className="btn btn-small" onClick={onClose}>
        {t('common.close')}
      </button>
    </section>
  );
}

/**
 * Users (instance administrators only): create them, make them instance administrators or not, disable,
 * delete. Rights in a workspace come from its members, on the Workspaces page.
 */
export function UsersPage() {
  const { t, date } = useI18n();
  const { user: me, workspace, workspaces } = useAuth();
  const list = useResource<{ users: UserRow[] }>('/api/users');
  const empty = {
    username: '',
    name: '',
    role: 'viewer' as 'admin' | 'viewer',
    password: '',
    // Where a new user works and as what (an instance administrator works everywhere).
    workspace: workspace?.id ?? '',
    workspaceRole: 'viewer' as WorkspaceRole,
  };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState(false);
  const [tokensOf, setTokensOf] = useState<UserRow | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    setCreated(false);
    try {
      await fn();
      list.reload();
      return true;
    } catch (err) {
      setError(err as ApiError);
      return false;
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const { workspace: where, workspaceRole, ...user } = form;
    const body =
      where && user.role !== 'admin' ? { ...user, workspaces: [{ id: where, role: workspaceRole }] } : user;
    if (await act(() => apiSend('POST', '/api/users', body))) {
      setForm(empty);
      setCreated(true);
    }
  };
  return (
    <>
      <PageHeader title={t('users.title')} />
      <p className="muted">{t('users.instanceRoleHint')}</p>
      <ErrorNote error={list.error ?? error} />
      {created ? <Notice>{t('users.created')}</Notice> : null}
      <ListTable
        rows={list.data?.users}
        loading={list.loading}
        columns={[
          t('users.username'),
          t('common.name'),
          t('users.instanceRole'),
          t('hist.status'),
          t('hist.started'),
        ]}
        actions
      >
        {(rows) =>
          rows.map((u) => (
            <tr key={u.id}>
              <td className="mono">{u.username}</td>
              <td>{u.name}</td>
              <td>
                <select
                  aria-label={`${t('users.instanceRole')}: ${u.username}`}
                  value={u.role}
                  disabled={u.id === me?.id}
                  onChange={(e) =>
                    void act(() => apiSend('PATCH', `/api/users/${seg(u.id)}`, { role: e.target.value }))
                  }
                >
                  <option value="admin">{t('users.role.instanceAdmin')}</option>
                  <option value="viewer">{t('users.role.none')}</option>
                </select>
              </td>
              <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
              <td>{date(u.createdAt)}</td>
              <td className="row-actions">
                <button type="button" className="btn btn-small" onClick={() => setTokensOf(u)}>
                  {t('users.tokens')}
                </button>
                {u.id === me?.id ? null : (
                  <>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() =>
                        void act(() => apiSend('PATCH', `/api/users/${seg(u.id)}`, { disabled: !u.disabled }))
                      }
                    >
                      {u.disabled ? t('task.enable') : t('task.disable')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => {
                        if (window.confirm(t('common.confirmDelete', { name: u.username })))
                          void act(() => apiSend('DELETE', `/api/users/${seg(u.id)}`));
                      }}
                    >
                      {t('common.delete')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))
        }
      </ListTable>
      {tokensOf ? <UserTokens key={tokensOf.id} user={tokensOf} onClose={() => setTokensOf(null)} /> : null}
      <form className="card form narrow-form" onSubmit={create} aria-labelledby="new-user">
        <h2 id="new-user">{t('users.new')}</h2>
        <div className="grid-2">
          <InputField
            label={t('users.username')}
            required
            minLength={2}
            value={form.username}
            onValue={(v) => setForm({ ...form, username: v })}
          />
          <InputField
            label={t('common.name')}
            required
            value={form.name}
            onValue={(v) => setForm({ ...form, name: v })}
          />
          <Field label={t('users.instanceRole')}>
            {(p) => (
              <select
                {...p}
                value={form.role}
                onChange={(e) => setForm({ ...form, role: e.target.value as 'admin' | 'viewer' })}
              >
                <option value="viewer">{t('users.role.none')}</option>
                <option value="admin">{t('users.role.instanceAdmin')}</option>
              </select>
            )}
          </Field>
          {form.role !== 'admin' && workspaces.length ? (
            <>
              <Field label={t('ws.label')}>
                {(p) => (
                  <select
                    {...p}
                    value={form.workspace}
                    onChange={(e) => setForm({ ...form, workspace: e.target.value })}
                  >
                    {workspaces.map((w) => (
                      <option key={w.id} value={w.id}>
                        {w.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('users.workspaceRole')}>
                {(p) => (
                  <select
                    {...p}
                    value={form.workspaceRole}
                    onChange={(e) => setForm({ ...form, workspaceRole: e.target.value as WorkspaceRole })}
                  >
                    {WORKSPACE_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`ws.role.${r}` as TextKey)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </>
          ) : null}
          <InputField
            label={t('users.password')}
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={form.password}
            onValue={(v) => setForm({ ...form, password: v })}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            {t('users.new')}
          </button>
        </div>
      </form>
    </>
  );
}
