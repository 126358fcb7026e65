import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, Notice, PageHeader, StatusBadge, SystemIcon } from '../components/ui.tsx';
import { useExecutionEvents, useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { scheduleText, useMappingSystems } from '../lookups.ts';
import type { Execution, ExecutionCounts, TaskRow } from '../types.ts';
import { RunsChart } from './runs-chart.tsx';

const written = (c: ExecutionCounts) => c.created + c.updated + c.deleted;

function TaskCard({
  task,
  systems,
  onChanged,
}: {
  task: TaskRow;
  systems: ReturnType<typeof useMappingSystems>;
  onChanged: () => void;
}) {
  const { t, date, number } = useI18n();
  const { isAdmin } = useAuth();
  const [started, setStarted] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const last = task.lastExecution;
  const runningId =
    started ?? (last && (last.status === 'running' || last.status === 'queued') ? last.id : null);
  const onEnd = useCallback(() => {
    setStarted(null);
    onChanged();
  }, [onChanged]);
  const live = useExecutionEvents(runningId, onEnd);
  const status = live?.status ?? (runningId ? 'running' : (last?.status ?? 'never'));
  const counts = live?.counts ?? last?.counts;
  const m = systems.get(task.mappingId);
  const runNow = async () => {
    setError(null);
    try {
      const r = await apiSend<{ executionId: string | null; queued: boolean }>(
        'POST',
        `/api/tasks/${seg(task.id)}/run`,
      );
      if (r.executionId) setStarted(r.executionId);
      else onChanged();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const isRunning = status === 'running' || status === 'queued';
  return (
    <article className="card task-card" data-task={task.id} aria-labelledby={`task-${task.id}`}>
      <div className="task-head">
        <div className="task-systems">
          <SystemIcon system={m?.source} />
          <span className="arrow" aria-hidden="true">
            →
          </span>
          <SystemIcon system={m?.target} />
          {m ? <span className="sr-only">{`${m.sourceObject} → ${m.targetObject}`}</span> : null}
        </div>
        <h2 id={`task-${task.id}`} className="task-name">
          <Link to={`/history?task=${seg(task.id)}`}>{task.name}</Link>
        </h2>
        <StatusBadge status={status} />
      </div>
      <dl className="facts">
        <div>
          <dt>{t('dash.schedule')}</dt>
          <dd>{task.enabled ? scheduleText(task.schedule, t) : t('dash.disabled')}</dd>
        </div>
        <div>
          <dt>{t('dash.nextRun')}</dt>
          <dd>{date(task.nextRunAt)}</dd>
        </div>
        <div>
          <dt>{t('dash.lastRun')}</dt>
          <dd className="last-run">
            {last ? (
              <Link to={`/executions/${seg(last.id)}`}>{date(last.startedAt)}</Link>
            ) : (
              t('status.never')
            )}
          </dd>
        </div>
        <div>
          <dt>{t('dash.records')}</dt>
          <dd className="records">{counts ? number(written(counts)) : '—'}</dd>
        </div>
      </dl>
      {isRunning && counts ? (
        <p className="progress" role="status" aria-live="polite">
          <span className="spinner" aria-hidden="true" />
          {t('dash.progress', {
            read: number(counts.read),
            written: number(written(counts)),
            failed: number(counts.failed),
          })}
        </p>
      ) : null}
      {error ? <ErrorNote error={error} /> : null}
      {isAdmin ? (
        <div className="card-actions">
          <button
            type="button"
            className="btn btn-primary btn-small"
            onClick={() => void runNow()}
            disabled={isRunning}
          >
            {t('dash.runNow')}
          </button>
        </div>
      ) : null}
    </article>
  );
}

/** Every task with its status and last run, a chart of recent runs, and the open error count. */
export function DashboardPage() {
  const { t, number } = useI18n();
  const tasks = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  const [since] = useState(() => new Date(Date.now() - 14 * 24 * 3600 * 1000).toISOString());
  const runs = useResource<{ executions: Execution[] }>(
    `/api/executions?limit=500&from=${encodeURIComponent(since)}`,
  );
  const failing = useResource<{ failed: number; retry: number }>('/api/records/failing/count');
  const systems = useMappingSystems();
  const reloadTasks = tasks.reload;
  const reloadRuns = runs.reload;
  const reloadFailing = failing.reload;
  const refresh = useCallback(() => {
    reloadTasks();
    reloadRuns();
    reloadFailing();
  }, [reloadTasks, reloadRuns, reloadFailing]);
  // Records whose sync fails now, not failures of all time: a record that went through since no longer counts.
  const openErrors = failing.data ? failing.data.failed + failing.data.retry : undefined;
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  const runsToday = runs.data?.executions.filter(
    (e) => e.startedAt && Date.parse(e.startedAt) > dayAgo,
  ).length;
  return (
    <>
      <PageHeader title={t('dash.title')} />
      <section className="stats" aria-label={t('dash.title')}>
        <div className="card stat">
          <span className="stat-label">{t('dash.tasksCount')}</span>
          <span className="stat-value">{tasks.data ? number(tasks.data.tasks.length) : '—'}</span>
        </div>
        <div className="card stat">
          <span className="stat-label">{t('dash.runsToday')}</span>
          <span className="stat-value">{runsToday === undefined ? '—' : number(runsToday)}</span>
        </div>
        <Link
          to="/errors"
          className={`card stat stat-link${openErrors ? ' stat-alert' : ''}`}
          title={t('dash.openErrorsHint')}
        >
          <span className="stat-label">{t('dash.openErrors')}</span>
          <span className="stat-value" data-testid="open-errors">
            {openErrors === undefined ? '—' : number(openErrors)}
          </span>
          {failing.data && openErrors ? (
            <span className="muted small">
              {t('dash.openErrorsSplit', {
                failed: number(failing.data.failed),
                retry: number(failing.data.retry),
              })}
            </span>
          ) : null}
        </Link>
      </section>
      {tasks.loading && !tasks.data ? <Loading /> : null}
      <ErrorNote error={tasks.error} />
      {tasks.data && tasks.data.tasks.length === 0 ? <Notice tone="info">{t('dash.noTasks')}</Notice> : null}
      <section className="task-grid">
        {tasks.data?.tasks.map((task) => (
          <TaskCard key={task.id} task={task} systems={systems} onChanged={refresh} />
        ))}
      </section>
      <section className="card chart-card">
        <h2>{t('dash.chartTitle')}</h2>
        <RunsChart executions={runs.data?.executions ?? []} />
      </section>
    </>
  );
}
