import { Link, useSearchParams } from 'react-router-dom';
import { seg } from '../api.ts';
import { ErrorNote, Loading, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { FailedItem, TaskRow } from '../types.ts';

type ErrorLog = {
  groups: { code: string | null; count: number; lastAt: string | null }[];
  items: FailedItem[];
};

/** Failed records across all tasks, newest first, grouped by error code, each with its payload. */
export function ErrorLogPage() {
  const { t, date, number } = useI18n();
  const [params, setParams] = useSearchParams();
  const code = params.get('code') ?? '';
  const log = useResource<ErrorLog>(
    `/api/errors?limit=200${code ? `&code=${encodeURIComponent(code)}` : ''}`,
  );
  const tasks = useResource<{ tasks: TaskRow[] }>('/api/tasks');
  const taskName = new Map((tasks.data?.tasks ?? []).map((x) => [x.id, x.name]));
  const pick = (c: string) => setParams(c ? { code: c } : {});
  return (
    <>
      <PageHeader title={t('err.title')} />
      <p className="muted">{t('err.intro')}</p>
      <ErrorNote error={log.error} />
      {log.loading && !log.data ? <Loading /> : null}
      {log.data && log.data.groups.length === 0 ? <p className="empty">{t('err.none')}</p> : null}
      {log.data && log.data.groups.length > 0 ? (
        <div className="error-layout">
          <section className="card error-groups" aria-labelledby="err-groups">
            <h2 id="err-groups">{t('err.groups')}</h2>
            <ul className="group-list">
              <li>
                <button type="button" className="group" aria-pressed={code === ''} onClick={() => pick('')}>
                  <span>{t('err.all')}</span>
                  <span className="count">{number(log.data.groups.reduce((n, g) => n + g.count, 0))}</span>
                </button>
              </li>
              {log.data.groups.map((g) => (
                <li key={g.code ?? ''}>
                  <button
                    type="button"
                    className="group"
                    aria-pressed={code === (g.code ?? '')}
                    onClick={() => pick(g.code ?? '')}
                  >
                    <code>{g.code ?? '—'}</code>
                    <span className="count">{number(g.count)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <section className="error-items" aria-label={t('err.title')}>
            {log.data.items.map((it) => (
              <article key={it.id} className="card error-item" data-code={it.code ?? ''}>
                <header className="error-item-head">
                  <strong>{t('err.record', { key: it.sourceKey })}</strong>
                  <code className="code-chip">{it.code ?? '—'}</code>
                  <span className="muted small">
                    {taskName.get(it.taskId) ?? it.taskId} · {date(it.at)}
                  </span>
                  <Link className="small" to={`/executions/${seg(it.executionId)}`}>
                    {t('err.openRun')}
                  </Link>
                </header>
                <p className="error-message">{it.message}</p>
                {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must take focus so keyboard users can scroll it (axe scrollable-region-focusable) */}
                <pre className="payload-json" tabIndex={0}>
                  {JSON.stringify(it.payload, null, 2)}
                </pre>
              </article>
            ))}
          </section>
        </div>
      ) : null}
    </>
  );
}
