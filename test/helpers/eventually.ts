/**
 * The one way a test waits for something to become true: poll with a deadline, so a condition that never
 * comes fails the test with what it waited for instead of hanging the run.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** How long to keep asking before failing (default 10 s). */
  timeoutMs?: number;
  /** Pause between two asks (default 25 ms). */
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns a truthy value and resolves with that value; rejects with
 * "timed out after N ms waiting for <what>" (and the last value seen) once the deadline passes.
 *
 * @example const run = await eventually('the run finished', async () => (await get(id)).finishedAt && run);
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25 }: EventuallyOptions = {},
): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${show(value)})`);
    }
    await sleep(intervalMs);
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
