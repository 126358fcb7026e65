import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { JunctionError } from '../core/errors.ts';
import { WORKSPACES_FOLDER, workspaceFolderOf } from '../core/workspace-folders.ts';
import { DEFAULT_WORKSPACE, WORKSPACE_ID } from '../core/workspaces.ts';

/** A file a connection names lies outside the folders the operator allows (or is one of Junction's own). */
export class FileNotAllowedError extends JunctionError {
  override readonly code = 'file_not_allowed';
}

/** A file a connection names does not exist (inside the allowed folders). */
export class FileNotFoundError extends JunctionError {
  override readonly code = 'file_not_found';
}

/**
 * Which files on the hub's disk connectors may open (spreadsheet files, `sqlite:` business databases).
 * Handed to connectors through `ConnectorRuntime.files`; connectors open only what `resolve` returns.
 */
export interface FileAccess {
  /** The allowed folders, as real paths (empty when unconfined). */
  readonly folders: readonly string[];
  /**
   * The real path (symlinks resolved) of `path` when it is a regular file inside an allowed folder and
   * not one of Junction's own files; relative paths are taken from the first allowed folder. Throws
   * FileNotAllowedError or FileNotFoundError; messages name the path given, never anything of the file.
   */
  resolve(path: string): string;
  /**
   * The policy of one workspace's connections (see FileAccessOptions.shared); a policy without workspaces
   * answers itself. No workspace (undefined): nothing is readable, so a caller that forgot to say whose
   * connection it opens reads no one's files.
   */
  forWorkspace(workspaceId: string | undefined): FileAccess;
}

const inside = (path: string, folder: string) => {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

/**
 * The real path of `path`; one that does not exist (yet) under the real path of its nearest existing folder,
 * so a protected folder made later (`workspaces/`, `imports/`) still matches behind a symlinked data folder.
 */
const realOrSelf = (path: string): string => {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    const parent = dirname(full);
    return parent === full ? full : join(realOrSelf(parent), basename(full));
  }
};

/** Options of `createFileAccess`. */
export interface FileAccessOptions {
  /** Folders whose files connectors may read (each is resolved after symlinks). */
  folders: readonly string[];
  /**
   * Files and folders never readable, even inside an allowed folder: the data folder (secret key,
   * store, uploads' metadata) and the store's file. An allowed folder *inside* a protected folder
   * (the default `<data>/files`) stays readable.
   */
  protect?: readonly string[];
  /**
   * Folders divided among workspaces (the first files folder, Junction's uploads folder): workspace `default`
   * reads them without their `workspaces/` sub-folder, every other workspace only its own
   * `workspaces/<id>/` in each (made 0700 on first use) and nothing else of `folders`. Absent: no
   * workspaces, every caller reads all of `folders` (tests, trusted single-customer callers).
   */
  shared?: readonly string[];
}

const NOTHING_READABLE_FOLDERS: readonly string[] = [];

/**
 * The file policy of a hub: only `folders`, never `protect`ed paths. With `shared` folders it is the
 * `default` workspace's policy, and `forWorkspace` gives each workspace its own.
 */
export function createFileAccess(o: FileAccessOptions): FileAccess {
  const { shared } = o;
  if (!shared?.length) return confinedTo(o, (self) => () => self);
  const byWorkspace = new Map<string, FileAccess>();
  const nothing = confinedTo({ folders: NOTHING_READABLE_FOLDERS }, (self) => () => self);
  const forWorkspace = (workspaceId: string | undefined): FileAccess => {
    if (workspaceId === undefined || !WORKSPACE_ID.test(workspaceId)) return nothing;
    let policy = byWorkspace.get(workspaceId);
    if (!policy) {
      const own = shared.map((folder) => workspaceFolderOf(folder, workspaceId));
      policy =
        workspaceId === DEFAULT_WORKSPACE
          ? // Everything as before workspaces (single-customer hubs keep their paths), but not the others' folders.
            confinedTo(
              {
                folders: o.folders,
                protect: [...(o.protect ?? []), ...shared.map((f) => join(f, WORKSPACES_FOLDER))],
              },
              () => forWorkspace,
            )
          : confinedTo({ folders: own.map(made), protect: o.protect ?? [] }, () => forWorkspace, {
              // A customer's admin is told of their folder, not the hub's paths or settings.
              where: "this workspace's files folder",
            });
      byWorkspace.set(workspaceId, policy);
    }
    return policy;
  };
  return forWorkspace(DEFAULT_WORKSPACE);
}

/** A folder a workspace's policy holds by its real path: made (0700) before it is resolved. */
const made = (folder: string) => {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
};

function confinedTo(
  o: Pick<FileAccessOptions, 'folders' | 'protect'>,
  workspaces: (self: FileAccess) => FileAccess['forWorkspace'],
  refusal?: { where: string },
): FileAccess {
  const folders = [...new Set(o.folders.map(realOrSelf))];
  const protect = [...new Set((o.protect ?? []).map(realOrSelf))];
  const allowed = (path: string) =>
    folders.some(
      (f) => inside(path, f) && protect.every((p) => !inside(path, p) || (inside(f, p) && f !== p)),
    );
  const policy: FileAccess = {
    folders,
    forWorkspace: (workspaceId) => workspaces(policy)(workspaceId),
    resolve(path: string) {
      const notAllowed = () =>
        refusal
          ? new FileNotAllowedError(`'${path}' is outside ${refusal.where}`, { details: { path } })
          : new FileNotAllowedError(
              `'${path}' is outside the folders Junction may read files from (JUNCTION_FILES_DIR: ${folders.join(', ') || 'none'})`,
              { details: { path, allowedFolders: folders } },
            );
      const first = folders[0];
      if (!first) throw notAllowed();
      const given = resolve(first, path);
      // Judged by the name first, so the answer never tells whether a file outside the folders exists.
      if (!allowed(given) && !allowed(realOrSelf(given))) throw notAllowed();
      let real: string;
      try {
        real = realpathSync(given);
      } catch {
        throw new FileNotFoundError(`the file '${path}' does not exist`, { details: { path } });
      }
      // After symlinks: a link inside the folder must not lead out of it.
      if (!allowed(real) || !statSync(real).isFile()) throw notAllowed();
      return real;
    },
  };
  return policy;
}

/**
 * Refuses (FileNotAllowedError) a path a connection is being saved with when it lies outside the allowed
 * folders; a path inside them that does not exist yet is fine (the file may come later).
 */
export function assertMayName(files: FileAccess, path: string): void {
  try {
    files.resolve(path);
  } catch (err) {
    if (!(err instanceof FileNotFoundError)) throw err;
  }
}

/**
 * No confinement: any path, taken from the working folder. Only for trusted in-process callers that
 * read files the operator names themselves (CLI commands, tests); the server and the schedulers always
 * hand connectors the operator's folders.
 */
export const UNCONFINED_FILES: FileAccess = {
  folders: [],
  resolve: (path) => resolve(path),
  forWorkspace: () => UNCONFINED_FILES,
};
