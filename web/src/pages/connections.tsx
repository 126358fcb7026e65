import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, PageHeader, SystemIcon } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { ConnectionRow } from '../types.ts';

/** The connections, each opening its form; admins create and delete. */
export function ConnectionsPage() {
  const { t } = useI18n();
  const { isAdmin } = useAuth();
  const list = useResource<{ connections: ConnectionRow[] }>('/api/connections');
  const [error, setError] = useState<ApiError | null>(null);
  const remove = async (c: ConnectionRow) => {
    if (!window.confirm(t('common.confirmDelete', { name: c.name }))) return;
    try {
      await apiSend('DELETE', `/api/connections/${seg(c.id)}`);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <PageHeader title={t('conn.title')}>
        {isAdmin ? (
          <Link className="btn btn-primary" to="/connections/new">
            {t('conn.new')}
          </Link>
        ) : null}
      </PageHeader>
      <ErrorNote error={list.error ?? error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data?.connections.length === 0 ? <p className="muted">{t('conn.none')}</p> : null}
      {list.data && list.data.connections.length > 0 ? (
        <div className="table-wrap card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('conn.system')}</th>
                <th scope="col">{t('common.name')}</th>
                <th scope="col">{t('common.id')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.connections.map((c) => (
                <tr key={c.id}>
                  <td>
                    <SystemIcon system={c.system} withName />
                  </td>
                  <td>
                    <Link to={`/connections/${seg(c.id)}`}>{c.name}</Link>
                  </td>
                  <td className="mono">{c.id}</td>
                  <td className="row-actions">
                    <Link className="btn btn-small" to={`/connections/${seg(c.id)}`}>
                      {isAdmin ? t('common.edit') : t('common.view')}
                    </Link>
                    {isAdmin ? (
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        onClick={() => void remove(c)}
                      >
                        {t('common.delete')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
