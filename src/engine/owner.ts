import { hostname } from 'node:os';

/** This process as the holder of a run: `host:pid`. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * True when the owner is a process on this host that no longer exists; then its run can be taken over
 * at once instead of waiting for its heartbeat to go stale. Owners on other hosts are never judged here.
 */
export function ownerIsGone(owner: string): boolean {
  const i = owner.lastIndexOf(':');
  const host = owner.slice(0, i);
  const pid = Number(owner.slice(i + 1));
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
