import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { HttpCallInfo } from '../connectors/http-client.ts';
import type { Execution } from '../core/types.ts';

/** Prometheus metrics of one process: runs, records by action, outside API calls and 429s, run duration. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'junction_process_' });
  const runs = new Counter({
    name: 'junction_runs_total',
    help: 'Finished runs by task and status',
    labelNames: ['task', 'status'],
    registers: [registry],
  });
  const records = new Counter({
    name: 'junction_records_total',
    help: 'Records by task and action',
    labelNames: ['task', 'action'],
    registers: [registry],
  });
  const apiCalls = new Counter({
    name: 'junction_api_calls_total',
    help: 'HTTP calls to outside systems by connection and status',
    labelNames: ['connection', 'status'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'junction_api_rate_limited_total',
    help: '429 answers by connection',
    labelNames: ['connection'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'junction_run_duration_seconds',
    help: 'Run duration by task',
    labelNames: ['task'],
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  return {
    registry,
    /** Feed of the HTTP client's per-call observer. */
    onCall(info: HttpCallInfo & { connectionId: string }) {
      apiCalls.inc({ connection: info.connectionId, status: String(info.status) });
      if (info.status === 429) rateLimited.inc({ connection: info.connectionId });
    },
    /** Records a finished execution. */
    onFinish(e: Execution) {
      runs.inc({ task: e.taskId, status: e.status });
      for (const [action, n] of Object.entries(e.counts)) if (n) records.inc({ task: e.taskId, action }, n);
      if (e.startedAt && e.finishedAt)
        duration.observe({ task: e.taskId }, (e.finishedAt.getTime() - e.startedAt.getTime()) / 1000);
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** A label value as Prometheus' text format escapes it (backslash, double quote, new line). */
const unescapeLabel = (v: string) => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/**
 * The metrics text with only the series of these tasks and connections (and the process's own, which name
 * neither): what one workspace's people see of a process that runs the tasks of every workspace.
 */
export function metricsOf(text: string, own: { tasks: Set<string>; connections: Set<string> }): string {
  const labels = /[{,](task|connection)="((?:[^"\\]|\\.)*)"/g;
  return text
    .split('\n')
    .filter((line) => {
      if (line.startsWith('#')) return true;
      for (const [, name, value = ''] of line.matchAll(labels))
        if (!(name === 'task' ? own.tasks : own.connections).has(unescapeLabel(value))) return false;
      return true;
    })
    .join('\n');
}
