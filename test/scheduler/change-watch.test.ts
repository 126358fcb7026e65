// The change watch's listeners: a changed secret reopens the LISTEN connection, and a process that stops
// leading lets its listeners go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Connector } from '../../src/connectors/connector.ts';
import type { Connection } from '../../src/core/types.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { startChangeWatch } from '../../src/scheduler/change-watch.ts';
import { eventually } from '../helpers/eventually.ts';

/** A watch over one change-driven task whose source listens; `listeners` counts open LISTEN connections. */
function watch(active: () => boolean = () => true) {
  const connection = {
    id: 'erp',
    name: 'ERP',
    system: 'sql',
    config: { url: 'postgres://erp@db.example/erp' },
    secret: { password: 'first' },
  } as unknown as Connection;
  const counts = { opened: 0, listeners: 0 };
  const connector = {
    system: 'sql',
    async watchChanges() {
      counts.listeners++;
      return async () => {
        counts.listeners--;
      };
    },
    async close() {},
  } as unknown as Connector;
  const store = {
    tasks: {
      list: async () => [
        { id: 'people', enabled: true, schedule: { onChange: true }, mappingId: 'm', mode: 'full' },
      ],
    },
    mappings: {
      list: async () => [{ id: 'm', source: { connectionId: 'erp', object: 'people', key: 'id' } }],
    },
    connections: { get: async () => connection },
    executions: { list: async () => [], checkpoint: async () => null },
  };
  const service = {
    store,
    config: { changePollMs: 3_600_000 },
    running: () => [],
    async openConnector() {
      counts.opened++;
      return connector;
    },
    async runSoon() {},
  } as unknown as RunService;
  // The watch's own first round runs at once; the next is an hour away, so the test's ticks are the rounds.
  const w = startChangeWatch({ service, log: pino({ level: 'silent' }), pollMs: 3_600_000, active });
  return { w, connection, counts };
}

test('a changed secret (a new password) reopens the source and its LISTEN connection', async () => {
  const { w, connection, counts } = watch();
  try {
    await eventually('the first round opened the source', () => counts.listeners === 1);
    await w.tick();
    assert.deepEqual(counts, { opened: 1, listeners: 1 });
    connection.secret = { password: 'second' };
    await w.tick();
    assert.deepEqual(counts, { opened: 2, listeners: 1 }, 'the old listener closed, a new one opened');
  } finally {
    await w.stop();
  }
});

test('a process that is no longer the leader closes its LISTEN connection', async () => {
  let leader = true;
  const { w, counts } = watch(() => leader);
  try {
    await eventually('the first round opened the source', () => counts.listeners === 1);
    leader = false;
    await w.tick();
    assert.equal(counts.listeners, 0);
    leader = true;
    await w.tick();
    assert.deepEqual(counts, { opened: 2, listeners: 1 }, 'leading again, it listens again');
  } finally {
    await w.stop();
  }
});
