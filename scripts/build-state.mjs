// Whether the compiled code (dist/) and the dashboard (web/dist) are built from the current sources. Used by
// bin/junction.js (run dist/ or the sources?) and scripts/build-if-needed.mjs (`npm start` builds what is
// stale). Only file times are compared: a few milliseconds on an up-to-date checkout.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written by scripts/build.mjs after the last compiled file: a build cut short leaves none. */
export const CODE_STAMP = join(ROOT, 'dist', '.built');
export const WEB_INDEX = join(ROOT, 'web', 'dist', 'index.html');

/** The newest modification time under a path (files and folders), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const builtAt = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

/** dist/ holds the bundle of src/ and emulators/ as they are now, with the dependencies the lock file names. */
export function codeIsCurrent() {
  const sources = Math.max(
    ...['src', 'emulators', 'package-lock.json', 'scripts/build.mjs'].map((p) => newest(join(ROOT, p))),
  );
  const built = builtAt(CODE_STAMP);
  return built > 0 && built >= sources;
}

/** web/dist holds the dashboard built from web/src as it is now. */
export function webIsCurrent() {
  const sources = Math.max(
    ...['web/src', 'web/index.html', 'web/vite.config.ts'].map((p) => newest(join(ROOT, p))),
  );
  const built = builtAt(WEB_INDEX);
  return built > 0 && built >= sources;
}
