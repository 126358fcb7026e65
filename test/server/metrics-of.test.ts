import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Execution, ZERO_COUNTS } from '../../src/core/types.ts';
import { createMetrics, metricsOf } from '../../src/server/metrics.ts';

const finished = (taskId: string): Execution => ({
  id: `run-${taskId}`,
  taskId,
  trigger: 'manual',
  status: 'succeeded',
  startedAt: new Date(0),
  finishedAt: new Date(2000),
  heartbeatAt: null,
  counts: { ...ZERO_COUNTS, created: 2 },
  error: null,
  resumedFrom: null,
});

test("a workspace's metrics keep its tasks' and connections' series and the process's, none of another's", async () => {
  const metrics = createMetrics();
  // A quote and a backslash in an id are escaped in the text format: the filter reads them back.
  for (const task of ['mine', 'theirs', 'my "quoted\\" task']) metrics.onFinish(finished(task));
  for (const connectionId of ['my-erp', 'their-erp'])
    metrics.onCall({ connectionId, method: 'GET', path: '/', status: 429, durationMs: 1, attempt: 1 });
  const text = metricsOf(await metrics.registry.metrics(), {
    tasks: new Set(['mine', 'my "quoted\\" task']),
    connections: new Set(['my-erp']),
  });
  assert.match(text, /junction_runs_total\{task="mine",status="succeeded"\} 1/);
  assert.match(text, /junction_records_total\{task="my \\"quoted\\\\\\" task",action="created"\} 2/);
  assert.match(text, /junction_api_rate_limited_total\{connection="my-erp"\} 1/);
  assert.match(text, /junction_run_duration_seconds_bucket\{le="5",task="mine"\} 1/);
  assert.match(text, /^junction_process_process_cpu_user_seconds_total /m);
  assert.doesNotMatch(text, /theirs|their-erp/);
});
