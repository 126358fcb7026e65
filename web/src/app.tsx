import type { ReactNode } from 'react';
import { NavLink, Route, Routes } from 'react-router-dom';
import { useAuth } from './auth.tsx';
import { LanguageSwitch } from './components/language-switch.tsx';
import { ErrorNote, Loading, Notice } from './components/ui.tsx';
import { WorkspaceSwitch } from './components/workspace-switch.tsx';
import { type TextKey, useI18n } from './i18n/index.tsx';
import { LiveProvider } from './live.tsx';
import { AccountPage } from './pages/account.tsx';
import { AuditPage } from './pages/audit.tsx';
import { ConnectionForm } from './pages/connection-form.tsx';
import { ConnectionsPage } from './pages/connections.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { ErrorLogPage } from './pages/error-log.tsx';
import { ExecutionPage } from './pages/execution.tsx';
import { HistoryPage } from './pages/history.tsx';
import { ImportDetailPage } from './pages/import-detail.tsx';
import { ImportsPage } from './pages/imports.tsx';
import { ChangePasswordPage, LoginPage } from './pages/login.tsx';
import { MappingEditor } from './pages/mapping-editor.tsx';
import { MappingsPage } from './pages/mappings.tsx';
import { PrivacyPage } from './pages/privacy.tsx';
import { RecordsPage } from './pages/records.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { TaskForm } from './pages/task-form.tsx';
import { TasksPage } from './pages/tasks.tsx';
import { UsersPage } from './pages/users.tsx';
import { WorkspacesPage } from './pages/workspaces.tsx';
import { SystemsProvider } from './systems.tsx';
import type { WorkspaceRole } from './types.ts';

/** Who sees a page: `admin` the current workspace's admins, `instance` the instance administrators. */
type Audience = 'admin' | 'instance';

// `workspaces`: only on a server that has them (an older one answers the page's API with 404).
const NAV: { to: string; key: TextKey; only?: Audience; workspaces?: boolean }[] = [
  { to: '/', key: 'nav.dashboard' },
  { to: '/history', key: 'nav.history' },
  { to: '/errors', key: 'nav.errors' },
  { to: '/records', key: 'nav.records' },
  { to: '/imports', key: 'nav.imports', only: 'admin' },
  { to: '/connections', key: 'nav.connections' },
  { to: '/mappings', key: 'nav.mappings' },
  { to: '/tasks', key: 'nav.tasks' },
  { to: '/privacy', key: 'nav.privacy', only: 'admin' },
  { to: '/audit', key: 'nav.audit', only: 'admin' },
  { to: '/workspaces', key: 'nav.workspaces', only: 'instance', workspaces: true },
  { to: '/users', key: 'nav.users', only: 'instance' },
  { to: '/settings', key: 'nav.settings', only: 'instance' },
];

function useAllowed(): (only: Audience | undefined) => boolean {
  const { isAdmin, isInstanceAdmin } = useAuth();
  return (only) => (only === 'instance' ? isInstanceAdmin : only === 'admin' ? isAdmin : true);
}

function Only({ who, children }: { who: Audience; children: ReactNode }) {
  return useAllowed()(who) ? (
    children
  ) : (
    <ErrorNote error={Object.assign(new Error('forbidden'), { status: 403 })} />
  );
}

const AdminOnly = ({ children }: { children: ReactNode }) => <Only who="admin">{children}</Only>;
const InstanceAdminOnly = ({ children }: { children: ReactNode }) => <Only who="instance">{children}</Only>;

/** How the shell names the user's rights in the current workspace. */
const ROLE_LABEL: Record<WorkspaceRole, TextKey> = {
  admin: 'users.role.admin',
  operator: 'ws.role.operator',
  viewer: 'app.readOnly',
};

function NotFound() {
  const { t } = useI18n();
  return <p className="muted">{t('common.notFound')}</p>;
}

/** The signed-in shell: navigation, user, language, and the pages. */
export function App() {
  const { user, role, isInstanceAdmin, workspace, logout } = useAuth();
  const allowed = useAllowed();
  const { t } = useI18n();
  if (user === undefined) return <Loading />;
  if (user === null) return <LoginPage />;
  if (user.mustChangePassword) return <ChangePasswordPage />;
  return (
    <SystemsProvider>
      {/* Keyed by the workspace: switching mounts the pages anew, so each loads its data for the new one. */}
      <LiveProvider key={workspace?.id ?? ''}>
        <div className="shell">
          <a className="skip-link" href="#main">
            {t('app.skip')}
          </a>
          <aside className="sidebar">
            <div className="brand">
              <span className="brand-mark" aria-hidden="true" />
              {t('app.name')}
            </div>
            <WorkspaceSwitch />
            <nav aria-label={t('app.mainNav')}>
              <ul>
                {NAV.filter((n) => allowed(n.only) && (!n.workspaces || workspace)).map((n) => (
                  <li key={n.to}>
                    <NavLink to={n.to} end={n.to === '/'}>
                      {t(n.key)}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="sidebar-foot">
              <LanguageSwitch />
              <div className="user">
                <NavLink to="/account" className="user-name">
                  {user.name}
                </NavLink>
                <span className="muted small">
                  {isInstanceAdmin ? t('users.role.instanceAdmin') : t(ROLE_LABEL[role])}
                </span>
              </div>
              <button type="button" className="btn btn-small" onClick={() => void logout()}>
                {t('app.logout')}
              </button>
            </div>
          </aside>
          <main id="main" className="main" tabIndex={-1}>
            {/* A user no workspace has taken in yet sees nothing but their account: say why. */}
            {user.workspaces?.length === 0 && !isInstanceAdmin ? (
              <Notice tone="info">{t('ws.noneYet')}</Notice>
            ) : null}
            <Routes>
              <Route path="/" element={<DashboardPage />} />
              <Route path="/history" element={<HistoryPage />} />
              <Route path="/executions/:id" element={<ExecutionPage />} />
              <Route path="/errors" element={<ErrorLogPage />} />
              <Route path="/records" element={<RecordsPage />} />
              <Route path="/account" element={<AccountPage />} />
              <Route
                path="/imports"
                element={
                  <AdminOnly>
                    <ImportsPage />
                  </AdminOnly>
                }
              />
              <Route
                path="/imports/:id"
                element={
                  <AdminOnly>
                    <ImportDetailPage />
                  </AdminOnly>
                }
              />
              <Route path="/connections" element={<ConnectionsPage />} />
              <Route
                path="/connections/new"
                element={
                  <AdminOnly>
                    <ConnectionForm />
                  </AdminOnly>
                }
              />
              <Route path="/connections/:id" element={<ConnectionForm />} />
              <Route path="/mappings" element={<MappingsPage />} />
              <Route
                path="/mappings/new"
                element={
                  <AdminOnly>
                    <MappingEditor />
                  </AdminOnly>
                }
              />
              <Route path="/mappings/:id" element={<MappingEditor />} />
              <Route path="/tasks" element={<TasksPage />} />
              <Route
                path="/tasks/new"
                element={
                  <AdminOnly>
                    <TaskForm />
                  </AdminOnly>
                }
              />
              <Route path="/tasks/:id" element={<TaskForm />} />
              <Route
                path="/settings"
                element={
                  <InstanceAdminOnly>
                    <SettingsPage />
                  </InstanceAdminOnly>
                }
              />
              <Route
                path="/users"
                element={
                  <InstanceAdminOnly>
                    <UsersPage />
                  </InstanceAdminOnly>
                }
              />
              <Route
                path="/workspaces"
                element={
                  <InstanceAdminOnly>
                    <WorkspacesPage />
                  </InstanceAdminOnly>
                }
              />
              <Route
                path="/privacy"
                element={
                  <AdminOnly>
                    <PrivacyPage />
                  </AdminOnly>
                }
              />
              <Route
                path="/audit"
                element={
                  <AdminOnly>
                    <AuditPage />
                  </AdminOnly>
                }
              />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </main>
        </div>
      </LiveProvider>
    </SystemsProvider>
  );
}
