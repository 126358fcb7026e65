import { useId } from 'react';
import { useAuth } from '../auth.tsx';
import { useI18n } from '../i18n/index.tsx';

/**
 * The current workspace in the shell's header: its name, and a choice of workspace when the user has
 * more than one (the shell then loads the current page anew for the chosen one).
 */
export function WorkspaceSwitch() {
  const { workspace, workspaces, selectWorkspace } = useAuth();
  const { t } = useI18n();
  const id = useId();
  if (!workspace) return null;
  if (workspaces.length < 2)
    return (
      <div className="workspace-current" data-workspace={workspace.id}>
        <span className="muted small">{t('ws.label')}</span>
        <span className="workspace-name">{workspace.name}</span>
      </div>
    );
  return (
    <div className="workspace-current" data-workspace={workspace.id}>
      <label htmlFor={id} className="muted small">
        {t('ws.label')}
      </label>
      <select id={id} value={workspace.id} onChange={(e) => selectWorkspace(e.target.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </div>
  );
}
