import { type FormEvent, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { type ApiError, apiUpload, seg } from '../api.ts';
import { ErrorNote, Field, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { useSystems } from '../systems.tsx';
import type { ConnectionRow, ImportView, MappingRow } from '../types.ts';

/** Upload a `.xlsx`/`.csv` for a mapping that reads a spreadsheet connection; the server checks every row. */
export function ImportsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const connections = useResource<{ connections: ConnectionRow[] }>('/api/connections');
  const mappings = useResource<{ mappings: MappingRow[] }>('/api/mappings');
  const [mappingId, setMappingId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  // Systems whose records can come from an uploaded file, as their connectors say.
  const uploads = new Set((useSystems() ?? []).filter((s) => s.uploads).map((s) => s.system));
  const spreadsheets = new Set(
    (connections.data?.connections ?? []).filter((c) => uploads.has(c.system)).map((c) => c.id),
  );
  const importable = (mappings.data?.mappings ?? []).filter((m) => spreadsheets.has(m.source.connectionId));
  const chosen = mappingId || importable[0]?.id || '';
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file || !chosen) return;
    // The server reads the fields before the file part, so the mapping goes first.
    const form = new FormData();
    form.append('mappingId', chosen);
    form.append('file', file, file.name);
    setBusy(true);
    setError(null);
    try {
      const created = await apiUpload<ImportView>('/api/imports', form);
      navigate(`/imports/${seg(created.id)}`);
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };
  if (!connections.data || !mappings.data)
    return connections.error || mappings.error ? (
      <ErrorNote error={connections.error ?? mappings.error} />
    ) : (
      <Loading />
    );
  return (
    <>
      <PageHeader title={t('imp.title')} />
      <p className="muted">{t('imp.intro')}</p>
      {importable.length === 0 ? (
        <Notice tone="info">{t('imp.noMappings')}</Notice>
      ) : (
        <form
          className="card form narrow-form"
          onSubmit={upload}
          aria-label={t('imp.title')}
          aria-busy={busy}
        >
          <fieldset disabled={busy}>
            <Field label={t('imp.mapping')}>
              {(p) => (
                <select {...p} name="mappingId" value={chosen} onChange={(e) => setMappingId(e.target.value)}>
                  {importable.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name} ({m.source.object} → {m.target.object})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('imp.file')}>
              {(p) => (
                <input
                  {...p}
                  ref={fileRef}
                  name="file"
                  type="file"
                  required
                  accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
                />
              )}
            </Field>
          </fieldset>
          <ErrorNote error={error} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('imp.uploading') : t('imp.upload')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
