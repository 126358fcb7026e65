// Whether the compiled code (dist/) and the dashboard (web/dist) are built from the current sources. Used by
// bin/junction.js (run dist/ or the sources?) and scripts/build-if-needed.mjs (`npm start` builds what is
// stale).
//
// The code's build writes a stamp: the content hash of its sources and each file's size and modification time.
// File times alone are not enough: `rsync -a` or `cp -p` bring edited sources with times older than the build,
// and a stale build would run. A check costs one stat per source file when nothing moved (sizes and times match
// the stamp); only otherwise is every source read and hashed, and a match (a `git checkout`, a copy without -p:
// same content, new times) refreshes the stamp so the next check is cheap again. Measured over src/ and
// emulators/ (~320 files, 2.3 MB) on a 2-core machine: ~2 ms of CPU per check, as the file-time check it
// replaces; ~6 ms when the sources are hashed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What the compiled code is built from, relative to the root. */
const CODE_SOURCES = ['src', 'emulators', 'package-lock.json', 'scripts/build.mjs'];
/** Where a build's stamp lives. Written after the last built file: a build cut short leaves none. */
export const codeStampOf = (root) => join(root, 'dist', '.built');
/** The code's stamp in this checkout. */
export const CODE_STAMP = codeStampOf(ROOT);
export const WEB_INDEX = join(ROOT, 'web', 'dist', 'index.html');

/** Every file under the sources, as root-relative paths with forward slashes, sorted. */
function sourceFiles(root, sources) {
  const files = [];
  const walk = (dir, rel) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else files.push(path);
    }
  };
  for (const s of sources) {
    const path = join(root, s);
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) walk(path, s);
    else files.push(s);
  }
  return files.sort();
}

/** Size and modification time of each file: what the cheap check compares. */
function statsOf(root, files) {
  return Object.fromEntries(
    files.map((f) => {
      const st = statSync(join(root, f));
      return [f, [st.size, st.mtimeMs]];
    }),
  );
}

/** One hash over the files' names and contents (a renamed or removed file changes it too). */
function contentHash(root, files) {
  const h = createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(root, f)))
      .update('\0');
  return h.digest('hex');
}

function sameStats(a, b) {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b ?? {}).length) return false;
  return keys.every((k) => b[k] && b[k][0] === a[k][0] && b[k][1] === a[k][1]);
}

function readStamp(file) {
  try {
    const stamp = JSON.parse(readFileSync(file, 'utf8'));
    return typeof stamp?.hash === 'string' ? stamp : undefined;
  } catch {
    // Missing, cut short, or the timestamp an older build wrote: treated as no build.
    return undefined;
  }
}

/** The stamp of the files as they are now. */
function stampOf(root, files) {
  return `${JSON.stringify({ builtAt: new Date().toISOString(), hash: contentHash(root, files), files: statsOf(root, files) })}\n`;
}

function isCurrent(stampFile, root, sources) {
  const stamp = readStamp(stampFile);
  if (!stamp) return false;
  const files = sourceFiles(root, sources);
  if (sameStats(statsOf(root, files), stamp.files)) return true;
  if (contentHash(root, files) !== stamp.hash) return false;
  try {
    writeFileSync(stampFile, stampOf(root, files));
  } catch {
    // A read-only dist/ only costs the next check its hash again.
  }
  return true;
}

/**
 * The code's stamp for the sources as they are now. scripts/build.mjs takes it before bundling and writes it to
 * CODE_STAMP after: an edit made while the bundle is built then counts as not built.
 */
export function codeStampNow(root = ROOT) {
  return stampOf(root, sourceFiles(root, CODE_SOURCES));
}

/** dist/ holds the bundle of src/ and emulators/ as they are now, with the dependencies the lock file names. */
export function codeIsCurrent(root = ROOT) {
  return isCurrent(codeStampOf(root), root, CODE_SOURCES);
}

/** The newest modification time under a path (files and folders), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * web/dist holds the dashboard built from web/src as it is now. File times only: `npm run build:web` (vite)
 * writes no stamp, and a stale dashboard only shows old pages; it never runs old code against the store.
 */
export function webIsCurrent() {
  const sources = Math.max(
    ...['web/src', 'web/index.html', 'web/vite.config.ts'].map((p) => newest(join(ROOT, p))),
  );
  const built = existsSync(WEB_INDEX) ? statSync(WEB_INDEX).mtimeMs : 0;
  return built > 0 && built >= sources;
}
