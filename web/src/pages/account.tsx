import { type FormEvent, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Field, InputField, Notice, PageHeader } from '../components/ui.tsx';
import { errorField, errorText } from '../error-text.ts';
import { useResource } from '../hooks.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import { WORKSPACE_ROLES, type WorkspaceRole } from '../types.ts';

/** Own password change: the current one, the new one twice; mistakes shown at their field. */
export function PasswordForm({ onDone }: { onDone?: () => void }) {
  const { changePassword } = useAuth();
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const field = error ? (errorField(error) ?? 'form') : null;
  const message = error ? errorText(error, t) : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next !== repeat)
      return setError(Object.assign(new Error(t('pw.mismatch')), { details: { field: 'repeat' } }));
    setError(null);
    setBusy(true);
    try {
      await changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
      onDone?.();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} noValidate={false}>
      {done ? <Notice>{t('pw.changed')}</Notice> : null}
      {field === 'form' && message ? <Notice tone="error">{message}</Notice> : null}
      <Field label={t('pw.current')} error={field === 'currentPassword' ? message : undefined}>
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
      <Field label={t('pw.new')} error={field === 'newPassword' ? message : undefined}>
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
      <Field label={t('pw.repeat')} error={field === 'repeat' ? message : undefined}>
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
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {t('pw.submit')}
        </button>
      </div>
    </form>
  );
}

type Token = {
  id: string;
  name: string;
  role: WorkspaceRole;
  /** The workspace the token acts in (servers with workspaces). */
  workspaceId?: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
};
type Session = { id: string; createdAt: string; expiresAt: string; current: boolean };

const EXPIRIES = [30, 90, 365, 0] as const;

/** The roles a token may have: the owner's role in its workspace and those below it. */
const rolesUpTo = (own: WorkspaceRole) => WORKSPACE_ROLES.slice(WORKSPACE_ROLES.indexOf(own));

/**
 * Own API tokens: create (name, expiry, workspace, role up to the own in that workspace), the new secret
 * shown once, revoke.
 */
function TokensSection() {
  const { t, date } = useI18n();
  const { workspace: current, workspaces, role: currentRole, isInstanceAdmin } = useAuth();
  const list = useResource<{ tokens: Token[] }>('/api/auth/tokens');
  const [name, setName] = useState('');
  const [days, setDays] = useState<number>(90);
  const [workspaceId, setWorkspaceId] = useState(current?.id ?? '');
  const chosen = workspaces.find((w) => w.id === workspaceId);
  const ownRole: WorkspaceRole = isInstanceAdmin ? 'admin' : (chosen?.role ?? currentRole);
  const roles = rolesUpTo(ownRole);
  const [wantedRole, setRole] = useState<WorkspaceRole>(ownRole);
  // Another workspace may allow less: the choice falls to the highest role allowed there.
  const role = roles.includes(wantedRole) ? wantedRole : ownRole;
  const [made, setMade] = useState<{ token: string; name: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const nameOf = (id: string | undefined) => workspaces.find((w) => w.id === id)?.name ?? id ?? '—';
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await apiSend<{ token: string }>('POST', '/api/auth/tokens', {
        name,
        expiresInDays: days === 0 ? null : days,
        role,
        ...(workspaceId ? { workspace: workspaceId } : {}),
      });
      setMade({ token: r.token, name });
      setName('');
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const revoke = async (token: Token) => {
    if (!window.confirm(t('acc.revokeConfirm', { name: token.name }))) return;
    setError(null);
    try {
      await apiSend('DELETE', `/api/auth/tokens/${seg(token.id)}`);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const tokens = list.data?.tokens ?? [];
  return (
    <section className="card stack" aria-labelledby="acc-tokens">
      <h2 id="acc-tokens">{t('acc.tokens')}</h2>
      <p className="muted">{t('acc.tokensIntro')}</p>
      {made ? (
        <Notice>
          <p>{t('acc.tokenMade', { name: made.name })}</p>
          <code className="token-secret" data-testid="new-token">
            {made.token}
          </code>
        </Notice>
      ) : null}
      <ErrorNote error={list.error ?? error} />
      <form className={`token-form${workspaces.length > 1 ? ' with-workspace' : ''}`} onSubmit={create}>
        <InputField label={t('acc.tokenName')} required maxLength={100} value={name} onValue={setName} />
        <Field label={t('acc.tokenExpiry')}>
          {(p) => (
            <select {...p} value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {EXPIRIES.map((d) => (
                <option key={d} value={d}>
                  {d === 0 ? t('acc.never') : t('acc.days', { n: d })}
                </option>
              ))}
            </select>
          )}
        </Field>
        {workspaces.length > 1 ? (
          <Field label={t('acc.tokenWorkspace')}>
            {(p) => (
              <select {...p} value={workspaceId} onChange={(e) => setWorkspaceId(e.target.value)}>
                {workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <Field label={t('acc.tokenRole')}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value as WorkspaceRole)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`ws.role.${r}` as TextKey)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button className="btn btn-primary" type="submit">
          {t('acc.createToken')}
        </button>
      </form>
      {list.data && tokens.length === 0 ? <p className="muted">{t('acc.noTokens')}</p> : null}
      {tokens.length ? (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">{t('common.name')}</th>
                {workspaces.length > 1 ? <th scope="col">{t('acc.tokenWorkspace')}</th> : null}
                <th scope="col">{t('acc.tokenRole')}</th>
                <th scope="col">{t('acc.created')}</th>
                <th scope="col">{t('acc.lastUsed')}</th>
                <th scope="col">{t('acc.expires')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => (
                <tr key={tok.id} data-token={tok.id}>
                  <td data-label={t('common.name')}>{tok.name}</td>
                  {workspaces.length > 1 ? (
                    <td data-label={t('acc.tokenWorkspace')}>{nameOf(tok.workspaceId)}</td>
                  ) : null}
                  <td data-label={t('acc.tokenRole')}>{t(`ws.role.${tok.role}` as TextKey)}</td>
                  <td data-label={t('acc.created')}>{date(tok.createdAt)}</td>
                  <td data-label={t('acc.lastUsed')}>
                    {tok.lastUsedAt ? date(tok.lastUsedAt) : t('acc.neverUsed')}
                  </td>
                  <td data-label={t('acc.expires')}>
                    {tok.expiresAt ? date(tok.expiresAt) : t('acc.never')}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => void revoke(tok)}
                    >
                      {t('acc.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** Own login sessions: where else one is logged in, and ending those. */
function SessionsSection() {
  const { t, date } = useI18n();
  const list = useResource<{ sessions: Session[] }>('/api/auth/sessions');
  const [error, setError] = useState<ApiError | null>(null);
  const end = async (s: Session) => {
    setError(null);
    try {
      await apiSend('DELETE', `/api/auth/sessions/${seg(s.id)}`);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section className="card stack" aria-labelledby="acc-sessions">
      <h2 id="acc-sessions">{t('acc.sessions')}</h2>
      <ErrorNote error={list.error ?? error} />
      <ul className="session-list">
        {list.data?.sessions.map((s) => (
          <li key={s.id} data-session={s.id}>
            <span>
              {t('acc.sessionSince', { date: date(s.createdAt) })}
              {s.current ? <span className="tag">{t('acc.thisSession')}</span> : null}
            </span>
            <span className="muted small">{t('acc.sessionUntil', { date: date(s.expiresAt) })}</span>
            {s.current ? null : (
              <button type="button" className="btn btn-small" onClick={() => void end(s)}>
                {t('acc.endSession')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The own account: password, API tokens, sessions. */
export function AccountPage() {
  const { t } = useI18n();
  const { user, role, isInstanceAdmin, workspace } = useAuth();
  // A new password revokes every own token and ends the other sessions: both lists load again.
  const [changed, setChanged] = useState(0);
  return (
    <>
      <PageHeader title={t('acc.title')} />
      <p className="muted">
        {user?.name} ({user?.username}) ·{' '}
        {isInstanceAdmin
          ? t('users.role.instanceAdmin')
          : `${t(`ws.role.${role}` as TextKey)}${workspace ? ` (${workspace.name})` : ''}`}
      </p>
      <div className="account-grid">
        <section className="card stack" aria-labelledby="acc-password">
          <h2 id="acc-password">{t('acc.password')}</h2>
          <p className="muted">{t('pw.revokes')}</p>
          <PasswordForm onDone={() => setChanged((n) => n + 1)} />
        </section>
        <SessionsSection key={`s${changed}`} />
        <TokensSection key={`t${changed}`} />
      </div>
    </>
  );
}
