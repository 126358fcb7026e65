import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiGet, scopedUrl } from './api.ts';
import type { Execution, ExecutionCounts, ExecutionStatus } from './types.ts';

/** A GET resource with loading and error state; `url` null loads nothing. */
export function useResource<T>(url: string | null) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(url !== null);
  const [version, setVersion] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger that makes reload() fetch again
  useEffect(() => {
    if (url === null) {
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    apiGet<T>(url)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (live) setError(err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err)));
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [url, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, loading, reload };
}

/** Live state of a running execution from its SSE stream. */
export interface LiveProgress {
  status: ExecutionStatus;
  counts: ExecutionCounts;
}

/**
 * Follows `GET /api/executions/:id/events` while `id` is set; calls `onEnd` with the finished execution.
 * The stream closes itself after the `end` event, so nothing polls once the run is over.
 */
export function useExecutionEvents(id: string | null, onEnd: (e: Execution) => void): LiveProgress | null {
  const [progress, setProgress] = useState<LiveProgress | null>(null);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;
  useEffect(() => {
    setProgress(null);
    if (!id) return;
    const source = new EventSource(scopedUrl(`/api/executions/${encodeURIComponent(id)}/events`));
    source.addEventListener('progress', (ev) =>
      setProgress(JSON.parse((ev as MessageEvent).data) as LiveProgress),
    );
    source.addEventListener('end', (ev) => {
      source.close();
      const execution = JSON.parse((ev as MessageEvent).data) as Execution;
      setProgress({ status: execution.status, counts: execution.counts });
      endRef.current(execution);
    });
    // The server ends the stream after `end`; without this the browser would reconnect and log an error.
    source.onerror = () => source.close();
    return () => source.close();
  }, [id]);
  return progress;
}
