import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, Notice, PageHeader, PayloadViewer, StatusBadge } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { formatDuration, type TextKey, useI18n } from '../i18n/index.tsx';
import { isActive, useLiveRuns, useRunChanges } from '../live.tsx';
import type { Execution, ExecutionItem, MappingRow, TaskRow } from '../types.ts';
import { durationOf } from './history.tsx';
import { recordViewUrl } from './records.tsx';

const PAGE = 100;

/** One run: its counts, and the records it touched with action, message and payload; retry failed. */
export function ExecutionPage() {
  const { id = '' } = useParams();
  const { t, date, number } = useI18n();
  const { canOperate, isAdmin } = useAuth();
  const [failedOnly, setFailedOnly] = useState(false);
  const [offset, setOffset] = useState(0);
  const [retry, setRetry] = useState<{ marked: number; executionId: string | null } | null>(null);
  const [retryError, setRetryError] = useState<ApiError | null>(null);
  const [confirmed, setConfirmed] = useState<{ executionId: string | null } | null>(null);
  const run = useResource<Execution>(`/api/executions/${seg(id)}`);
  const items = useResource<{ items: ExecutionItem[]; total: number }>(
    `/api/executions/${seg(id)}/items?limit=${PAGE}&offset=${offset}${failedOnly ? '&action=fail' : ''}`,
  );
  // The mapping's source narrows the record view to the records this run read.
  const task = useResource<TaskRow>(run.data ? `/api/tasks/${seg(run.data.taskId)}` : null);
  const mapping = useResource<MappingRow>(task.data ? `/api/mappings/${seg(task.data.mappingId)}` : null);
  const source = mapping.data?.source;
  const reloadRun = run.reload;
  const reloadItems = items.reload;
  // The live feed carries this run's counts at every committed page; its end reloads the records.
  const fed = useLiveRuns()?.get(id);
  useRunChanges(
    () => {
      reloadRun();
      reloadItems();
    },
    { only: (ev) => ev.id === id },
  );
  const e = run.data;
  const counts = fed?.counts ?? e?.counts;
  const live = fed ? { status: fed.status } : null;
  const running = isActive(live?.status ?? e?.status ?? '');
  const doRetry = async () => {
    setRetryError(null);
    try {
      setRetry(
        await apiSend<{ marked: number; executionId: string | null }>(
          'POST',
          `/api/executions/${seg(id)}/retry`,
        ),
      );
    } catch (err) {
      setRetryError(err as ApiError);
    }
  };
  // The mass-deletion guard held this run's deletions back: an admin may confirm them (audited) and run again.
  const held = e?.error?.code === 'mass_deletion_guard' ? e.error : null;
  const confirmDeletes = async () => {
    if (!e) return;
    // The guard's message starts with the number it held back ("25 of 100 linked records are gone …").
    const n = /^(\d+)/.exec(held?.message ?? '')?.[1] ?? '?';
    if (!window.confirm(t('run.confirmDeletesAsk', { n, task: task.data?.name ?? e.taskId }))) return;
    setRetryError(null);
    try {
      setConfirmed(
        await apiSend<{ executionId: string | null }>('POST', `/api/tasks/${seg(e.taskId)}/run`, {
          confirmDeletes: true,
        }),
      );
    } catch (err) {
      setRetryError(err as ApiError);
    }
  };
  if (run.error) return <ErrorNote error={run.error} />;
  if (!e) return <Loading />;
  return (
    <>
      <p>
        <Link to={`/history?task=${seg(e.taskId)}`}>← {t('run.back')}</Link>
      </p>
      <PageHeader title={t('run.titleOf', { task: task.data?.name ?? e.taskId, date: date(e.startedAt) })}>
        <StatusBadge status={live?.status ?? e.status} />
        {canOperate && (counts?.failed ?? 0) > 0 ? (
          <button type="button" className="btn btn-primary" onClick={() => void doRetry()}>
            {t('run.retryFailed')}
          </button>
        ) : null}
      </PageHeader>
      {retry ? (
        <Notice>
          {retry.marked ? t('run.retryStarted', { n: retry.marked }) : t('run.retryNone')}{' '}
          {retry.executionId ? (
            <Link to={`/executions/${seg(retry.executionId)}`}>{t('err.openRun')}</Link>
          ) : null}
        </Notice>
      ) : null}
      <ErrorNote error={retryError} />
      {e.error && !held ? (
        <Notice tone="error">{t('run.error', { code: e.error.code, message: e.error.message })}</Notice>
      ) : null}
      {held ? (
        // Not a failure: the run stopped short of deleting and waits for a person's say.
        <div className="notice notice-warning guard-held" role="status" data-testid="deletion-guard">
          <p>
            <code>{held.code}</code> {held.message}
          </p>
          <p>{t('run.guardHeld')}</p>
          {isAdmin && !confirmed ? (
            <button type="button" className="btn btn-danger" onClick={() => void confirmDeletes()}>
              {t('run.confirmDeletes')}
            </button>
          ) : null}
        </div>
      ) : null}
      {confirmed ? (
        <Notice>
          {t('run.confirmDeletesStarted')}{' '}
          {confirmed.executionId ? (
            <Link to={`/executions/${seg(confirmed.executionId)}`}>{t('err.openRun')}</Link>
          ) : null}
        </Notice>
      ) : null}
      {running && counts ? (
        <p className="progress card" role="status" aria-live="polite" data-testid="run-progress">
          <span className="spinner" aria-hidden="true" />
          {t('dash.progress', {
            read: number(counts.read),
            written: number(counts.created + counts.updated + counts.deleted),
            failed: number(counts.failed),
          })}
        </p>
      ) : null}
      {counts ? (
        <dl className="facts facts-wide card">
          {(
            [
              ['run.read', counts.read],
              ['run.filtered', counts.filtered],
              ['dash.created', counts.created],
              ['dash.updated', counts.updated],
              ['run.unchanged', counts.unchanged],
              ['run.deleted', counts.deleted],
              ['dash.failed', counts.failed],
            ] as [TextKey, number][]
          ).map(([k, n]) => (
            <div key={k}>
              <dt>{t(k)}</dt>
              <dd>{number(n)}</dd>
            </div>
          ))}
          <div>
            <dt>{t('hist.duration')}</dt>
            <dd>{formatDuration(durationOf(e))}</dd>
          </div>
        </dl>
      ) : null}
      <div className="section-head">
        <h2>{t('run.items')}</h2>
        <label className="check">
          <input
            type="checkbox"
            checked={failedOnly}
            onChange={(ev) => {
              setFailedOnly(ev.target.checked);
              setOffset(0);
            }}
          />
          {t('run.failedOnly')}
        </label>
      </div>
      <ErrorNote error={items.error} />
      {items.data && items.data.items.length === 0 ? <p className="muted">{t('run.noItems')}</p> : null}
      {items.data && items.data.items.length > 0 ? (
        <div className="table-wrap card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('run.sourceKey')}</th>
                <th scope="col">{t('run.action')}</th>
                <th scope="col">{t('run.targetId')}</th>
                <th scope="col">{t('run.message')}</th>
                <th scope="col">{t('run.payload')}</th>
              </tr>
            </thead>
            <tbody>
              {items.data.items.map((it) => (
                <tr key={it.id} data-action={it.action}>
                  <td className="mono">
                    <Link
                      to={recordViewUrl(it.sourceKey, source)}
                      aria-label={t('run.openRecord', { key: it.sourceKey })}
                    >
                      {it.sourceKey}
                    </Link>
                  </td>
                  <td>
                    <span className={`action action-${it.action}`}>
                      {t(`action.${it.action}` as TextKey)}
                    </span>
                  </td>
                  <td className="mono">{it.targetId ?? '—'}</td>
                  <td className="message">
                    {it.code ? <code>{it.code}</code> : null} {it.message ?? ''}
                  </td>
                  <td>
                    {it.payload === null || it.payload === undefined ? (
                      '—'
                    ) : (
                      <PayloadViewer payload={it.payload} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {items.data && items.data.total > PAGE ? (
        <div className="pager">
          <button
            type="button"
            className="btn btn-small"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            ←
          </button>
          <span className="muted">
            {number(offset + 1)}–{number(Math.min(offset + PAGE, items.data.total))} /{' '}
            {number(items.data.total)}
          </span>
          <button
            type="button"
            className="btn btn-small"
            disabled={offset + PAGE >= items.data.total}
            onClick={() => setOffset(offset + PAGE)}
          >
            →
          </button>
        </div>
      ) : null}
    </>
  );
}
