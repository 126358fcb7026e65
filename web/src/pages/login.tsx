import { type FormEvent, useState } from 'react';
import { ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { Field, Notice } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Username and password; the server sets the session cookie. */
export function LoginPage() {
  const { login } = useAuth();
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('login.failed') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit}>
        <div className="login-head">
          <h1>{t('login.title')}</h1>
          <LanguageSwitch />
        </div>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <Field label={t('login.username')}>
          {(p) => (
            <input
              {...p}
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('login.password')}>
          {(p) => (
            <input
              {...p}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}

/** Shown instead of the app until a user with an admin-set password picks their own. */
export function ChangePasswordPage() {
  const { changePassword, logout } = useAuth();
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) return setError(t('pw.mismatch'));
    setError(null);
    try {
      await changePassword(current, next);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit}>
        <h1>{t('pw.title')}</h1>
        <p className="muted">{t('pw.intro')}</p>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <Field label={t('pw.current')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('pw.new')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              minLength={10}
              required
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('pw.repeat')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              minLength={10}
              required
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
            />
          )}
        </Field>
        <div className="row">
          <button className="btn btn-primary" type="submit">
            {t('pw.submit')}
          </button>
          <button className="btn btn-ghost" type="button" onClick={() => void logout()}>
            {t('app.logout')}
          </button>
        </div>
      </form>
    </main>
  );
}
