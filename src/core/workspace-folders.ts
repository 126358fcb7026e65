import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JunctionError } from './errors.ts';
import { DEFAULT_WORKSPACE, WORKSPACE_ID } from './workspaces.ts';

/**
 * The sub-folder of a hub-wide folder (files, imports, uploads) where workspaces other than `default` keep
 * theirs. `default` keeps the folder itself, so a hub from before workspaces keeps its paths.
 */
export const WORKSPACES_FOLDER = 'workspaces';

/**
 * A workspace's own part of the hub-wide `folder`: the folder itself for `default`, `<folder>/workspaces/<id>`
 * for every other workspace. A malformed id is refused, so an id can never walk out of the folder.
 */
export function workspaceFolderOf(folder: string, workspaceId: string): string {
  if (workspaceId === DEFAULT_WORKSPACE) return folder;
  if (!WORKSPACE_ID.test(workspaceId))
    throw new JunctionError(`'${workspaceId}' is not a workspace id`, { details: { workspaceId } });
  return join(folder, WORKSPACES_FOLDER, workspaceId);
}

/** Every workspace's part of `folder` that exists on disk, `default`'s first (for clean-ups of the whole hub). */
export async function workspaceFoldersIn(folder: string): Promise<{ workspaceId: string; folder: string }[]> {
  let ids: string[];
  try {
    ids = await readdir(join(folder, WORKSPACES_FOLDER));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR')
      throw err;
    ids = [];
  }
  const others = ids.filter((id) => id !== DEFAULT_WORKSPACE && WORKSPACE_ID.test(id)).sort();
  return [DEFAULT_WORKSPACE, ...others].map((workspaceId) => ({
    workspaceId,
    folder: workspaceFolderOf(folder, workspaceId),
  }));
}
