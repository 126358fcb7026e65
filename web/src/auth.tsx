import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, apiGet, apiSend, setCsrfToken, setUnauthenticatedHandler, setWorkspace } from './api.ts';
import type { SessionUser, WorkspaceRef, WorkspaceRole } from './types.ts';
import { chooseWorkspace } from './workspace-choice.ts';

interface Auth {
  /** undefined while the session is being checked, null when logged out. */
  user: SessionUser | null | undefined;
  /** The workspace the dashboard shows; null on a server without workspaces. */
  workspace: WorkspaceRef | null;
  /** Every workspace the user may open. */
  workspaces: WorkspaceRef[];
  /** Shows another workspace: every following request is scoped to it, and the choice is remembered. */
  selectWorkspace(id: string): void;
  /** The user's role in the current workspace. */
  role: WorkspaceRole;
  /** Configures the current workspace: connections, mappings, tasks, imports, privacy, audit. */
  isAdmin: boolean;
  /** Runs tasks, retries failures, resolves errors and sets a task's interval (operators and admins). */
  canOperate: boolean;
  /** Creates workspaces and users, changes instance settings. */
  isInstanceAdmin: boolean;
  /** Loads the session again (after the workspaces or memberships changed). */
  refresh(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

/** `/api/auth/me`: the user, and beside it (on a server with workspaces) where they may work. */
type Session = {
  user: SessionUser;
  csrfToken: string | null;
  instanceAdmin?: boolean;
  workspaces?: WorkspaceRef[];
  /** The workspace the server picked for this request (its default when none was named). */
  workspace?: WorkspaceRef | null;
};

/** The session's user with the workspaces the server lists beside it. */
const userOf = (s: Session): SessionUser =>
  s.workspaces ? { ...s.user, instanceAdmin: s.instanceAdmin === true, workspaces: s.workspaces } : s.user;

// The session cookie is httpOnly, so the page cannot see it; this flag spares a logged-out visitor the
// 401 of /api/auth/me (which the browser would log as a console error) on every visit.
const HINT = 'junction.session';
const hint = {
  get: () => localStorage.getItem(HINT) === '1',
  set: (on: boolean) => (on ? localStorage.setItem(HINT, '1') : localStorage.removeItem(HINT)),
};

// The chosen workspace survives a reload; it is only a preference, checked against the user's workspaces.
const WORKSPACE = 'junction.workspace';

/** Holds the session and the current workspace: checks it on load, logs in and out, keeps the CSRF token. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUserState] = useState<SessionUser | null | undefined>(undefined);
  const [workspaceId, setWorkspaceId] = useState<string | null>(null);
  // The API client learns the workspace before React renders the pages that load with it.
  const setUser = useCallback((u: SessionUser | null, serverPick: string | null = null) => {
    const id = chooseWorkspace(u, localStorage.getItem(WORKSPACE), serverPick);
    setWorkspace(id);
    setWorkspaceId(id);
    setUserState(u);
  }, []);
  const loadSession = useCallback(async () => {
    const s = await apiGet<Session>('/api/auth/me');
    setCsrfToken(s.csrfToken);
    setUser(userOf(s), s.workspace?.id ?? null);
  }, [setUser]);
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      hint.set(false);
      setUser(null);
    });
    if (!hint.get()) {
      setUser(null);
      return () => setUnauthenticatedHandler(null);
    }
    loadSession().catch((err) => {
      if (!(err instanceof ApiError && err.status === 401)) console.warn('session check failed', err);
      setUser(null);
    });
    return () => setUnauthenticatedHandler(null);
  }, [setUser, loadSession]);
  const login = useCallback(
    async (username: string, password: string) => {
      const s = await apiSend<Session>('POST', '/api/auth/login', { username, password });
      setCsrfToken(s.csrfToken);
      hint.set(true);
      // The login answers the user only; the session names the workspaces too.
      await loadSession().catch((err) => {
        console.warn('session check after login failed', err);
        setUser(userOf(s));
      });
    },
    [setUser, loadSession],
  );
  const logout = useCallback(async () => {
    try {
      await apiSend('POST', '/api/auth/logout');
    } finally {
      hint.set(false);
      setCsrfToken(null);
      setUser(null);
    }
  }, [setUser]);
  const changePassword = useCallback(async (currentPassword: string, newPassword: string) => {
    await apiSend('POST', '/api/auth/password', { currentPassword, newPassword });
    setUserState((u) => (u ? { ...u, mustChangePassword: false } : u));
  }, []);
  const selectWorkspace = useCallback((id: string) => {
    localStorage.setItem(WORKSPACE, id);
    setWorkspace(id);
    setWorkspaceId(id);
  }, []);
  const value = useMemo<Auth>(() => {
    const workspaces = user?.workspaces ?? [];
    const workspace = workspaces.find((w) => w.id === workspaceId) ?? null;
    // A server without workspaces knows only the instance role.
    const isInstanceAdmin = user?.workspaces ? user.instanceAdmin === true : user?.role === 'admin';
    const role: WorkspaceRole = isInstanceAdmin ? 'admin' : (workspace?.role ?? 'viewer');
    return {
      user,
      workspace,
      workspaces,
      selectWorkspace,
      role,
      isAdmin: role === 'admin',
      canOperate: role === 'admin' || role === 'operator',
      isInstanceAdmin,
      refresh: loadSession,
      login,
      logout,
      changePassword,
    };
  }, [user, workspaceId, selectWorkspace, loadSession, login, logout, changePassword]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The session, the current workspace with the user's rights in it, and their actions. */
export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
