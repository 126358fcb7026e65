import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { type ApiError, apiSend, scopedUrl, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Field, Loading, Notice, PageHeader, SystemIcon } from '../components/ui.tsx';
import { choicesOf, configFromForm, formFields, formValue, inputOf, isChecked } from '../form-fields.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { useSystem, useSystems } from '../systems.tsx';
import type { ConnectionDetail, Issue, SystemName } from '../types.ts';
import { ConnectionFileInput } from './connection-file.tsx';

const OAUTH_PATH = '/api/connections/{id}/oauth/start';

/**
 * Create or edit a connection: the form its connector describes (`/api/systems`), write-only secrets,
 * "test connection", and the OAuth button for systems that have a flow.
 */
export function ConnectionForm() {
  const { id: editId } = useParams();
  const isNew = editId === undefined;
  const { t, lang } = useI18n();
  const { isAdmin } = useAuth();
  const systems = useSystems();
  const navigate = useNavigate();
  const existing = useResource<ConnectionDetail>(isNew ? null : `/api/connections/${seg(editId)}`);
  const docs = useResource<{ paths: Record<string, unknown> }>(isAdmin ? '/docs/json' : null);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [system, setSystem] = useState<SystemName>('sql');
  const [config, setConfig] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState<Record<string, string | null>>({});
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<{ ok: boolean; message: string } | 'running' | null>(null);

  useEffect(() => {
    const c = existing.data;
    if (!c) return;
    setId(c.id);
    setName(c.name);
    setSystem(c.system);
    setConfig(Object.fromEntries(Object.entries(c.config).map(([k, v]) => [k, formValue(v)])));
    setSecret({});
  }, [existing.data]);

  const info = useSystem(system);
  const fields = formFields(info);
  const issueFor = (part: string, key: string) => issues.find((i) => i.field === `${part}.${key}`)?.message;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setIssues([]);
    setError(null);
    setSaved(false);
    // Keep config keys the form does not show (pageSize, concurrency…); blank fields fall back to defaults.
    const body = configFromForm(fields, config, existing.data?.config);
    const secretBody = Object.fromEntries(
      Object.entries(secret).filter(([, v]) => v === null || (v ?? '').trim() !== ''),
    );
    try {
      await apiSend('PUT', `/api/connections/${seg(id)}`, { name, system, config: body, secret: secretBody });
      setSaved(true);
      setSecret({});
      if (isNew) navigate(`/connections/${seg(id)}`, { replace: true });
      else existing.reload();
    } catch (err) {
      const api = err as ApiError;
      setIssues(((api.details as { issues?: Issue[] } | undefined)?.issues ?? []) as Issue[]);
      setError(api);
    }
  };
  const runTest = async () => {
    setTest('running');
    try {
      setTest(await apiSend<{ ok: boolean; message: string }>('POST', `/api/connections/${seg(id)}/test`));
    } catch (err) {
      setTest({ ok: false, message: (err as Error).message });
    }
  };
  const oauthAvailable = Boolean(docs.data?.paths[OAUTH_PATH]);

  if (!isNew && existing.error) return <ErrorNote error={existing.error} />;
  if (!isNew && !existing.data) return <Loading />;
  return (
    <>
      <p>
        <Link to="/connections">← {t('conn.title')}</Link>
      </p>
      <PageHeader
        title={isNew ? t('conn.new') : `${t(isAdmin ? 'conn.edit' : 'nav.connections')}: ${name}`}
      />
      <form className="card form" onSubmit={save} aria-label={isNew ? t('conn.new') : t('conn.edit')}>
        <fieldset disabled={!isAdmin}>
          <div className="grid-2">
            <Field label={t('common.name')} error={issueFor('body', 'name')}>
              {(p) => (
                <input {...p} name="name" required value={name} onChange={(e) => setName(e.target.value)} />
              )}
            </Field>
            <Field label={t('common.id')} hint={isNew ? t('common.idHint') : undefined}>
              {(p) => (
                <input
                  {...p}
                  name="id"
                  required
                  pattern="[A-Za-z0-9][A-Za-z0-9_\-]*"
                  readOnly={!isNew}
                  value={id}
                  onChange={(e) => setId(e.target.value)}
                />
              )}
            </Field>
          </div>
          <Field label={t('conn.system')}>
            {(p) => (
              <select
                {...p}
                name="system"
                value={system}
                disabled={!isNew}
                onChange={(e) => setSystem(e.target.value as SystemName)}
              >
                {(systems ?? []).map((s) => (
                  <option key={s.system} value={s.system}>
                    {s.label[lang]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="system-line">
            <SystemIcon system={system} withName />
          </div>
          {fields.map((f) => {
            const label = f.schema.label?.[lang] ?? f.key;
            const help = f.schema.help?.[lang];
            if (f.part === 'config') {
              const choices = choicesOf(f.schema);
              const input = inputOf(f);
              const value = config[f.key] ?? '';
              const set = (v: string) => setConfig({ ...config, [f.key]: v });
              const issue = issueFor('config', f.key);
              // A yes/no field: the box before its label, as checkboxes read.
              if (input === 'checkbox')
                return (
                  <div key={f.key} className={`field${issue ? ' field-invalid' : ''}`}>
                    <label className="check">
                      <input
                        type="checkbox"
                        name={`config.${f.key}`}
                        checked={isChecked(f, value)}
                        onChange={(e) => set(String(e.target.checked))}
                      />
                      {label}
                    </label>
                    {help ? <div className="hint">{help}</div> : null}
                    {issue ? <div className="field-error">{issue}</div> : null}
                  </div>
                );
              return (
                <Field key={f.key} label={label} hint={help} error={issueFor('config', f.key)}>
                  {(p) =>
                    input === 'file' ? (
                      <ConnectionFileInput
                        system={system}
                        field={f.key}
                        value={value}
                        onChange={set}
                        required={f.required}
                        placeholder={f.schema.placeholder}
                        accept={f.schema.accept}
                        input={p}
                      />
                    ) : input === 'select' && choices ? (
                      <select
                        {...p}
                        name={`config.${f.key}`}
                        value={value}
                        onChange={(e) => set(e.target.value)}
                      >
                        {f.required ? null : <option value="">{t('conn.auto')}</option>}
                        {choices.map((c) => (
                          <option key={String(c)} value={String(c)}>
                            {String(c) === '\t' ? 'Tab' : String(c)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        {...p}
                        name={`config.${f.key}`}
                        type={input}
                        required={f.required}
                        placeholder={
                          f.schema.placeholder ??
                          (f.schema.default === undefined ? undefined : String(f.schema.default))
                        }
                        value={value}
                        onChange={(e) => set(e.target.value)}
                      />
                    )
                  }
                </Field>
              );
            }
            const isSet = existing.data?.secret[f.key] === 'set';
            const cleared = secret[f.key] === null;
            return (
              <Field
                key={f.key}
                label={label}
                hint={
                  <>
                    {help ? `${help} · ` : ''}
                    <span className={`secret-state ${isSet && !cleared ? 'is-set' : ''}`} data-secret={f.key}>
                      {isSet && !cleared ? t('conn.secretSet') : t('conn.secretNotSet')}
                    </span>
                    {isSet ? ` · ${t('conn.secretKeep')} ${t('conn.secretBound')}` : ''}
                  </>
                }
                error={issueFor('secret', f.key)}
              >
                {(p) => (
                  <div className="row">
                    <input
                      {...p}
                      name={`secret.${f.key}`}
                      type="password"
                      autoComplete="off"
                      required={f.required && !isSet}
                      value={secret[f.key] ?? ''}
                      onChange={(e) => setSecret({ ...secret, [f.key]: e.target.value })}
                    />
                    {isSet && !f.required && isAdmin ? (
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        onClick={() => setSecret({ ...secret, [f.key]: null })}
                      >
                        {t('conn.secretClear')}
                      </button>
                    ) : null}
                  </div>
                )}
              </Field>
            );
          })}
        </fieldset>
        {error?.code === 'secret_destination_changed' ? (
          <Notice tone="error">{t('conn.secretAgain')}</Notice>
        ) : error && issues.length === 0 ? (
          <ErrorNote error={error} />
        ) : null}
        {error && issues.length > 0 ? <Notice tone="error">{error.message}</Notice> : null}
        {saved ? <Notice>{t('common.saved')}</Notice> : null}
        {isAdmin ? (
          <div className="form-actions">
            <button type="submit" className="btn btn-primary">
              {t('common.save')}
            </button>
            {!isNew ? (
              <button
                type="button"
                className="btn"
                onClick={() => void runTest()}
                disabled={test === 'running'}
              >
                {test === 'running' ? t('conn.testing') : t('conn.test')}
              </button>
            ) : null}
            {!isNew && info?.oauth && oauthAvailable ? (
              <a
                className="btn btn-oauth"
                style={{ background: info.mark.color }}
                href={scopedUrl(`/api/connections/${seg(id)}/oauth/start`)}
                title={t('conn.oauthHint', { name: info.name })}
              >
                {t('conn.connectWith', { name: info.name })}
              </a>
            ) : null}
          </div>
        ) : null}
        {test && test !== 'running' ? (
          <div className={`test-result ${test.ok ? 'test-ok' : 'test-fail'}`} role="status" data-ok={test.ok}>
            <span aria-hidden="true">{test.ok ? '✓' : '✕'}</span>{' '}
            {test.ok
              ? t('conn.testOk', { message: test.message })
              : t('conn.testFailed', { message: test.message })}
          </div>
        ) : null}
      </form>
    </>
  );
}
