// `prestart`/`predemo`: builds what is missing or older than its sources, so `npm start` in a fresh clone runs
// the compiled code and serves the dashboard. When both are up to date this only compares file times and
// exits (a few milliseconds). A failed build does not stop `npm start`: bin/junction.js then runs the sources
// through tsx, and the hub serves a page saying how to build the dashboard.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { codeIsCurrent, ROOT, webIsCurrent } from './build-state.mjs';

const build = (part) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), part], { cwd: ROOT, stdio: 'inherit' })
    .status === 0;

if (!codeIsCurrent()) {
  console.log('Compiling Junction into dist/ (the sources changed, or first start)…');
  if (!build('--code'))
    console.error('Compiling failed (see above); junction runs the sources through tsx instead.');
}
if (!webIsCurrent()) {
  console.log('Building the dashboard into web/dist (the sources changed, or first start)…');
  if (!build('--web'))
    console.error(
      'Building the dashboard failed; the API still starts, the dashboard page says how to build it.',
    );
}
