import type { ChildProcess } from 'node:child_process';

/**
 * Resolves with the first stdout match of `pattern` in `output.text` (which the caller keeps appending
 * to), or rejects when `child` exits first or `timeoutMs` passes. `what` names the process in errors.
 */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  output: { text: string },
  timeoutMs: number,
  what = 'junction',
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.text}`)),
      timeoutMs,
    );
    const check = () => {
      const m = output.text.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', check);
    // The text may already be there: an earlier wait's chunk can carry this line too.
    check();
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before ${pattern}:\n${output.text}`));
    });
  });
}
