import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { type ApiError, apiSend, scopedUrl, seg } from '../api.ts';
import { ErrorNote, Loading, Notice, PageHeader, StatusBadge } from '../components/ui.tsx';
import { useExecutionEvents, useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { Execution, ImportView } from '../types.ts';
import { ImportPreviewTable, ProblemsTable } from './import-tables.tsx';

const kb = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} KB`;

/**
 * One uploaded import: the file, the validation with row errors and the mapped preview; then the
 * import itself (all rows or only the valid ones), followed live, and the error file to download.
 */
export function ImportDetailPage() {
  const { id = '' } = useParams();
  const { t, number } = useI18n();
  const imp = useResource<ImportView>(`/api/imports/${seg(id)}`);
  const [started, setStarted] = useState<string | null>(null);
  const [ended, setEnded] = useState<Execution | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const rec = imp.data;
  const runningId = ended ? null : (started ?? (rec?.status === 'running' ? rec.executionId : null));
  const onEnd = useCallback((e: Execution) => setEnded(e), []);
  const live = useExecutionEvents(runningId, onEnd);
  const reload = imp.reload;
  // The server files the import as finished (and rewrites the error file) just after the run ends.
  useEffect(() => {
    if (!ended || (rec && rec.status !== 'running' && rec.status !== 'validated')) return;
    const timer = setTimeout(reload, 250);
    return () => clearTimeout(timer);
  }, [ended, rec, reload]);
  const run = async (validRowsOnly: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await apiSend<{ importId: string; executionId: string }>(
        'POST',
        `/api/imports/${seg(id)}/run`,
        { validRowsOnly },
      );
      setStarted(r.executionId);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  if (imp.error && !rec) return <ErrorNote error={imp.error} />;
  if (!rec) return <Loading />;
  const v = rec.validation;
  const execution = ended ?? rec.execution;
  const settled = rec.status === 'finished' || rec.status === 'failed';
  const counts = live?.counts ?? execution?.counts;
  const isRunning = runningId !== null || (ended !== null && !settled);
  const canRun = rec.status === 'validated' && !started;
  return (
    <>
      <p>
        <Link to="/imports">← {t('imp.back')}</Link>
      </p>
      <PageHeader title={t('imp.detail', { file: rec.fileName })}>
        {execution || runningId ? (
          <StatusBadge status={live?.status ?? execution?.status ?? 'running'} />
        ) : null}
      </PageHeader>
      <dl className="facts facts-wide card" data-testid="import-facts">
        <div>
          <dt>{t('imp.mapping')}</dt>
          <dd className="mono">{rec.mappingId}</dd>
        </div>
        <div>
          <dt>{t('imp.format')}</dt>
          <dd>
            {rec.file.format === 'csv'
              ? `CSV${rec.file.delimiter ? ` (${rec.file.delimiter})` : ''}`
              : 'Excel'}
          </dd>
        </div>
        <div>
          <dt>{rec.file.format === 'csv' ? t('imp.encoding') : t('imp.sheet')}</dt>
          <dd>{(rec.file.format === 'csv' ? rec.file.encoding : rec.file.sheetName) ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('imp.size')}</dt>
          <dd>{kb(rec.file.bytes)}</dd>
        </div>
        <div>
          <dt>{t('imp.rows')}</dt>
          <dd data-count="rows">{number(v.rows)}</dd>
        </div>
        <div>
          <dt>{t('imp.valid')}</dt>
          <dd data-count="valid">{number(v.valid)}</dd>
        </div>
        <div>
          <dt>{t('imp.invalid')}</dt>
          <dd data-count="invalid" className={v.invalid ? 'text-error' : ''}>
            {number(v.invalid)}
          </dd>
        </div>
        <div>
          <dt>{t('imp.filtered')}</dt>
          <dd data-count="filtered">{number(v.filtered)}</dd>
        </div>
      </dl>
      {v.invalid === 0 ? (
        <Notice>{t('imp.allValid', { rows: number(v.rows) })}</Notice>
      ) : (
        <Notice tone="error">
          {t('imp.someInvalid', { invalid: number(v.invalid), rows: number(v.rows) })}
        </Notice>
      )}
      {canRun ? (
        <section className="card import-actions" aria-label={t('imp.run')}>
          <div className="row">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || v.invalid > 0 || v.valid === 0}
              aria-describedby={v.invalid > 0 ? 'all-or-nothing' : undefined}
              onClick={() => void run(false)}
            >
              {t('imp.run')}
            </button>
            {v.invalid > 0 && v.valid > 0 ? (
              <button type="button" className="btn" disabled={busy} onClick={() => void run(true)}>
                {t('imp.runValid', { n: number(v.valid) })}
              </button>
            ) : null}
          </div>
          {v.invalid > 0 ? (
            <p className="hint" id="all-or-nothing">
              {t('imp.allOrNothing')}
            </p>
          ) : null}
        </section>
      ) : null}
      <ErrorNote error={error} />
      {isRunning && counts ? (
        <p className="progress" role="status" aria-live="polite">
          <span className="spinner" aria-hidden="true" />
          {t('imp.running', {
            read: number(counts.read),
            written: number(counts.created + counts.updated),
            failed: number(counts.failed),
          })}
        </p>
      ) : null}
      {settled && execution && !isRunning ? (
        <Notice tone={execution.status === 'failed' ? 'error' : execution.counts.failed > 0 ? 'info' : 'ok'}>
          <span data-testid="import-result">
            {t('imp.finished', {
              created: number(execution.counts.created),
              updated: number(execution.counts.updated),
              unchanged: number(execution.counts.unchanged),
              failed: number(execution.counts.failed),
            })}
          </span>{' '}
          <Link to={`/executions/${seg(execution.id)}`}>{t('imp.openRun')}</Link>
        </Notice>
      ) : null}
      {rec.error ? <Notice tone="error">{t('imp.failed', { message: rec.error.message })}</Notice> : null}
      {rec.errorFileUrl && !isRunning ? (
        <div className="card error-file">
          <a className="btn" href={scopedUrl(rec.errorFileUrl)} download>
            {t('imp.errorFile')}
          </a>
          <p className="hint">{t('imp.errorFileHint')}</p>
        </div>
      ) : null}
      {v.problems.length > 0 ? <ProblemsTable problems={v.problems} total={v.problemCount} /> : null}
      {v.preview.length > 0 ? <ImportPreviewTable preview={v.preview} /> : null}
    </>
  );
}
