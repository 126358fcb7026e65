import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { AdminNewLink, ListTable } from '../components/list-table.tsx';
import { ErrorNote, PageHeader, SystemIcon } from '../components/ui.tsx';
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
        <AdminNewLink to="/connections/new">{t('conn.new')}</AdminNewLink>
      </PageHeader>
      <ErrorNote error={list.error ?? error} />
      <ListTable
        rows={list.data?.connections}
        loading={list.loading}
        empty={t('conn.none')}
        columns={[t('conn.system'), t('common.name'), t('common.id')]}
        actions
      >
        {(rows) =>
          rows.map((c) => (
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
                  <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(c)}>
                    {t('common.delete')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))
        }
      </ListTable>
    </>
  );
}
