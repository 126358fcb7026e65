import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, Notice, PageHeader, PayloadViewer } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import { useRunChanges } from '../live.tsx';
import type { OpenError, TaskRow } from '../types.ts';

type Worklist = { total: number; codes: { code: string | null; count: number }[]; errors: OpenError[] };

const PAGE = 50;
const STATES = ['open', 'resolved', 'ignored'] as const;
/** "since" choices in hours (0: any time). */
const SINCE_HOURS = [0, 1, 24, 168] as const;

const rowKey = (e: Pick<OpenError, 'taskId' | 'sourceKey'>) => `${e.taskId}\u0000${e.sourceKey}`;

/**
 * The error log as a worklist: one row per record and task that fails now (latest failure, attempts,
 * since when), filtered by task, code and time; rows are resolved, ignored or retried, one or many.
 */
export function ErrorLogPage() {
  const { t, date, number } = useI18n();
  const { canOperate } = useAuth();
  const [params, setParams] = useSearchParams();
  const taskId = params.get('task') ?? '';
  const code = params.get('code') ?? '';
  const sinceHours = Number(params.get('since') ?? 0) || 0;
  const state = (params.get('state') ?? 'open') as (typeof STATES)[number];
  const offset = Number(params.get('offset') ?? 0) || 0;
  // The "since" instant is fixed when the filter is picked, so a reload asks the same question.
  const [sinceAt] = useState(() => Date.now());
  const query = new URLSearchParams({
    limit: String(PAGE),
    offset: String(offset),
    state,
    ...(taskId ? { taskId } : {}),
    ...(code ? { code } : {}),
    ...(sinceHours ? { since: new Date(sinceAt - sinceHours * 3600_000).toISOString() } : {}),
  });
  const log = useResource<Worklist>(`/api/errors?${query}`);
  const tasks = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  const reloadLog = log.reload;
  useRunChanges(reloadLog);
  const taskName = new Map((tasks.data?.tasks ?? []).map((x) => [x.id, x.name]));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'offset') next.delete('offset');
    setParams(next);
    setSelected(new Set());
  };
  const rows = log.data?.errors ?? [];
  const chosen = rows.filter((r) => selected.has(rowKey(r)));
  const toggle = (r: OpenError) => {
    const next = new Set(selected);
    if (next.has(rowKey(r))) next.delete(rowKey(r));
    else next.add(rowKey(r));
    setSelected(next);
  };
  const act = async (what: 'resolved' | 'ignored' | 'reopen' | 'retry') => {
    setError(null);
    setOutcome(null);
    const records = chosen.map((r) => ({ taskId: r.taskId, sourceKey: r.sourceKey }));
    try {
      if (what === 'retry') {
        const r = await apiSend<{ runs: { marked: number }[] }>('POST', '/api/errors/retry', { records });
        setOutcome(t('err.retried', { n: r.runs.reduce((n, x) => n + x.marked, 0) }));
      } else {
        await apiSend('POST', '/api/errors/resolve', {
          records,
          state: what,
          ...(note.trim() ? { note: note.trim() } : {}),
        });
        setOutcome(t(`err.done.${what}` as TextKey, { n: records.length }));
        setNote('');
      }
      setSelected(new Set());
      log.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <>
      <PageHeader title={t('err.title')} />
      <p className="muted">{t('err.intro')}</p>
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
          {t('err.code')}{' '}
          <select value={code} onChange={(e) => set('code', e.target.value)}>
            <option value="">{t('err.all')}</option>
            {log.data?.codes.map((c) => (
              <option key={c.code ?? ''} value={c.code ?? ''}>
                {`${c.code ?? '—'} (${number(c.count)})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('err.since')}{' '}
          <select
            value={sinceHours}
            onChange={(e) => set('since', e.target.value === '0' ? '' : e.target.value)}
          >
            {SINCE_HOURS.map((h) => (
              <option key={h} value={h}>
                {h === 0 ? t('err.anyTime') : t('err.lastHours', { n: h })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('err.state')}{' '}
          <select
            value={state}
            onChange={(e) => set('state', e.target.value === 'open' ? '' : e.target.value)}
          >
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`err.state.${s}` as TextKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={log.error ?? error} />
      {outcome ? <Notice>{outcome}</Notice> : null}
      {log.loading && !log.data ? <Loading /> : null}
      {log.data ? (
        <p className="muted" data-testid="error-total">
          {t(state === 'open' ? 'err.totalOpen' : 'err.total', { n: number(log.data.total) })}
        </p>
      ) : null}
      {log.data && rows.length === 0 ? (
        <p className="empty">{state === 'open' ? t('err.none') : t('err.noneMarked')}</p>
      ) : null}
      {canOperate && rows.length > 0 ? (
        <div className="worklist-actions card">
          <label className="check">
            <input
              type="checkbox"
              checked={chosen.length === rows.length}
              onChange={(e) => setSelected(e.target.checked ? new Set(rows.map(rowKey)) : new Set())}
            />
            {t('err.selectAll')}
          </label>
          <input
            type="text"
            className="note-input"
            aria-label={t('err.note')}
            placeholder={t('err.note')}
            value={note}
            maxLength={2000}
            onChange={(e) => setNote(e.target.value)}
          />
          <div className="row">
            {state === 'open' ? (
              <>
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  disabled={!chosen.length}
                  onClick={() => void act('retry')}
                >
                  {t('err.retry', { n: chosen.length })}
                </button>
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={!chosen.length}
                  onClick={() => void act('resolved')}
                >
                  {t('err.resolve')}
                </button>
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={!chosen.length}
                  onClick={() => void act('ignored')}
                >
                  {t('err.ignore')}
                </button>
              </>
            ) : (
              <button
                type="button"
                className="btn btn-small"
                disabled={!chosen.length}
                onClick={() => void act('reopen')}
              >
                {t('err.reopen')}
              </button>
            )}
          </div>
        </div>
      ) : null}
      <section className="error-items" aria-label={t('err.title')}>
        {rows.map((it) => (
          <article
            key={rowKey(it)}
            className="card error-item"
            data-code={it.code ?? ''}
            data-record={it.sourceKey}
          >
            <header className="error-item-head">
              {canOperate ? (
                <input
                  type="checkbox"
                  aria-label={t('err.select', { name: it.name ?? it.sourceKey })}
                  checked={selected.has(rowKey(it))}
                  onChange={() => toggle(it)}
                />
              ) : null}
              <strong className="record-name">{it.name ?? t('err.record', { key: it.sourceKey })}</strong>
              {it.name ? <span className="muted small mono">{it.sourceKey}</span> : null}
              <code className="code-chip">{it.code ?? '—'}</code>
            </header>
            <p className="error-message">{it.message}</p>
            <p className="muted small error-facts">
              <Link to={`/history?task=${seg(it.taskId)}`}>{taskName.get(it.taskId) ?? it.taskId}</Link>
              {' · '}
              <span data-testid="attempts">
                {it.attempts === 1 ? t('err.attempt') : t('err.attempts', { n: number(it.attempts) })}
              </span>
              {' · '}
              {t('err.sinceWhen', { date: date(it.since) })}
              {' · '}
              <Link to={`/executions/${seg(it.executionId)}`}>
                {t('err.lastFailure', { date: date(it.lastAt) })}
              </Link>
            </p>
            {it.resolution ? (
              <p className="small resolution">
                {t(`err.state.${it.resolution.state}` as TextKey)} · {it.resolution.by ?? '—'} ·{' '}
                {date(it.resolution.at)}
                {it.resolution.note ? ` — ${it.resolution.note}` : ''}
              </p>
            ) : null}
            {it.payload === null || it.payload === undefined ? null : <PayloadViewer payload={it.payload} />}
          </article>
        ))}
      </section>
      {log.data && log.data.total > PAGE ? (
        <div className="pager">
          <button
            type="button"
            className="btn btn-small"
            disabled={offset === 0}
            onClick={() => set('offset', String(Math.max(0, offset - PAGE)))}
          >
            {t('common.prev')}
          </button>
          <span className="muted">
            {number(offset + 1)}–{number(Math.min(offset + PAGE, log.data.total))} / {number(log.data.total)}
          </span>
          <button
            type="button"
            className="btn btn-small"
            disabled={offset + PAGE >= log.data.total}
            onClick={() => set('offset', String(offset + PAGE))}
          >
            {t('common.next')}
          </button>
        </div>
      ) : null}
    </>
  );
}
