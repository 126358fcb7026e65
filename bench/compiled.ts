// The bench's figures of memory and start-up measure Junction as it is deployed: the compiled code in dist/
// run by bin/junction.js, not the sources through tsx.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { codeIsCurrent } from '../scripts/build-state.mjs';

/** `junction` as an installed package starts it. */
export const JUNCTION_BIN = join(import.meta.dirname, '../bin/junction.js');
/** Preloaded into a measured process: writes its peak RSS to BENCH_PEAK_RSS_FILE when it exits. */
export const PEAK_RSS_PRELOAD = join(import.meta.dirname, 'peak-rss.mjs');

/** Compiles src/ into dist/ unless it is current, so bin/junction.js runs the compiled code. */
export function ensureCompiled(): void {
  if (codeIsCurrent()) return;
  console.log('compiling Junction into dist/ for the figures of the compiled code…');
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../scripts/build.mjs'), '--code'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('npm run build failed: the compiled code cannot be measured');
}
