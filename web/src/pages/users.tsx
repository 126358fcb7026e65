import { type FormEvent, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ListTable } from '../components/list-table.tsx';
import { ErrorNote, Field, InputField, Notice, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { UserRow } from '../types.ts';

/** Users (admin only): create viewers for customers, change roles, disable, delete. */
export function UsersPage() {
  const { t, date } = useI18n();
  const { user: me } = useAuth();
  const list = useResource<{ users: UserRow[] }>('/api/users');
  const [form, setForm] = useState({
    username: '',
    name: '',
    role: 'viewer' as 'admin' | 'viewer',
    password: '',
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState(false);
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
    if (await act(() => apiSend('POST', '/api/users', form))) {
      setForm({ username: '', name: '', role: 'viewer', password: '' });
      setCreated(true);
    }
  };
  return (
    <>
      <PageHeader title={t('users.title')} />
      <ErrorNote error={list.error ?? error} />
      {created ? <Notice>{t('users.created')}</Notice> : null}
      <ListTable
        rows={list.data?.users}
        loading={list.loading}
        columns={[
          t('users.username'),
          t('common.name'),
          t('users.role'),
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
                  aria-label={`${t('users.role')}: ${u.username}`}
                  value={u.role}
                  disabled={u.id === me?.id}
                  onChange={(e) =>
                    void act(() => apiSend('PATCH', `/api/users/${seg(u.id)}`, { role: e.target.value }))
                  }
                >
                  <option value="admin">{t('users.role.admin')}</option>
                  <option value="viewer">{t('users.role.viewer')}</option>
                </select>
              </td>
              <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
              <td>{date(u.createdAt)}</td>
              <td className="row-actions">
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
          <Field label={t('users.role')}>
            {(p) => (
              <select
                {...p}
                value={form.role}
                onChange={(e) => setForm({ ...form, role: e.target.value as 'admin' | 'viewer' })}
              >
                <option value="viewer">{t('users.role.viewer')}</option>
                <option value="admin">{t('users.role.admin')}</option>
              </select>
            )}
          </Field>
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
