import { type FormEvent, useState } from 'react';
import { ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { InputField, Notice } from '../components/ui.tsx';
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
        <p className="muted">{t('pw.revokes')}</p>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <InputField
          label={t('pw.current')}
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onValue={setCurrent}
        />
        <InputField
          label={t('pw.new')}
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          value={next}
          onValue={setNext}
        />
        <InputField
          label={t('pw.repeat')}
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          value={repeat}
          onValue={setRepeat}
        />
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
