import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { Logger } from 'pino';
import { fileFields } from '../connectors/registry.ts';
import { mb } from '../connectors/spreadsheet/detect.ts';
import { SpreadsheetFileError } from '../connectors/spreadsheet/errors.ts';
import { SpreadsheetLimitsSchema } from '../connectors/spreadsheet/schemas.ts';
import { workspaceFolderOf, workspaceFoldersIn } from '../core/workspace-folders.ts';
import { DEFAULT_WORKSPACE } from '../core/workspaces.ts';
import type { Store } from '../store/store.ts';

/** Largest file the dashboard may upload (imports, connection files, samples): the spreadsheet reader's limit. */
export const MAX_UPLOAD_BYTES = SpreadsheetLimitsSchema.parse({}).maxFileBytes;

/** Multipart limits of every upload route: one file part of at most MAX_UPLOAD_BYTES, a few fields. */
export const UPLOAD_LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } as const;

/** A file name that is safe as the last part of a path on the hub's disk (no separators, no `..`). */
export const safeName = (name: string, fallback = 'upload') =>
  name
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .replace(/^\.+/, '')
    .slice(0, 120) || fallback;

/**
 * Writes an uploaded part to `path` (readable by Junction's user only) and refuses one larger than
 * MAX_UPLOAD_BYTES with `file_too_large` (the caller removes what was written).
 */
export async function receiveUpload(part: MultipartFile, path: string): Promise<void> {
  const tooLarge = () =>
    new SpreadsheetFileError('file_too_large', `the file is larger than ${mb(MAX_UPLOAD_BYTES)}`, {
      details: { maxBytes: MAX_UPLOAD_BYTES },
    });
  try {
    await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    throw (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : err;
  }
  // The parser stops at the limit and marks the stream truncated instead of failing it.
  if (part.file.truncated) throw tooLarge();
}

/** In Junction's uploads folder (JUNCTION_UPLOADS_DIR): the files connections name, one folder an upload. */
export const CONNECTION_UPLOADS = 'connections';
/** In Junction's uploads folder: samples while their columns are read (removed right after). */
export const SAMPLE_UPLOADS = 'samples';
/**
 * Where connection uploads were kept before they moved to Junction's own folder: `uploads/<id>/<name>` in the
 * first files folder (the customer's). `moveLegacyUploads` brings them over.
 */
const LEGACY_UPLOADS = 'uploads';
/** How long an uploaded file may wait for a connection to name it (the form uploads before it saves). */
export const UNNAMED_UPLOAD_GRACE_MS = 24 * 60 * 60_000;
/** A sample left behind by a process that died while reading it. */
const SAMPLE_GRACE_MS = 60 * 60_000;

const UPLOAD_ID = /^[0-9a-f-]{36}$/;

/**
 * Where each connection's file fields point, resolved as the file policy does (relative: its workspace's
 * part of the first files folder).
 */
async function namedFiles(store: Store, filesFolder: string) {
  const named: { workspaceId: string; connectionId: string; field: string; path: string }[] = [];
  for (const { id: workspaceId } of await store.workspaces.list()) {
    const from = workspaceFolderOf(filesFolder, workspaceId);
    for (const c of await store.inWorkspace(workspaceId).connections.list())
      for (const field of fileFields(c.system)) {
        const path = c.config[field];
        if (typeof path === 'string' && path !== '')
          named.push({ workspaceId, connectionId: c.id, field, path: resolve(from, path) });
      }
  }
  return named;
}

/** `path`'s parts below `folder`, or undefined when it is not below it. */
function below(folder: string, path: string): string[] | undefined {
  const rel = relative(folder, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep) : undefined;
}

/**
 * Removes connection uploads no connection names (a file replaced by another, a form never saved) once
 * older than `graceMs`, and samples left behind; a named file stays as long as its connection names it.
 * Only Junction's uploads folder is swept (every workspace's part), never the customer's files folder.
 * Answers how many folders went.
 */
export async function purgeUnnamedUploads(o: {
  store: Store;
  /** Junction's uploads folder. */
  uploadsDir: string;
  /** The first files folder, which relative paths in connections start from. */
  filesFolder: string;
  now?: Date;
  graceMs?: number;
}): Promise<number> {
  const now = (o.now ?? new Date()).getTime();
  const namedPaths = (await namedFiles(o.store, o.filesFolder)).map((n) => n.path);
  let removed = 0;
  const sweep = async (dir: string, graceMs: number, keep: (id: string) => boolean) => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const id of entries.filter((e) => UPLOAD_ID.test(e) && !keep(e))) {
      if (now - (await stat(join(dir, id))).mtimeMs < graceMs) continue;
      await rm(join(dir, id), { recursive: true, force: true });
      removed++;
    }
  };
  for (const { folder } of await workspaceFoldersIn(o.uploadsDir)) {
    const uploads = join(folder, CONNECTION_UPLOADS);
    // Whichever workspace names an upload keeps it: a clean-up never takes a file a connection reads.
    const named = new Set(namedPaths.map((path) => below(uploads, path)?.[0]).filter(Boolean));
    await sweep(uploads, o.graceMs ?? UNNAMED_UPLOAD_GRACE_MS, (id) => named.has(id));
    await sweep(join(folder, SAMPLE_UPLOADS), SAMPLE_GRACE_MS, () => false);
  }
  return removed;
}

/** Moves a folder, across file systems too (copied whole, then removed). */
async function moveFolder(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await cp(from, to, { recursive: true, preserveTimestamps: true });
    await rm(from, { recursive: true, force: true });
  }
}

/**
 * Moves the uploads connections name from where they were kept before (`uploads/<id>/` in the first files
 * folder) into Junction's uploads folder and points the connections at the new place. Run by the hub at
 * start-up, before scheduling. Only uploads a connection names move; the rest of the customer's folder is not
 * touched. Safe to repeat after a crash: a folder already moved is only re-pointed. Answers how many moved.
 */
export async function moveLegacyUploads(o: {
  store: Store;
  filesFolder: string;
  uploadsDir: string;
  log?: Logger;
}): Promise<number> {
  const legacy = join(o.filesFolder, LEGACY_UPLOADS);
  const target = join(o.uploadsDir, CONNECTION_UPLOADS);
  const moved = new Set<string>();
  for (const n of await namedFiles(o.store, o.filesFolder)) {
    // Uploads were kept there before workspaces: only the default workspace's connections name them.
    if (n.workspaceId !== DEFAULT_WORKSPACE) continue;
    const [id, ...rest] = below(legacy, n.path) ?? [];
    if (!id || !UPLOAD_ID.test(id) || rest.length === 0) continue;
    const from = join(legacy, id);
    const to = join(target, id);
    if (!existsSync(to)) {
      // Its file is gone: the connection keeps its path and says so when it runs.
      if (!existsSync(from)) continue;
      await mkdir(target, { recursive: true, mode: 0o700 });
      await moveFolder(from, to);
      moved.add(id);
    }
    const store = o.store.inWorkspace(DEFAULT_WORKSPACE);
    const connection = await store.connections.get(n.connectionId);
    await store.connections.save({
      ...connection,
      config: { ...connection.config, [n.field]: join(to, ...rest) },
    });
    o.log?.info(
      { connectionId: n.connectionId, from: n.path, to: join(to, ...rest) },
      "moved an uploaded file into Junction's uploads folder",
    );
  }
  return moved.size;
}

/**
 * Moves the dashboard uploads a workspace other than `default` names from the uploads folder's shared
 * `connections/` (where every workspace's went before each had its own part) into its own part, and points
 * its connections there: the file policy lets a workspace read only its own part. An upload more than one
 * workspace names stays where it is (it is `default`'s, or no one's to take; the others' connections are
 * refused). Run by the hub at start-up, before scheduling; safe to repeat. Answers how many moved.
 */
export async function moveUploadsIntoWorkspaces(o: {
  store: Store;
  filesFolder: string;
  uploadsDir: string;
  log?: Logger;
}): Promise<number> {
  const shared = join(o.uploadsDir, CONNECTION_UPLOADS);
  const named = (await namedFiles(o.store, o.filesFolder)).flatMap((n) => {
    const [id, ...rest] = below(shared, n.path) ?? [];
    return id && UPLOAD_ID.test(id) && rest.length ? [{ ...n, id, rest }] : [];
  });
  const owners = new Map<string, Set<string>>();
  for (const n of named) owners.set(n.id, (owners.get(n.id) ?? new Set()).add(n.workspaceId));
  let moved = 0;
  for (const n of named) {
    if (n.workspaceId === DEFAULT_WORKSPACE || owners.get(n.id)?.size !== 1) continue;
    const target = join(workspaceFolderOf(o.uploadsDir, n.workspaceId), CONNECTION_UPLOADS);
    const from = join(shared, n.id);
    const to = join(target, n.id);
    if (!existsSync(to)) {
      // Its file is gone: the connection keeps its path and says so when it runs.
      if (!existsSync(from)) continue;
      await mkdir(target, { recursive: true, mode: 0o700 });
      await moveFolder(from, to);
      moved++;
    }
    const store = o.store.inWorkspace(n.workspaceId);
    const connection = await store.connections.get(n.connectionId);
    await store.connections.save({
      ...connection,
      config: { ...connection.config, [n.field]: join(to, ...n.rest) },
    });
    o.log?.info(
      { workspaceId: n.workspaceId, connectionId: n.connectionId, from: n.path, to: join(to, ...n.rest) },
      "moved an uploaded file into its workspace's part of the uploads folder",
    );
  }
  return moved;
}
