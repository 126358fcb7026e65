import type { SessionUser } from './types.ts';

/** The remembered workspace if the user may still open it, else their first (null: none, or an old server). */
export function chooseWorkspace(user: SessionUser | null, wanted: string | null): string | null {
  const list = user?.workspaces ?? [];
  return (list.find((w) => w.id === wanted) ?? list[0])?.id ?? null;
}
