import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown: the server was restarted
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: still starting up
  '08000',
  '08003',
  '08006', // connection_failure
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  'SQLITE_BUSY',
]);

/** True for store errors that a retry can cure: a restarted or briefly unreachable database, a busy lock. */
export function isTransientStoreError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  return /Connection terminated|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error/i.test(
    e.message ?? '',
  );
}

/** Runs a store operation, retrying transient failures with back-off (about 30 s in all). */
export async function withStoreRetry<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts - 1 || !isTransientStoreError(err)) throw err;
      await sleep(Math.min(250 * 2 ** i, 8000));
    }
  }
}
