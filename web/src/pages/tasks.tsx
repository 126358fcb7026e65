import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { AdminNewLink, ListTable } from '../components/list-table.tsx';
import { ErrorNote, PageHeader, StatusBadge } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { scheduleText, useMappingSystems } from '../lookups.ts';
import type { TaskRow } from '../types.ts';

/** The body PUT /api/tasks/:id takes, from a listed task. */
export const taskBody = (task: TaskRow) => ({
  name: task.name,
  mappingId: task.mappingId,
  schedule: task.schedule,
  enabled: task.enabled,
  mode: task.mode,
  notify: task.notify,
  params: task.params,
});

/** Tasks with schedule and state; admins enable, disable, create and delete them. */
export function TasksPage() {
  const { t, date } = useI18n();
  const { isAdmin } = useAuth();
  const list = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  const systems = useMappingSystems();
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <PageHeader title={t('task.title')}>
        <AdminNewLink to="/tasks/new">{t('task.new')}</AdminNewLink>
      </PageHeader>
      <ErrorNote error={list.error ?? error} />
      <ListTable
        rows={list.data?.tasks}
        loading={list.loading}
        empty={t('task.none')}
        columns={[
          t('common.name'),
          t('task.mapping'),
          t('task.schedule'),
          t('dash.nextRun'),
          t('dash.lastRun'),
        ]}
        actions
      >
        {(rows) =>
          rows.map((task) => (
            <tr key={task.id} data-task={task.id}>
              <td>
                <Link to={`/tasks/${seg(task.id)}`}>{task.name}</Link>
                {task.enabled ? null : <span className="tag">{t('dash.disabled')}</span>}
              </td>
              <td>{systems.get(task.mappingId)?.name ?? task.mappingId}</td>
              <td>{scheduleText(task.schedule, t)}</td>
              <td>{task.enabled ? date(task.nextRunAt) : '—'}</td>
              <td>
                {task.lastExecution ? <StatusBadge status={task.lastExecution.status} /> : t('status.never')}
              </td>
              <td className="row-actions">
                {isAdmin ? (
                  <>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() =>
                        void act(() =>
                          apiSend('PUT', `/api/tasks/${seg(task.id)}`, {
                            ...taskBody(task),
                            enabled: !task.enabled,
                          }),
                        )
                      }
                    >
                      {task.enabled ? t('task.disable') : t('task.enable')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => {
                        if (window.confirm(t('common.confirmDelete', { name: task.name })))
                          void act(() => apiSend('DELETE', `/api/tasks/${seg(task.id)}`));
                      }}
                    >
                      {t('common.delete')}
                    </button>
                  </>
                ) : (
                  <Link className="btn btn-small" to={`/tasks/${seg(task.id)}`}>
                    {t('common.view')}
                  </Link>
                )}
              </td>
            </tr>
          ))
        }
      </ListTable>
    </>
  );
}
