// The change watch's back-off and interrupted runs: one crash (the hub killed) holds the next change-driven run
// back for nothing, but runs that crash one after the other (a record that kills its worker) are held back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Connector } from '../../src/connectors/connector.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { startChangeWatch } from '../../src/scheduler/change-watch.ts';
import { eventually } from '../helpers/eventually.ts';

/** A polled incremental task with changes waiting, whose latest runs crashed `crashes` times in a row. */
async function runsAskedFor(crashes: number): Promise<number> {
  let runs = 0;
  let rounds = 0;
  const now = Date.now();
  const crashed = Array.from({ length: crashes }, (_, i) => ({
    id: `r${i}`,
    status: 'failed',
    trigger: 'change',
    error: { code: 'crashed', message: 'the process running it ended' },
    startedAt: new Date(now - (i + 1) * 2_000).toISOString(),
    finishedAt: new Date(now - i * 2_000 - 1_000).toISOString(),
    counts: { created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0 },
  }));
  const connector = {
    system: 'sql',
    async changedSince() {
      return true;
    },
    async close() {},
  } as unknown as Connector;
  const store = {
    tasks: {
      list: async () => [
        { id: 'people', enabled: true, schedule: { onChange: true }, mappingId: 'm', mode: 'incremental' },
      ],
    },
    mappings: {
      list: async () => [
        {
          id: 'm',
          source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified' },
          target: { connectionId: 'crm', object: 'contacts' },
        },
      ],
    },
    connections: { get: async () => ({ id: 'erp', system: 'sql', config: {}, secret: {} }) },
    executions: {
      // The back-off asks for the latest 10, once a round (whether the task runs: for running ones).
      list: async (o: { status?: string; limit?: number }) => {
        if (o.status === 'running') return [];
        if (o.limit === 10) rounds++;
        return crashed;
      },
      checkpoint: async () => ({ watermark: { m: '2026-11-30T12:00:00.000Z', k: '9' }, inProgress: true }),
    },
  };
  const service = {
    store,
    config: { changePollMs: 60_000 },
    running: () => [],
    openConnector: async () => connector,
    async runSoon() {
      runs++;
    },
  } as unknown as RunService;
  const w = startChangeWatch({ service, log: pino({ level: 'silent' }), pollMs: 3_600_000 });
  try {
    await eventually('the first round looked at the back-off', () => rounds === 1);
    await w.tick();
    await w.tick();
    return runs;
  } finally {
    await w.stop();
  }
}

test('a run interrupted once (the hub killed) does not hold the next change-driven run back', async () => {
  assert.equal(await runsAskedFor(1), 3, 'each round asks for the run');
});

test('runs that crash one after the other are held back like failures', async () => {
  assert.equal(await runsAskedFor(3), 0, 'no run while the back-off lasts');
});
