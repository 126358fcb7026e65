import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { ErrorNote, Field, Notice, PageHeader, SystemIcon } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import type { ConnectionRow, ObjectDescription } from '../types.ts';

/** What was done to one linked record (`DeletionAction` of src/engine/deletions.ts). */
interface ErasureAction {
  connectionId: string;
  object: string;
  role: 'source' | 'target';
  action: 'deleted' | 'anonymised' | 'unlinked' | 'skipped' | 'failed';
  code?: string;
}
interface ErasureOutcome {
  auditId: string;
  actions: ErasureAction[];
  complete: boolean;
  itemsPurged: number;
}
interface ExportDocument {
  exportedAt: string;
  links: unknown[];
  systems: { connectionId: string; object: string; role: string; error?: string; shared?: boolean }[];
  runItems: unknown[];
}

const ACTION_TONE: Record<ErasureAction['action'], string> = {
  deleted: 'ok',
  anonymised: 'ok',
  unlinked: 'neutral',
  skipped: 'warning',
  failed: 'error',
};

/** The export as a file the browser saves (`junction-export-<connection>-<object>.json`). */
function downloadUrl(doc: ExportDocument): string {
  return URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
}

/**
 * Data-protection requests for one person, for admins: an access export (what Junction and every linked
 * system hold, as a JSON file) and an erasure (deleted or anonymised everywhere per the mappings' privacy
 * policy, after a confirmation). Both are audited without the personal data; the outcome links to the log.
 */
export function PrivacyPage() {
  const { t, number } = useI18n();
  const [params] = useSearchParams();
  const [form, setForm] = useState({
    connection: params.get('connection') ?? '',
    object: params.get('object') ?? '',
    key: params.get('key') ?? '',
  });
  const [busy, setBusy] = useState<'erase' | 'export' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [erased, setErased] = useState<ErasureOutcome | null>(null);
  const [exported, setExported] = useState<{ doc: ExportDocument; url: string } | null>(null);
  const connections = useResource<{ connections: ConnectionRow[] }>('/api/connections');
  const describe = useResource<{ objects: ObjectDescription[] }>(
    form.connection ? `/api/connections/${seg(form.connection)}/describe` : null,
  );
  const byId = new Map((connections.data?.connections ?? []).map((c) => [c.id, c]));
  const ref = { connectionId: form.connection, object: form.object.trim(), key: form.key.trim() };

  const run = async (which: 'erase' | 'export') => {
    setError(null);
    setErased(null);
    if (exported) URL.revokeObjectURL(exported.url);
    setExported(null);
    setBusy(which);
    try {
      if (which === 'erase') setErased(await apiSend<ErasureOutcome>('POST', '/api/privacy/erasures', ref));
      else {
        const doc = await apiSend<ExportDocument>('POST', '/api/privacy/exports', ref);
        setExported({ doc, url: downloadUrl(doc) });
      }
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(null);
    }
  };
  const submitExport = (e: FormEvent) => {
    e.preventDefault();
    void run('export');
  };
  const erase = () => {
    if (!ref.connectionId || !ref.object || !ref.key) return;
    const name = byId.get(ref.connectionId)?.name ?? ref.connectionId;
    // Erasing cannot be undone in the linked systems: a person says so first.
    if (window.confirm(t('priv.confirmErase', { key: ref.key, object: ref.object, connection: name })))
      void run('erase');
  };

  return (
    <>
      <PageHeader title={t('priv.title')} />
      <p className="muted">{t('priv.intro')}</p>
      <form className="card form record-search" onSubmit={submitExport} aria-label={t('priv.title')}>
        <Field label={t('priv.connection')}>
          {(p) => (
            <select
              {...p}
              name="connection"
              required
              value={form.connection}
              onChange={(e) => setForm({ ...form, connection: e.target.value, object: '' })}
            >
              <option value="">{t('priv.chooseConnection')}</option>
              {(connections.data?.connections ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.system})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('priv.object')}>
          {(p) => (
            <input
              {...p}
              name="object"
              required
              list="privacy-objects"
              value={form.object}
              onChange={(e) => setForm({ ...form, object: e.target.value })}
            />
          )}
        </Field>
        <Field label={t('priv.key')} hint={t('priv.keyHint')}>
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
        <datalist id="privacy-objects">
          {(describe.data?.objects ?? []).map((o) => (
            <option key={o.name} value={o.name}>
              {o.label ?? o.name}
            </option>
          ))}
        </datalist>
        <div className="form-actions privacy-actions">
          <button type="submit" className="btn btn-primary" disabled={busy !== null}>
            {busy === 'export' ? t('priv.working') : t('priv.export')}
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy !== null || !ref.connectionId || !ref.object || !ref.key}
            onClick={erase}
          >
            {busy === 'erase' ? t('priv.working') : t('priv.erase')}
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {exported ? (
        <section aria-labelledby="privacy-export" className="card">
          <h2 id="privacy-export">{t('priv.exportDone')}</h2>
          <p>
            {t('priv.exportSummary', {
              links: number(exported.doc.links.length),
              systems: number(exported.doc.systems.length),
              items: number(exported.doc.runItems.length),
            })}
          </p>
          {exported.doc.systems.some((s) => s.error) ? (
            <Notice tone="error">{t('priv.exportPartial')}</Notice>
          ) : null}
          <p className="row">
            <a
              className="btn btn-primary"
              href={exported.url}
              download={`junction-export-${ref.connectionId}-${ref.object}.json`}
            >
              {t('priv.download')}
            </a>
            <Link to="/audit?kind=export">{t('priv.openAudit')}</Link>
          </p>
        </section>
      ) : null}
      {erased ? (
        <section aria-labelledby="privacy-erasure">
          <div className="section-head">
            <h2 id="privacy-erasure">{t('priv.erasureDone')}</h2>
          </div>
          <Notice tone={erased.complete ? 'ok' : 'error'}>
            {erased.complete ? t('priv.complete') : t('priv.incomplete')}{' '}
            {t('priv.itemsPurged', { n: number(erased.itemsPurged) })}{' '}
            <Link to="/audit?kind=erasure">{t('priv.openAudit')}</Link>
          </Notice>
          <div className="table-wrap card">
            <table className="table" data-testid="erasure-actions">
              <thead>
                <tr>
                  <th scope="col">{t('rec.target')}</th>
                  <th scope="col">{t('priv.role')}</th>
                  <th scope="col">{t('rec.status')}</th>
                </tr>
              </thead>
              <tbody>
                {erased.actions.map((a, i) => {
                  const c = byId.get(a.connectionId);
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: one outcome's fixed list; two records of one system and object differ only by position (their ids are not shown)
                    <tr key={`${a.connectionId}/${a.object}/${a.role}/${i}`} data-action={a.action}>
                      <th scope="row" className="link-target">
                        <SystemIcon system={c?.system} /> {c?.name ?? a.connectionId}{' '}
                        <span className="muted">· {a.object}</span>
                      </th>
                      <td>{t(`priv.role.${a.role}` as TextKey)}</td>
                      <td>
                        <span className={`badge badge-${ACTION_TONE[a.action]}`}>
                          <span className="badge-dot" aria-hidden="true" />
                          {t(`priv.action.${a.action}` as TextKey)}
                        </span>{' '}
                        {a.code ? <code>{a.code}</code> : null}
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
