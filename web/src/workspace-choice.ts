import type { SessionUser } from './types.ts';

/**
 * The remembered workspace if the user may still open it, else the one the server picks by default, else
 * their first (null: none, or a server without workspaces).
 */
export function chooseWorkspace(
  user: SessionUser | null,
  wanted: string | null,
  serverPick: string | null = null,
): string | null {
  const list = user?.workspaces ?? [];
  const allowed = (id: string | null) => list.find((w) => w.id === id);
  return (allowed(wanted) ?? allowed(serverPick) ?? list[0])?.id ?? null;
}
