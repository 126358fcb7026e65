// `prestart`: builds the dashboard into web/dist when it is missing or older than its sources, so
// `npm start` in a fresh clone serves the dashboard. When web/dist is up to date this only compares
// file times and exits (a few milliseconds).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const index = join(web, 'dist', 'index.html');

/** The newest modification time under a path (files and folders). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = Math.max(
  newest(join(web, 'src')),
  newest(join(web, 'index.html')),
  newest(join(web, 'vite.config.ts')),
);
const built = existsSync(index) ? statSync(index).mtimeMs : 0;
if (built >= sources) process.exit(0);

console.log(
  built
    ? 'The dashboard sources changed: rebuilding web/dist…'
    : 'Building the dashboard into web/dist (first start)…',
);
const r = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(
    'Building the dashboard failed; the API still starts, the dashboard page says how to build it.',
  );
  // The hub is still useful without its dashboard, so a failed build does not stop `npm start`.
}
process.exit(0);
