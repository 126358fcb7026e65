import type { RunHooks } from './run-task.ts';

/** Places in a page's processing where a test can crash the process. */
export const FAILPOINTS = ['after-read', 'after-write', 'after-marks', 'after-commit'] as const;
type Failpoint = (typeof FAILPOINTS)[number];

/**
 * Crash points for the chaos suite, armed only by JUNCTION_FAILPOINT=`<point>:<n>` (e.g. `after-write:3`
 * kills the process with SIGKILL when the 3rd page reaches that point). Unset, it returns no hooks.
 */
export function failpointHooks(spec = process.env.JUNCTION_FAILPOINT): RunHooks {
  if (!spec) return {};
  const [point, nth] = spec.split(':') as [Failpoint, string];
  if (!FAILPOINTS.includes(point))
    throw new Error(`unknown failpoint '${point}' (one of ${FAILPOINTS.join(', ')})`);
  let count = 0;
  const hit = () => {
    if (++count >= Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
  };
  const key = {
    'after-read': 'afterRead',
    'after-write': 'afterWrite',
    'after-marks': 'afterMarks',
    'after-commit': 'afterCommit',
  }[point];
  return { [key]: hit };
}
