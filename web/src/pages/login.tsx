import { type FormEvent, useState } from 'react';
import { ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { InputField, Notice } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { PasswordForm } from './account.tsx';

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
        <InputField
          label={t('login.username')}
          name="username"
          autoComplete="username"
          required
          value={username}
          onValue={setUsername}
        />
        <InputField
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}

/** Shown instead of the app until a user with an admin-set (one-time) password picks their own. */
export function ChangePasswordPage() {
  const { logout } = useAuth();
  const { t } = useI18n();
  return (
    <main className="login">
      <div className="card login-card">
        <h1>{t('pw.title')}</h1>
        <p className="muted">{t('pw.intro')}</p>
        <p className="muted">{t('pw.revokes')}</p>
        <PasswordForm />
        <button className="btn btn-ghost" type="button" onClick={() => void logout()}>
          {t('app.logout')}
        </button>
      </div>
    </main>
  );
}
