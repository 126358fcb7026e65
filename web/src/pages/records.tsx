import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Field, Loading, Notice, PageHeader, SystemIcon } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import type { ConnectionRow, ObjectDescription, SyncLinkRow, SyncStatus } from '../types.ts';

const SYNC_TONE: Record<SyncStatus, string> = {
  ok: 'ok',
  failed: 'error',
  retry: 'warning',
  deleted: 'neutral',
  removed: 'neutral',
  target_deleted: 'warning',
};

/** A sync link's status as a badge with its text (colour is never the only signal). */
function SyncBadge({ status }: { status: SyncStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${SYNC_TONE[status]}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {t(`sync.${status}` as TextKey)}
    </span>
  );
}

/** The URL of the record view for a source key, optionally narrowed to its source connection and object. */
export function recordViewUrl(sourceKey: string, source?: { connectionId: string; object: string }): string {
  const q = new URLSearchParams({ key: sourceKey });
  if (source) {
    q.set('connection', source.connectionId);
    q.set('object', source.object);
  }
  return `/records?${q}`;
}

/** Type a source key, see every system the record is in, its key there and how its last sync went. */
export function RecordsPage() {
  const { t, date, number } = useI18n();
  const [params, setParams] = useSearchParams();
  const key = params.get('key') ?? '';
  const connection = params.get('connection') ?? '';
  const object = params.get('object') ?? '';
  const [form, setForm] = useState({ key, connection, object });
  // A link from the drill-down changes the query while the page is open: the form follows it.
  useEffect(() => setForm({ key, connection, object }), [key, connection, object]);
  const connections = useResource<{ connections: ConnectionRow[] }>('/api/connections');
  const { isAdmin } = useAuth();
  // Describing a system makes live calls with its credentials: admins only (viewers type the object).
  const describe = useResource<{ objects: ObjectDescription[] }>(
    isAdmin && form.connection ? `/api/connections/${seg(form.connection)}/describe` : null,
  );
  const query = new URLSearchParams({
    ...(connection ? { connection } : {}),
    ...(object ? { object } : {}),
  }).toString();
  const links = useResource<{ sourceKey: string; links: SyncLinkRow[] }>(
    key ? `/api/records/${seg(key)}/links${query ? `?${query}` : ''}` : null,
  );
  const byId = new Map((connections.data?.connections ?? []).map((c) => [c.id, c]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Record<string, string> = { key: form.key.trim() };
    if (form.connection) next.connection = form.connection;
    if (form.object.trim()) next.object = form.object.trim();
    setParams(next);
  };
  const rows = links.data?.links ?? [];
  return (
    <>
      <PageHeader title={t('rec.title')} />
      <p className="muted">{t('rec.intro')}</p>
      <search aria-label={t('rec.title')}>
        <form className="card form record-search" onSubmit={submit}>
          <Field label={t('rec.key')}>
            {(p) => (
              <input
                {...p}
                name="key"
                required
                className="mono"
                value={form.key}
                onChange={(e) => setForm({ ...form, key: e.target.value })}
              />
            )}
          </Field>
          <Field label={t('rec.connection')}>
            {(p) => (
              <select
                {...p}
                name="connection"
                value={form.connection}
                onChange={(e) => setForm({ ...form, connection: e.target.value, object: '' })}
              >
                <option value="">{t('rec.anyConnection')}</option>
                {(connections.data?.connections ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.system})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('rec.object')} hint={t('rec.objectHint')}>
            {(p) => (
              <input
                {...p}
                name="object"
                list="record-objects"
                value={form.object}
                onChange={(e) => setForm({ ...form, object: e.target.value })}
              />
            )}
          </Field>
          <datalist id="record-objects">
            {(describe.data?.objects ?? []).map((o) => (
              <option key={o.name} value={o.name}>
                {o.label ?? o.name}
              </option>
            ))}
          </datalist>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary">
              {t('rec.show')}
            </button>
          </div>
        </form>
      </search>
      <ErrorNote error={links.error} />
      {links.loading && !links.data ? <Loading /> : null}
      {key && links.data && rows.length === 0 ? <Notice tone="info">{t('rec.none', { key })}</Notice> : null}
      {key && rows.length > 0 ? (
        <section aria-labelledby="record-links">
          <div className="section-head">
            <h2 id="record-links">
              {rows.length === 1
                ? t('rec.foundOne', { key })
                : t('rec.found', { key, n: number(rows.length) })}
            </h2>
            {isAdmin && rows[0] ? (
              <Link
                to={`/privacy?${new URLSearchParams({
                  connection: rows[0].sourceConnectionId,
                  object: rows[0].sourceObject,
                  key,
                })}`}
              >
                {t('rec.privacy')}
              </Link>
            ) : null}
          </div>
          <div className="table-wrap card">
            <table className="table" data-testid="record-links">
              <thead>
                <tr>
                  <th scope="col">{t('rec.target')}</th>
                  <th scope="col">{t('rec.externalId')}</th>
                  <th scope="col">{t('rec.lastSync')}</th>
                  <th scope="col">{t('rec.lastSuccess')}</th>
                  <th scope="col">{t('rec.status')}</th>
                  <th scope="col">{t('rec.remark')}</th>
                  <th scope="col">{t('rec.source')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((l) => {
                  const target = byId.get(l.targetConnectionId);
                  return (
                    <tr
                      key={`${l.sourceConnectionId}/${l.sourceObject}→${l.targetConnectionId}/${l.targetObject}`}
                      data-target={l.targetConnectionId}
                    >
                      <th scope="row" className="link-target">
                        <SystemIcon system={target?.system} /> {target?.name ?? l.targetConnectionId}{' '}
                        <span className="muted">· {l.targetObject}</span>
                      </th>
                      <td className="mono">{l.externalId ?? '—'}</td>
                      <td>{date(l.lastSyncAt)}</td>
                      <td>{date(l.lastSuccessAt)}</td>
                      <td>
                        <SyncBadge status={l.status} />
                      </td>
                      <td className="message">{l.remark ?? '—'}</td>
                      <td className="muted small">
                        {byId.get(l.sourceConnectionId)?.name ?? l.sourceConnectionId} · {l.sourceObject}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
