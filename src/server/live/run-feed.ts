import type { Logger } from 'pino';
import type { Execution } from '../../core/types.ts';
import type { Store } from '../../store/store.ts';

/** What the dashboard hears about a run: as stored, at begin, at every committed page and at its end. */
export type RunEvent = Pick<
  Execution,
  'id' | 'taskId' | 'status' | 'trigger' | 'counts' | 'startedAt' | 'finishedAt' | 'error'
>;

/** Subscribers of the feed get every change of a run; `unsubscribe` stops them. */
export interface RunFeed {
  /** Runs queued or running at the latest look (a new subscriber's starting point). */
  active(): Promise<RunEvent[]>;
  subscribe(listener: (event: RunEvent) => void): () => void;
  /** Stops looking (server shutdown). */
  close(): void;
}

const toEvent = (e: Execution): RunEvent => ({
  id: e.id,
  taskId: e.taskId,
  status: e.status,
  trigger: e.trigger,
  counts: e.counts,
  startedAt: e.startedAt,
  finishedAt: e.finishedAt,
  error: e.error,
});

/** Overlap of each look with the one before, so a run that finished while the last look ran is not missed. */
const OVERLAP_MS = 5_000;

/**
 * One feed of run changes for every open dashboard of this server. It looks at the store — not at an
 * in-process event — because on PostgreSQL the runs happen in worker processes: the store is the one place
 * every process writes its begin, page commits and end to. It looks only while someone listens, once a
 * `intervalMs` (default 1 s) for everyone, however many tabs are open.
 */
export function createRunFeed(store: Store, log: Logger, o: { intervalMs?: number } = {}): RunFeed {
  const intervalMs = o.intervalMs ?? 1000;
  const listeners = new Set<(event: RunEvent) => void>();
  // What each run looked like at the last look: a run is sent again only when it changed.
  const seen = new Map<string, string>();
  let timer: NodeJS.Timeout | null = null;
  let lastLook: Date | null = null;
  let looking: Promise<void> | null = null;
  let closed = false;

  const look = async () => {
    const now = new Date();
    const since = new Date((lastLook ?? now).getTime() - OVERLAP_MS);
    const runs = await store.executions.activeOrFinishedSince(since);
    lastLook = now;
    const present = new Set<string>();
    for (const run of runs) {
      present.add(run.id);
      const event = toEvent(run);
      const snapshot = JSON.stringify(event);
      if (seen.get(run.id) === snapshot) continue;
      seen.set(run.id, snapshot);
      for (const listener of listeners) listener(event);
    }
    // A run that left the window finished before `since`: it cannot change any more.
    for (const id of seen.keys()) if (!present.has(id)) seen.delete(id);
  };
  const tick = () => {
    timer = null;
    looking = look()
      .catch((err) => log.warn({ err }, 'the live run feed could not read the runs; it tries again'))
      .finally(() => {
        looking = null;
        if (!closed && listeners.size > 0) timer = setTimeout(tick, intervalMs);
      });
  };
  return {
    async active() {
      const runs = await store.executions.activeOrFinishedSince(new Date());
      return runs.filter((r) => r.status === 'running' || r.status === 'queued').map(toEvent);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!timer && !looking && !closed) tick();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearTimeout(timer);
          timer = null;
          // Starting again later must not replay what happened meanwhile as news.
          lastLook = null;
          seen.clear();
        }
      };
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      listeners.clear();
    },
  };
}
