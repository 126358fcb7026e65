import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components/ui.tsx';
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
        {isAdmin ? (
          <Link className="btn btn-primary" to="/tasks/new">
            {t('task.new')}
          </Link>
        ) : null}
      </PageHeader>
      <ErrorNote error={list.error ?? error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data?.tasks.length === 0 ? <p className="muted">{t('task.none')}</p> : null}
      {list.data && list.data.tasks.length > 0 ? (
        <div className="table-wrap card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('common.name')}</th>
                <th scope="col">{t('task.mapping')}</th>
                <th scope="col">{t('task.schedule')}</th>
                <th scope="col">{t('dash.nextRun')}</th>
                <th scope="col">{t('dash.lastRun')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.tasks.map((task) => (
                <tr key={task.id} data-task={task.id}>
                  <td>
                    <Link to={`/tasks/${seg(task.id)}`}>{task.name}</Link>
                    {task.enabled ? null : <span className="tag">{t('dash.disabled')}</span>}
                  </td>
                  <td>{systems.get(task.mappingId)?.name ?? task.mappingId}</td>
                  <td>{scheduleText(task.schedule, t)}</td>
                  <td>{task.enabled ? date(task.nextRunAt) : '—'}</td>
                  <td>
                    {task.lastExecution ? (
                      <StatusBadge status={task.lastExecution.status} />
                    ) : (
                      t('status.never')
                    )}
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
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
