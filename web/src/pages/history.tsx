import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { formatDuration, type TextKey, useI18n } from '../i18n/index.tsx';
import { useLiveRuns, useRunChanges } from '../live.tsx';
import { EXECUTION_STATUS_LIST } from '../options.ts';
import type { Execution, TaskRow } from '../types.ts';

const PAGE = 50;

/** Milliseconds a run took (null while it runs). */
export const durationOf = (e: Execution) =>
  e.startedAt && e.finishedAt ? Date.parse(e.finishedAt) - Date.parse(e.startedAt) : null;

/** Executions of one task or all, newest first, filterable by status, live; a row opens the drill-down. */
export function HistoryPage() {
  const { t, date, number } = useI18n();
  const [params, setParams] = useSearchParams();
  const taskId = params.get('task') ?? '';
  const status = params.get('status') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const tasks = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  const query = new URLSearchParams({
    limit: String(PAGE),
    offset: String(offset),
    ...(taskId ? { taskId } : {}),
    ...(status ? { status } : {}),
  });
  const runs = useResource<{ executions: Execution[] }>(`/api/executions?${query}`);
  const reloadRuns = runs.reload;
  // New runs appear and running ones end while the page is open.
  useRunChanges(reloadRuns);
  const live = useLiveRuns();
  const navigate = useNavigate();
  const taskName = new Map((tasks.data?.tasks ?? []).map((x) => [x.id, x.name]));
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'offset') next.delete('offset');
    setParams(next);
  };
  const list = runs.data?.executions ?? [];
  return (
    <>
      <PageHeader title={t('hist.title')} />
      <div className="toolbar">
        <label>
          {t('hist.task')}{' '}
          <select value={taskId} onChange={(e) => set('task', e.target.value)}>
            <option value="">{t('hist.allTasks')}</option>
            {tasks.data?.tasks.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('hist.status')}{' '}
          <select value={status} onChange={(e) => set('status', e.target.value)}>
            <option value="">{t('hist.anyStatus')}</option>
            {EXECUTION_STATUS_LIST.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as TextKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={runs.error} />
      {runs.loading && !runs.data ? <Loading /> : null}
      {runs.data && list.length === 0 ? <p className="muted">{t('hist.none')}</p> : null}
      {list.length > 0 ? (
        <div className="table-wrap card">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">{t('hist.started')}</th>
                <th scope="col">{t('hist.task')}</th>
                <th scope="col">{t('hist.status')}</th>
                <th scope="col">{t('hist.trigger')}</th>
                <th scope="col" className="num">
                  {t('hist.duration')}
                </th>
                <th scope="col" className="num">
                  {t('hist.counts')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((listed) => {
                const e = { ...listed, ...(live?.get(listed.id) ?? {}) };
                const url = `/executions/${encodeURIComponent(e.id)}`;
                return (
                  <tr
                    key={e.id}
                    data-execution={e.id}
                    className="row-link"
                    // The whole row opens the run; the link in it stays the keyboard's and screen reader's way.
                    onClick={(ev) => {
                      if (!(ev.target as HTMLElement).closest('a')) navigate(url);
                    }}
                  >
                    <td data-label={t('hist.started')}>
                      <Link to={url} aria-label={t('hist.openRun', { date: date(e.startedAt) })}>
                        {date(e.startedAt)}
                      </Link>
                    </td>
                    <td data-label={t('hist.task')}>{taskName.get(e.taskId) ?? e.taskId}</td>
                    <td data-label={t('hist.status')}>
                      <StatusBadge status={e.status} />
                    </td>
                    <td data-label={t('hist.trigger')}>{t(`trigger.${e.trigger}` as TextKey)}</td>
                    <td className="num" data-label={t('hist.duration')}>
                      {formatDuration(durationOf(e))}
                    </td>
                    <td className="num" data-label={t('hist.counts')}>
                      {number(e.counts.created)} / {number(e.counts.updated)} /{' '}
                      <span className={e.counts.failed ? 'text-error' : ''}>{number(e.counts.failed)}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="pager">
        <button
          type="button"
          className="btn btn-small"
          disabled={offset === 0}
          onClick={() => set('offset', String(Math.max(0, offset - PAGE)))}
        >
          {t('common.prev')}
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={list.length < PAGE}
          onClick={() => set('offset', String(offset + PAGE))}
        >
          {t('common.next')}
        </button>
      </div>
    </>
  );
}
