import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, apiGet, apiSend, setCsrfToken, setUnauthenticatedHandler } from './api.ts';
import type { SessionUser } from './types.ts';

interface Auth {
  /** undefined while the session is being checked, null when logged out. */
  user: SessionUser | null | undefined;
  isAdmin: boolean;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

type Session = { user: SessionUser; csrfToken: string | null };

// The session cookie is httpOnly, so the page cannot see it; this flag spares a logged-out visitor the
// 401 of /api/auth/me (which the browser would log as a console error) on every visit.
const HINT = 'junction.session';
const hint = {
  get: () => localStorage.getItem(HINT) === '1',
  set: (on: boolean) => (on ? localStorage.setItem(HINT, '1') : localStorage.removeItem(HINT)),
};

/** Holds the session: checks it on load, logs in and out, keeps the CSRF token for the API client. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      hint.set(false);
      setUser(null);
    });
    if (!hint.get()) {
      setUser(null);
      return () => setUnauthenticatedHandler(null);
    }
    apiGet<Session>('/api/auth/me')
      .then((s) => {
        setCsrfToken(s.csrfToken);
        setUser(s.user);
      })
      .catch((err) => {
        if (!(err instanceof ApiError && err.status === 401)) console.warn('session check failed', err);
        setUser(null);
      });
    return () => setUnauthenticatedHandler(null);
  }, []);
  const login = useCallback(async (username: string, password: string) => {
    const s = await apiSend<Session>('POST', '/api/auth/login', { username, password });
    setCsrfToken(s.csrfToken);
    hint.set(true);
    setUser(s.user);
  }, []);
  const logout = useCallback(async () => {
    try {
      await apiSend('POST', '/api/auth/logout');
    } finally {
      hint.set(false);
      setCsrfToken(null);
      setUser(null);
    }
  }, []);
  const changePassword = useCallback(async (currentPassword: string, newPassword: string) => {
    await apiSend('POST', '/api/auth/password', { currentPassword, newPassword });
    setUser((u) => (u ? { ...u, mustChangePassword: false } : u));
  }, []);
  const value = useMemo<Auth>(
    () => ({ user, isAdmin: user?.role === 'admin', login, logout, changePassword }),
    [user, login, logout, changePassword],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The session and its actions. */
export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
