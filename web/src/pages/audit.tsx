import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ListTable } from '../components/list-table.tsx';
import { ErrorNote, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';

/** One audit entry as `/api/audit` answers it. */
interface AuditRow {
  id: string;
  at: string;
  kind: string;
  connectionId: string;
  subject: string;
  details: Record<string, unknown>;
}

const KINDS = [
  'erasure',
  'export',
  'privacy_deletion',
  'deletion',
  'deletions_confirmed',
  'login',
  'login_failed',
  'change',
] as const;
const PAGE = 50;

/** What an entry says, in a line: who did it and what it touched — never the personal data itself. */
function summary(e: AuditRow, t: (key: TextKey) => string): string {
  const d = e.details;
  const parts: string[] = [];
  if (typeof d.by === 'string') parts.push(d.by);
  // An erasure is audited when it starts and when it ends: a started one without an end was cut off.
  if (d.phase === 'started' || d.phase === 'finished') parts.push(t(`audit.phase.${d.phase}`));
  if (d.complete === false) parts.push(t('audit.incomplete'));
  if (typeof d.id === 'string') parts.push(d.id);
  if (typeof d.taskId === 'string') parts.push(d.taskId);
  if (Array.isArray(d.actions))
    parts.push(
      (d.actions as { connectionId: string; object: string; action: string }[])
        .map((a) => `${a.connectionId}/${a.object}: ${a.action}`)
        .join(', '),
    );
  return parts.join(' · ');
}

/** The audit log for admins: privacy deletions, confirmations, logins, configuration changes. */
export function AuditPage() {
  const { t, date } = useI18n();
  // The privacy page links here narrowed to its kind (`/audit?kind=erasure`).
  const [params] = useSearchParams();
  const [kind, setKind] = useState(params.get('kind') ?? '');
  const [page, setPage] = useState(0);
  const q = new URLSearchParams({ limit: String(PAGE), offset: String(page * PAGE) });
  if (kind) q.set('kind', kind);
  const list = useResource<{ entries: AuditRow[] }>(`/api/audit?${q}`);
  const rows = list.data?.entries;
  return (
    <>
      <PageHeader title={t('nav.audit')} />
      <p className="muted">{t('audit.intro')}</p>
      <div className="row">
        <label>
          {t('audit.kind')}{' '}
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setPage(0);
            }}
          >
            <option value="">{t('audit.allKinds')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`audit.k.${k}` as TextKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      <ListTable
        rows={rows}
        loading={list.loading}
        empty={t('audit.none')}
        columns={[t('audit.when'), t('audit.kind'), t('audit.subject'), t('audit.what')]}
      >
        {(entries) =>
          entries.map((e) => (
            <tr key={e.id} data-kind={e.kind}>
              <td>{date(e.at)}</td>
              <td>{KINDS.includes(e.kind as never) ? t(`audit.k.${e.kind}` as TextKey) : e.kind}</td>
              <td className="mono">{e.subject}</td>
              <td>{summary(e, t)}</td>
            </tr>
          ))
        }
      </ListTable>
      <div className="row">
        <button type="button" className="btn" disabled={page === 0} onClick={() => setPage(page - 1)}>
          {t('audit.newer')}
        </button>
        <button
          type="button"
          className="btn"
          disabled={(rows?.length ?? 0) < PAGE}
          onClick={() => setPage(page + 1)}
        >
          {t('audit.older')}
        </button>
      </div>
    </>
  );
}
