import { type FormEvent, useEffect, useState } from 'react';
import { type ApiError, apiSend } from '../api.ts';
import { ErrorNote, Field, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { type SettingsField, settingsFieldErrors } from './settings-errors.ts';

/** Settings as GET /api/settings shows them (the SMTP password only as `passwordSet`). */
interface PublicSettings {
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    allowPlainText?: boolean;
    user?: string;
    from: string;
    passwordSet: boolean;
  } | null;
  dashboardUrl: string | null;
  timezone: string;
  retentionDays: number;
  defaultRecipients: string[];
  mailLanguage: 'de' | 'en';
}

const EMPTY_SMTP = {
  host: '',
  port: '587',
  secure: false,
  allowPlainText: false,
  user: '',
  password: '',
  from: '',
};

/** Instance settings (admin only); says "not available" when the server has no settings API. */
export function SettingsPage() {
  const { t } = useI18n();
  const res = useResource<PublicSettings | { settings: PublicSettings }>('/api/settings');
  const current =
    res.data && 'settings' in res.data ? res.data.settings : (res.data as PublicSettings | undefined);
  const [smtp, setSmtp] = useState(EMPTY_SMTP);
  const [general, setGeneral] = useState({
    dashboardUrl: '',
    timezone: '',
    retentionDays: '90',
    recipients: '',
    mailLanguage: 'de' as PublicSettings['mailLanguage'],
  });
  const [error, setError] = useState<ApiError | null>(null);
  // The recipients the refused save sent: a refusal names a bad one by its index.
  const [sentRecipients, setSentRecipients] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const refused = settingsFieldErrors(error, sentRecipients, t);
  const errorAt = (field: SettingsField) => refused.byField[field];
  const placed = Object.keys(refused.byField).length;
  useEffect(() => {
    if (!current) return;
    setSmtp(
      current.smtp
        ? {
            ...EMPTY_SMTP,
            ...current.smtp,
            port: String(current.smtp.port),
            user: current.smtp.user ?? '',
            password: '',
          }
        : EMPTY_SMTP,
    );
    setGeneral({
      dashboardUrl: current.dashboardUrl ?? '',
      timezone: current.timezone,
      retentionDays: String(current.retentionDays),
      recipients: current.defaultRecipients.join(', '),
      mailLanguage: current.mailLanguage ?? 'de',
    });
  }, [current]);
  const [testMail, setTestMail] = useState<{ to: string[] } | null>(null);
  const [testError, setTestError] = useState<ApiError | null>(null);
  const sendTest = async () => {
    setTestMail(null);
    setTestError(null);
    try {
      setTestMail(await apiSend<{ to: string[] }>('POST', '/api/settings/test-email', {}));
    } catch (err) {
      setTestError(err as ApiError);
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const patch = {
      smtp: smtp.host.trim()
        ? {
            host: smtp.host.trim(),
            port: Number(smtp.port),
            secure: smtp.secure,
            allowPlainText: smtp.allowPlainText,
            user: smtp.user.trim() || null,
            from: smtp.from.trim(),
            ...(smtp.password ? { password: smtp.password } : {}),
          }
        : null,
      dashboardUrl: general.dashboardUrl.trim() || null,
      timezone: general.timezone.trim(),
      retentionDays: Number(general.retentionDays),
      defaultRecipients: general.recipients.split(/[,;\s]+/).filter(Boolean),
      mailLanguage: general.mailLanguage,
    };
    setSentRecipients(patch.defaultRecipients);
    try {
      await apiSend('PATCH', '/api/settings', patch);
      setSaved(true);
      res.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (res.error) {
    return (
      <>
        <PageHeader title={t('set.title')} />
        <ErrorNote error={res.error} />
      </>
    );
  }
  if (!current) return <Loading />;
  return (
    <>
      <PageHeader title={t('set.title')} />
      <form className="card form narrow-form" onSubmit={save}>
        <fieldset className="group-box">
          <legend>{t('set.smtp')}</legend>
          <div className="grid-2">
            <Field label={t('set.host')} error={errorAt('smtp.host')}>
              {(p) => (
                <input
                  {...p}
                  value={smtp.host}
                  onChange={(e) => setSmtp({ ...smtp, host: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('set.port')} error={errorAt('smtp.port')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  max={65535}
                  value={smtp.port}
                  onChange={(e) => setSmtp({ ...smtp, port: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('set.user')} error={errorAt('smtp.user')}>
              {(p) => (
                <input
                  {...p}
                  autoComplete="off"
                  value={smtp.user}
                  onChange={(e) => setSmtp({ ...smtp, user: e.target.value })}
                />
              )}
            </Field>
            <Field
              label={t('set.password')}
              error={errorAt('smtp.password')}
              hint={
                current.smtp?.passwordSet
                  ? `${t('conn.secretSet')} · ${t('conn.secretKeep')} ${t('set.passwordBound')}`
                  : t('conn.secretNotSet')
              }
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  value={smtp.password}
                  onChange={(e) => setSmtp({ ...smtp, password: e.target.value })}
                />
              )}
            </Field>
          </div>
          <Field label={t('set.from')} error={errorAt('smtp.from')}>
            {(p) => (
              <input {...p} value={smtp.from} onChange={(e) => setSmtp({ ...smtp, from: e.target.value })} />
            )}
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={smtp.secure}
              onChange={(e) => setSmtp({ ...smtp, secure: e.target.checked })}
            />
            {t('set.secure')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={smtp.allowPlainText}
              onChange={(e) => setSmtp({ ...smtp, allowPlainText: e.target.checked })}
            />
            {t('set.allowPlainText')}
          </label>
          {current.smtp ? (
            <div className="row">
              <button type="button" className="btn btn-small" onClick={() => void sendTest()}>
                {t('set.testMail')}
              </button>
              <span className="muted small">{t('set.testMailHint')}</span>
            </div>
          ) : null}
          {testMail ? <Notice>{t('set.testMailSent', { to: testMail.to.join(', ') })}</Notice> : null}
          <ErrorNote error={testError} />
        </fieldset>
        <fieldset className="group-box">
          <legend>{t('set.general')}</legend>
          <Field label={t('set.dashboardUrl')} error={errorAt('dashboardUrl')}>
            {(p) => (
              <input
                {...p}
                type="url"
                value={general.dashboardUrl}
                onChange={(e) => setGeneral({ ...general, dashboardUrl: e.target.value })}
              />
            )}
          </Field>
          <div className="grid-2">
            <Field label={t('set.timezone')} error={errorAt('timezone')}>
              {(p) => (
                <input
                  {...p}
                  value={general.timezone}
                  onChange={(e) => setGeneral({ ...general, timezone: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('set.retentionDays')} error={errorAt('retentionDays')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  max={3650}
                  value={general.retentionDays}
                  onChange={(e) => setGeneral({ ...general, retentionDays: e.target.value })}
                />
              )}
            </Field>
          </div>
          <Field label={t('set.recipients')} error={errorAt('defaultRecipients')}>
            {(p) => (
              <input
                {...p}
                value={general.recipients}
                onChange={(e) => setGeneral({ ...general, recipients: e.target.value })}
              />
            )}
          </Field>
          <Field label={t('set.mailLanguage')} error={errorAt('mailLanguage')}>
            {(p) => (
              <select
                {...p}
                value={general.mailLanguage}
                onChange={(e) =>
                  setGeneral({ ...general, mailLanguage: e.target.value as PublicSettings['mailLanguage'] })
                }
              >
                <option value="de">Deutsch</option>
                <option value="en">English</option>
              </select>
            )}
          </Field>
        </fieldset>
        {error?.code === 'secret_destination_changed' ? (
          <Notice tone="error">{t('set.passwordBound')}</Notice>
        ) : placed > 0 && refused.unplaced === 0 ? (
          <Notice tone="error">{t('set.notSaved', { n: placed })}</Notice>
        ) : (
          <ErrorNote error={error} />
        )}
        {saved ? <Notice>{t('common.saved')}</Notice> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            {t('common.save')}
          </button>
        </div>
      </form>
    </>
  );
}
