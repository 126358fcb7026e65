import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, Notice, PageHeader, StatusBadge, SystemIcon } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { isActive, useLiveRuns, useRunChanges } from '../live.tsx';
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
  const { canOperate } = useAuth();
  const [error, setError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const last = task.lastExecution;
  // The feed's newest run of this task, when it is newer than the one the list was loaded with.
  const fed = useLiveRuns()?.latestOf(task.id);
  const current = fed && (!last || (fed.startedAt ?? '') >= (last.startedAt ?? '')) ? fed : last;
  const status = current?.status ?? (starting ? 'queued' : 'never');
  const counts = current?.counts;
  const m = systems.get(task.mappingId);
  const runNow = async () => {
    setError(null);
    setStarting(true);
    try {
      await apiSend<{ executionId: string | null; queued: boolean }>(
        'POST',
        `/api/tasks/${seg(task.id)}/run`,
      );
      // The live feed reports the run's begin; a queued run is picked up by a worker.
      onChanged();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setStarting(false);
    }
  };
  const isRunning = isActive(status) || starting;
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
            {current ? (
              <Link to={`/executions/${seg(current.id)}`}>{date(current.startedAt)}</Link>
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
      {canOperate && task.kind !== 'import' ? (
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

/** The first steps of an empty hub, each a link to where it is done. */
function EmptyWorkspace() {
  const { t } = useI18n();
  const { isAdmin } = useAuth();
  if (!isAdmin) return <Notice tone="info">{t('dash.noTasksViewer')}</Notice>;
  return (
    <Notice tone="info">
      <p>{t('dash.noTasks')}</p>
      <ol className="first-steps">
        <li>
          <Link to="/connections/new">{t('dash.step.connection')}</Link>
        </li>
        <li>
          <Link to="/mappings/new">{t('dash.step.mapping')}</Link>
        </li>
        <li>
          <Link to="/tasks/new">{t('dash.step.task')}</Link>
        </li>
      </ol>
    </Notice>
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
  // The error log's own count: what the error log lists is what this says.
  const failing = useResource<{ open: number }>('/api/errors/count');
  const systems = useMappingSystems();
  const reloadTasks = tasks.reload;
  const reloadRuns = runs.reload;
  const reloadFailing = failing.reload;
  const refresh = useCallback(() => {
    reloadTasks();
    reloadRuns();
    reloadFailing();
  }, [reloadTasks, reloadRuns, reloadFailing]);
  // A run's begin and end change the counts, the next run and the open errors: reload them, no reload button.
  useRunChanges(refresh);
  // Records whose sync fails now, not failures of all time: a record that went through since no longer counts.
  const openErrors = failing.data?.open;
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
        </Link>
      </section>
      {tasks.loading && !tasks.data ? <Loading /> : null}
      <ErrorNote error={tasks.error} />
      {tasks.data && tasks.data.tasks.length === 0 ? <EmptyWorkspace /> : null}
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
