// The Node settings Junction runs with, applied by bin/junction.js before anything else is loaded. Measured on
// Node 24 (bench memory figure, a 100 000-row `junction run`, peak RSS): Node sizes the heap by the machine's
// memory (a 4 GB limit on a 24 GB host), so V8 lets the old space grow to ~4× what it keeps before collecting
// and the young generation to 3 × 16 MB: 340 MB with Node's defaults; 204 MB with 4 MB semi-spaces; 146 MB with
// the old space's growth also held to 1.5× (no heap limit: a big run is never cut off by one); glibc's malloc
// arena per thread added ~13 MB more (one arena: 141 MB against 154). The CPU time stayed within the noise.
//
// The semi-space size and the malloc arenas are read when the process starts, so bin/junction.js replaces
// its process once (process.execve: same process id, same stdio, Node ≥ 22.15 on Linux and macOS) with the
// same command and these settings. What the operator set themselves (NODE_OPTIONS, node's own flags,
// MALLOC_ARENA_MAX) is kept; JUNCTION_NODE_TUNING=off runs Node with its own defaults.

/** Node flags given on the command line of the restarted process, unless the operator set them. */
export const NODE_FLAGS = ['--max-semi-space-size=4'];
/** V8 flags set inside the process (they may change while it runs). */
export const V8_RUNTIME_FLAGS = ['--heap-growing-percent=50'];
/** Environment of the restarted process, unless the operator set it. */
export const NODE_ENV = { MALLOC_ARENA_MAX: '1' };
/** JUNCTION_NODE_TUNING: unset → apply; `applied` → the restarted process; `off` → Node's defaults. */
const TUNING = 'JUNCTION_NODE_TUNING';

const nameOf = (flag) => flag.split('=')[0];

/** Restarts the process once with the settings (never returns then), and sets the run-time V8 flags. */
export async function applyNodeSettings() {
  const state = process.env[TUNING];
  if (state === 'off') return;
  // V8 takes its flags with - or _ (`--max_semi_space_size`).
  const given = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.replaceAll('_', '-');
  if (state !== 'applied' && typeof process.execve === 'function') {
    const flags = NODE_FLAGS.filter((f) => !given.includes(nameOf(f)));
    const env = { ...NODE_ENV, ...process.env, [TUNING]: 'applied' };
    const args = [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)];
    try {
      process.execve(process.execPath, args, env);
    } catch {
      // Not replaced (a sandbox refusing execve): run on with Node's defaults.
    }
  }
  const { setFlagsFromString } = await import('node:v8');
  for (const f of V8_RUNTIME_FLAGS) if (!given.includes(nameOf(f))) setFlagsFromString(f);
}
