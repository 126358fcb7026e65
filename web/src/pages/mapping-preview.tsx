import { useEffect, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { ErrorNote, Notice } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import { fromDraft, type MappingDraft, previewable } from '../mapping-draft.ts';
import type { DryRunResult, Issue, PreviewRow, TaskRow } from '../types.ts';

/** Live preview of the (unsaved) draft on sample records; reports validation issues up to the editor. */
export function MappingPreview({
  draft,
  onIssues,
}: {
  draft: MappingDraft;
  onIssues: (issues: Issue[]) => void;
}) {
  const { t } = useI18n();
  const [rows, setRows] = useState<PreviewRow[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const ready = previewable(draft);
  const body = JSON.stringify({ mapping: { id: draft.id || 'preview', ...fromDraft(draft) }, limit: 10 });
  useEffect(() => {
    if (!ready) return;
    let live = true;
    // Wait for a pause in typing so each keystroke does not read the source system.
    const timer = setTimeout(() => {
      apiSend<{ rows: PreviewRow[] }>('POST', '/api/mappings/preview', JSON.parse(body))
        .then((r) => {
          if (!live) return;
          setRows(r.rows);
          setError(null);
          onIssues([]);
        })
        .catch((err: ApiError) => {
          if (!live) return;
          const issues = (err.details as { issues?: Issue[] } | undefined)?.issues;
          onIssues(issues ?? []);
          setError(issues ? null : err);
        });
    }, 500);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [body, ready, onIssues]);
  // Every mapped field is a column (the match key too), even where no sample record has a value for it.
  const columns = [
    ...new Set([
      ...draft.fields.map((f) => f.target.trim()).filter(Boolean),
      ...(rows ?? []).flatMap((r) => Object.keys(r.payload)),
    ]),
  ];
  return (
    <section className="card preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('map.preview')}</h2>
      <p className="muted small">{t('map.previewHint')}</p>
      <ErrorNote error={error} />
      {rows && rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="preview-table">
            <thead>
              <tr>
                <th scope="col">{t('run.sourceKey')}</th>
                <th scope="col">{t('map.filter')}</th>
                {columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.sourceKey} className={r.selected ? '' : 'row-dim'}>
                  <td className="mono">{r.sourceKey}</td>
                  <td>{r.selected ? t('map.selected') : t('map.notSelected')}</td>
                  {columns.map((c) => {
                    const err = r.errors.find((e) => e.field === c);
                    return (
                      <td
                        key={c}
                        className={err ? 'cell-error' : ''}
                        title={err ? `${err.code}: ${err.message}` : undefined}
                      >
                        {err ? `⚠ ${err.code}` : formatCell(r.payload[c])}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

const formatCell = (v: unknown) =>
  v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Dry run of a saved task that uses this mapping: what its next run would do, without writing. */
export function DryRunPanel({ mappingId }: { mappingId: string }) {
  const { t, number } = useI18n();
  const tasks = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  const mine = (tasks.data?.tasks ?? []).filter((x) => x.mappingId === mappingId);
  const [taskId, setTaskId] = useState('');
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = taskId || mine[0]?.id || '';
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await apiSend<DryRunResult>('POST', `/api/tasks/${seg(chosen)}/dry-run`, {}));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">{t('map.dryRun')}</h2>
      <p className="muted small">{t('map.dryRunHint')}</p>
      {mine.length === 0 ? (
        <p className="muted">{t('map.noTask')}</p>
      ) : (
        <div className="row">
          <label>
            {t('map.dryRunTask')}{' '}
            <select value={chosen} onChange={(e) => setTaskId(e.target.value)}>
              {mine.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={() => void run()} disabled={busy}>
            {t('map.dryRun')}
          </button>
        </div>
      )}
      <ErrorNote error={error} />
      {result ? (
        <>
          <Notice tone="info">
            {t('map.dryRunResult', {
              create: number(result.counts.created),
              update: number(result.counts.updated),
              unchanged: number(result.counts.unchanged),
              fail: number(result.counts.failed),
            })}
          </Notice>
          <ul className="dry-items">
            {result.items.slice(0, 20).map((it) => (
              <li key={`${it.action}-${it.sourceKey}`}>
                <span className={`action action-${it.action}`}>{t(`action.${it.action}` as TextKey)}</span>{' '}
                <span className="mono">{it.sourceKey}</span>
                {it.message ? <span className="muted"> — {it.message}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
