// The change watch's look for rows committed late: a row of the overlap window that a run read and left
// without a sync link (an update-only mapping's row with no target record) starts one run, not one on
// every notification while it stays in the window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Connector, Page } from '../../src/connectors/connector.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { startChangeWatch } from '../../src/scheduler/change-watch.ts';
import { eventually } from '../helpers/eventually.ts';

/** A watched incremental task whose overlap window holds one row no run links; `runs` counts runs asked for. */
function watch(rows: { id: string; modified: string }[]) {
  const counts = { runs: 0 };
  let notify: ((object: string) => void) | null = null;
  const connector = {
    system: 'sql',
    async watchChanges(_objects: string[], onChange: (object: string) => void) {
      notify = onChange;
      return async () => {};
    },
    // Nothing after the watermark: only the overlap window can explain a notification.
    async changedSince() {
      return false;
    },
    async *read(): AsyncIterable<Page> {
      yield { records: rows.map((r) => ({ key: r.id, data: r })), cursor: null };
    },
    async close() {},
  } as unknown as Connector;
  const store = {
    tasks: {
      list: async () => [
        {
          id: 'people',
          enabled: true,
          schedule: { onChange: true },
          mappingId: 'm',
          mode: 'incremental',
        },
      ],
    },
    mappings: {
      list: async () => [
        {
          id: 'm',
          sync: 'update',
          source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified' },
          target: { connectionId: 'crm', object: 'contacts' },
        },
      ],
    },
    connections: { get: async () => ({ id: 'erp', system: 'sql', config: {}, secret: {} }) },
    executions: {
      list: async () => [],
      checkpoint: async () => ({ watermark: { m: '2026-11-30T12:00:00.000Z', k: '9' } }),
    },
    // No run ever links the row (update-only, no target record).
    syncLinks: { getMany: async () => new Map() },
  };
  const service = {
    store,
    config: { changePollMs: 3_600_000 },
    running: () => [],
    openConnector: async () => connector,
    async runSoon() {
      counts.runs++;
    },
  } as unknown as RunService;
  // The first round runs at once; the next is an hour away, so the test's ticks are the rounds.
  const w = startChangeWatch({ service, log: pino({ level: 'silent' }), pollMs: 3_600_000 });
  const signal = () => (notify as (object: string) => void)('people');
  return { w, counts, signal, listening: () => notify !== null };
}

test('a row of the overlap window no run links starts one run, not one on every notification', async () => {
  const { w, counts, signal, listening } = watch([{ id: '7', modified: '2026-11-30T11:59:30.000Z' }]);
  try {
    await eventually('the first round opened the source', listening);
    signal();
    await w.tick();
    assert.equal(counts.runs, 1, 'the row committed late starts a run');
    for (let i = 0; i < 3; i++) {
      signal();
      await w.tick();
    }
    assert.equal(counts.runs, 1, 'the run read it and left it unlinked: no run more');
  } finally {
    await w.stop();
  }
});

test('another row committed late in the same window still starts a run', async () => {
  const rows = [{ id: '7', modified: '2026-11-30T11:59:30.000Z' }];
  const { w, counts, signal, listening } = watch(rows);
  try {
    await eventually('the first round opened the source', listening);
    signal();
    await w.tick();
    assert.equal(counts.runs, 1);
    rows.push({ id: '8', modified: '2026-11-30T11:59:40.000Z' });
    signal();
    await w.tick();
    assert.equal(counts.runs, 2, 'the new late row is news');
  } finally {
    await w.stop();
  }
});
