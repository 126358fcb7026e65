import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { AdminNewLink, ListTable } from '../components/list-table.tsx';
import { ErrorNote, Notice, PageHeader, StatusBadge } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { isActive, useLiveRuns, useRunChanges } from '../live.tsx';
import { scheduleText, useMappingSystems } from '../lookups.ts';
import type { TaskRow } from '../types.ts';
import { TaskInterval, useIntervalRange } from './task-interval.tsx';

/**
 * The body PUT /api/tasks/:id takes, from a listed task: the task's own settings (the form does not edit the
 * deletion guard or the tasks it runs after, but a save keeps them), without what the list adds to it.
 */
export const taskBody = (task: TaskRow) => ({
  name: task.name,
  mappingId: task.mappingId,
  schedule: task.schedule,
  enabled: task.enabled,
  mode: task.mode,
  notify: task.notify,
  params: task.params,
  ...(task.deletionGuard ? { deletionGuard: task.deletionGuard } : {}),
  ...(task.after ? { after: task.after } : {}),
});

/** A task's latest runs as badges, newest first, each opening its run; a running one shows its live counts. */
function RecentRuns({ task }: { task: TaskRow }) {
  const { t, date, number } = useI18n();
  const live = useLiveRuns();
  const fed = live?.latestOf(task.id);
  const runs = [...(task.recentExecutions ?? [])];
  if (fed && !runs.some((r) => r.id === fed.id)) runs.unshift(fed);
  if (!runs.length) return <>{t('status.never')}</>;
  return (
    <ul className="recent-runs">
      {runs.slice(0, 5).map((r) => {
        const now = live?.get(r.id) ?? r;
        return (
          <li key={r.id}>
            <Link
              to={`/executions/${seg(r.id)}`}
              aria-label={t('hist.openRun', { date: date(r.startedAt) })}
              title={date(r.startedAt)}
            >
              <StatusBadge status={now.status} />
            </Link>
            {isActive(now.status) ? (
              <span className="muted small">
                {t('dash.progress', {
                  read: number(now.counts.read),
                  written: number(now.counts.created + now.counts.updated + now.counts.deleted),
                  failed: number(now.counts.failed),
                })}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Tasks with schedule, recent runs and "run now"; operators run them and set their interval, admins also
 * enable, disable, create and delete them.
 */
export function TasksPage() {
  const { t, date } = useI18n();
  const { isAdmin, canOperate, workspace } = useAuth();
  const list = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  // A server without workspaces has no ranges to show (workspace null).
  const range = useIntervalRange(canOperate && workspace !== null, workspace?.id);
  const [intervalSaved, setIntervalSaved] = useState<string | null>(null);
  const reloadList = list.reload;
  // A run's begin and end change the recent runs and the next run.
  useRunChanges(reloadList);
  const [started, setStarted] = useState<string | null>(null);
  const systems = useMappingSystems();
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    setIntervalSaved(null);
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
      {started ? <Notice>{t('task.started', { name: started })}</Notice> : null}
      {intervalSaved ? <Notice>{intervalSaved}</Notice> : null}
      <ListTable
        rows={list.data?.tasks}
        loading={list.loading}
        empty={t('task.none')}
        columns={[
          t('common.name'),
          t('task.mapping'),
          t('task.schedule'),
          t('dash.nextRun'),
          t('task.recentRuns'),
        ]}
        actions
        stack
      >
        {(rows) =>
          rows.map((task) => (
            <tr key={task.id} data-task={task.id}>
              <td data-label={t('common.name')}>
                <Link to={`/tasks/${seg(task.id)}`}>{task.name}</Link>
                {task.enabled ? null : <span className="tag">{t('dash.disabled')}</span>}
              </td>
              <td data-label={t('task.mapping')}>{systems.get(task.mappingId)?.name ?? task.mappingId}</td>
              <td data-label={t('task.schedule')}>
                {task.kind === 'import' ? (
                  t('task.importOnly')
                ) : canOperate && task.schedule && 'everyMinutes' in task.schedule ? (
                  <TaskInterval
                    key={`${task.id}:${task.schedule.everyMinutes}`}
                    task={task}
                    minutes={task.schedule.everyMinutes}
                    range={range}
                    onSaving={() => setIntervalSaved(null)}
                    onSaved={(saved, n) => {
                      setStarted(null);
                      setIntervalSaved(t('task.intervalSaved', { name: saved.name, n }));
                      list.reload();
                    }}
                  />
                ) : (
                  scheduleText(task.schedule, t)
                )}
                {task.kind !== 'import' && canOperate && task.schedule?.onChange ? (
                  <TaskInterval
                    key={`${task.id}:gap:${task.schedule.changeGapMinutes}`}
                    task={task}
                    field="changeGapMinutes"
                    minutes={task.schedule.changeGapMinutes}
                    range={range}
                    onSaving={() => setIntervalSaved(null)}
                    onSaved={(saved, n) => {
                      setStarted(null);
                      setIntervalSaved(t('task.changeGapSaved', { name: saved.name, n }));
                      list.reload();
                    }}
                  />
                ) : null}
              </td>
              <td data-label={t('dash.nextRun')}>{task.enabled ? date(task.nextRunAt) : '—'}</td>
              <td data-label={t('task.recentRuns')}>
                <RecentRuns task={task} />
              </td>
              <td className="row-actions">
                {canOperate && task.kind !== 'import' ? (
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    disabled={isActive(task.lastExecution?.status ?? '')}
                    onClick={() =>
                      void act(async () => {
                        const r = await apiSend<{ executionId: string | null }>(
                          'POST',
                          `/api/tasks/${seg(task.id)}/run`,
                        );
                        setStarted(task.name);
                        return r;
                      })
                    }
                  >
                    {t('dash.runNow')}
                  </button>
                ) : null}
                {isAdmin ? (
                  <>
                    {task.kind === 'import' ? null : (
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
                    )}
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
