import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { scopedUrl } from './api.ts';
import type { Execution } from './types.ts';

/** A run as the live feed reports it (GET /api/events): at begin, every committed page and its end. */
export type RunEvent = Pick<
  Execution,
  'id' | 'taskId' | 'status' | 'trigger' | 'counts' | 'startedAt' | 'finishedAt' | 'error'
>;

const ACTIVE = new Set(['queued', 'running']);
/** Whether the run is still going. */
export const isActive = (status: string) => ACTIVE.has(status);

/**
 * One live feed per signed-in tab: runs by id, and listeners told of every change. Chosen over polling
 * each page's resources (a query layer): one stream serves every page, updates arrive within a second of
 * a run's page commit, and an idle dashboard costs the server nothing but an open connection.
 */
class LiveRuns {
  private runs = new Map<string, RunEvent>();
  private listeners = new Set<(event: RunEvent | null) => void>();
  private version = 0;
  /** Every run the feed has told of (snapshot included), by id. */
  get(id: string): RunEvent | undefined {
    return this.runs.get(id);
  }
  /** The newest run of a task the feed has told of. */
  latestOf(taskId: string): RunEvent | undefined {
    let latest: RunEvent | undefined;
    for (const run of this.runs.values())
      if (run.taskId === taskId && (!latest || (run.startedAt ?? '') >= (latest.startedAt ?? '')))
        latest = run;
    return latest;
  }
  getVersion = () => this.version;
  /** A change of one run, or null for "anything may have changed" (a reconnect's snapshot). */
  put(event: RunEvent | null, snapshot: RunEvent[] = []) {
    if (event) this.runs.set(event.id, event);
    for (const run of snapshot) this.runs.set(run.id, run);
    this.version++;
    for (const listener of this.listeners) listener(event);
  }
  subscribe = (listener: (event: RunEvent | null) => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
}

const LiveContext = createContext<LiveRuns | null>(null);

/**
 * Opens the live feed of the current workspace for the signed-in shell (the shell mounts it anew for
 * another workspace); the browser reconnects by itself after a server restart.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const live = useMemo(() => new LiveRuns(), []);
  useEffect(() => {
    // EventSource cannot send the workspace header: the query names the workspace.
    const source = new EventSource(scopedUrl('/api/events'));
    source.addEventListener('snapshot', (ev) => {
      const { runs } = JSON.parse((ev as MessageEvent).data) as { runs: RunEvent[] };
      // After a reconnect anything may have happened meanwhile: listeners reload (null).
      live.put(null, runs);
    });
    source.addEventListener('run', (ev) => live.put(JSON.parse((ev as MessageEvent).data) as RunEvent));
    return () => source.close();
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): LiveRuns | null {
  return useContext(LiveContext);
}

/** Re-renders on every change the feed reports and answers what it knows (null outside the shell). */
export function useLiveRuns(): LiveRuns | null {
  const live = useLive();
  useSyncExternalStore(
    (fn) => live?.subscribe(fn) ?? (() => {}),
    () => live?.getVersion() ?? 0,
  );
  return live;
}

/**
 * Calls `onChange` when a run begins or ends (or the feed reconnects), at most once every `waitMs`: a
 * page's lists reload then, not at every committed page. `only` narrows it to the runs that matter.
 */
export function useRunChanges(
  onChange: () => void,
  o: { only?: (e: RunEvent) => boolean; waitMs?: number } = {},
) {
  const live = useLive();
  const latest = useRef({ onChange, only: o.only });
  latest.current = { onChange, only: o.only };
  const [, setTick] = useState(0);
  const waitMs = o.waitMs ?? 500;
  useEffect(() => {
    if (!live) return;
    const statusOf = new Map<string, string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const fire = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current.onChange();
        setTick((n) => n + 1);
      }, waitMs);
    };
    const off = live.subscribe((event) => {
      if (!event) return fire();
      if (latest.current.only && !latest.current.only(event)) return;
      // A page commit changes counts only; begin and end change the status.
      if (statusOf.get(event.id) !== event.status) {
        statusOf.set(event.id, event.status);
        fire();
      }
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [live, waitMs]);
}
