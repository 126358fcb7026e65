// A workspace's line (store executions.begin `waitInLine`, migration 0018): a job handed back `workspace_busy`
// is served when the run that held the slot ends, before the next job of a task that runs back to back.
// Two processes (two stores, two run services, two queue workers) on one PostgreSQL database; the runs are
// held by gates the test opens, so which run asks for the slot first does not depend on timing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Connector } from '../../src/connectors/connector.ts';
import type { Connection, Task } from '../../src/core/types.ts';
import { type QueueWorker, startQueueWorker } from '../../src/runs/queue-worker.ts';
import { createRunService, type RunService } from '../../src/runs/run-service.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';

// Each task reads its own source connection, so a gate can hold one task's run and not the other's.
const CONFIG = `
connections:
  - { id: src-a, system: sql, config: { url: "sqlite::memory:" } }
  - { id: src-b, system: sql, config: { url: "sqlite::memory:" } }
  - { id: dst, system: hubspot, config: { baseUrl: "http://127.0.0.1:9" }, secret: { accessToken: x } }
mappings:
  - id: ma
    name: A
    source: { connectionId: src-a, object: people, key: id }
    target: { connectionId: dst, object: contacts }
    matchKey: { target: email }
    fields: [{ target: email, from: email }]
  - id: mb
    name: B
    source: { connectionId: src-b, object: people, key: id }
    target: { connectionId: dst, object: contacts }
    matchKey: { target: email }
    fields: [{ target: email, from: email }]
`;

const task = (id: string, mappingId: string): Task => ({
  id,
  name: id,
  mappingId,
  schedule: null,
  enabled: true,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: {},
});

/** Runs read one record once their source's gate opens; `held` tells which sources have a run waiting. */
function gatedConnectors() {
  const waiting = new Map<string, (() => void)[]>();
  let opened = false;
  const factory = (connection: Connection): Connector => {
    const base = {
      limits: { batchSize: 100 },
      describe: async () => [],
      check: async () => ({ ok: true, message: 'ok' }),
    };
    if (connection.id.startsWith('src-'))
      return {
        ...base,
        system: 'sql',
        async *read() {
          if (!opened)
            await new Promise<void>((resolve) => {
              waiting.set(connection.id, [...(waiting.get(connection.id) ?? []), resolve]);
            });
          yield { records: [{ key: '1', data: { id: 1, email: 'p1@example.ch' } }], cursor: { id: 1 } };
        },
        write: async () => [],
      };
    return {
      ...base,
      system: 'hubspot',
      read: async function* () {},
      write: async (_object, ops) =>
        ops.map((op) => ({ ref: op.ref, ok: true, externalId: op.ref, created: true })),
    };
  };
  return {
    factory,
    held: (source: string) => waiting.get(source)?.length ?? 0,
    release(source: string) {
      for (const resolve of waiting.get(source) ?? []) resolve();
      waiting.delete(source);
    },
    openAll() {
      opened = true;
      for (const source of [...waiting.keys()]) this.release(source);
    },
  };
}

/** A task's run jobs as pg-boss keeps them, with the code a hand-back left on them. */
async function jobsOf(url: string, taskId: string): Promise<{ state: string; code: string | null }[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      "SELECT state::text AS state, output->>'code' AS code FROM pgboss.job WHERE name = $1 ORDER BY created_on",
      [`junction-run-${taskId}`],
    );
    return rows;
  } finally {
    await c.end();
  }
}

describe("a workspace's line in queue mode (two processes on PostgreSQL, pg-boss)", () => {
  let db: TempDatabase;
  const stores: Store[] = [];
  const services: RunService[] = [];
  const workers: QueueWorker[] = [];
  const gates = gatedConnectors();
  // While set, task A is queued again the moment each of its runs ends: it runs back to back.
  let aAgain = true;
  const log = pino({ level: 'silent' });

  before(async () => {
    db = await createTempPostgres('jwsfifo');
    // Both processes hold the hub's one secret key: either may run either task.
    const key = randomBytes(32);
    for (let i = 0; i < 2; i++)
      stores.push(await openStore({ databaseUrl: db.url, secretBox: createSecretBox(key) }));
    const [first] = stores as [Store];
    await applyConfig(first, parseConfigText(CONFIG));
    await first.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    await first.tasks.save(task('task-a', 'ma'));
    await first.tasks.save(task('task-b', 'mb'));
    for (const store of stores) {
      const service: RunService = await createRunService({
        store,
        log,
        queueUrl: db.url,
        superviseQueue: false,
        // A handed-back job would come back after 30 s on its own: anything sooner is the line at work.
        config: { retryDelaySeconds: 30, pollMs: 50 },
        runOptions: {
          connectorFactory: gates.factory,
          onFinish: (execution) => {
            if (aAgain && execution.taskId === 'task-a') void service.enqueue('task-a', 'schedule');
          },
        },
      });
      services.push(service);
    }
  });
  after(async () => {
    aAgain = false;
    gates.openAll();
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(services.map((s) => s.stop()));
    await Promise.all(stores.map((s) => s.close()));
    await db?.drop();
  });

  test("a job handed back workspace_busy runs as soon as the run holding the slot ends, before the next run of a task queued again right after each end; that task's own job, handed back meanwhile, runs when the slot frees again", async () => {
    const [first] = stores as [Store];
    const [hub] = services as [RunService];
    const runsOf = async (taskId: string) => first.executions.list({ taskId, limit: 20 });
    await hub.enqueue('task-a', 'schedule');
    for (const service of services)
      workers.push(startQueueWorker({ service, log, concurrency: 2, pollMs: 50 }));
    await eventually('the first run of A holds the slot', () => gates.held('src-a') === 1);

    // The clock queues B without admission: a worker takes its job, the begin refuses it, the job is handed back.
    await hub.enqueue('task-b', 'schedule');
    await eventually('B handed back workspace_busy', async () => {
      const [job] = await jobsOf(db.url, 'task-b');
      return job?.state === 'retry' && job.code === 'workspace_busy';
    });
    assert.equal((await runsOf('task-b')).length, 0, 'B has not begun');

    gates.release('src-a'); // A's run ends; A is queued again at once
    const next = await eventually(
      'the next run after A’s first began',
      async () => {
        const [a, b] = [await runsOf('task-a'), await runsOf('task-b')];
        return (b.length > 0 || a.length > 1) && { a, b };
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(next.b.length, 1, 'B began as soon as A’s run ended (not 30 s later, not after A again)');
    assert.equal(next.b[0]?.status, 'running');
    assert.equal(next.a.length, 1, 'A did not run again before B');
    assert.deepEqual([next.a[0]?.status, next.a[0]?.error], ['succeeded', null]);
    assert.ok(
      Number(next.b[0]?.startedAt) >= Number(next.a[0]?.finishedAt),
      'one run at a time: B began after A ended',
    );

    // A's next job asks while B runs: refused and handed back, it waits in line in turn.
    await eventually('A’s next job handed back workspace_busy', async () =>
      (await jobsOf(db.url, 'task-a')).some((j) => j.state === 'retry' && j.code === 'workspace_busy'),
    );
    gates.release('src-b');
    const again = await eventually(
      'A ran again once B ended',
      async () => {
        const a = await runsOf('task-a');
        return a.length === 2 && a;
      },
      { timeoutMs: 15_000 },
    );
    const [bDone] = await runsOf('task-b');
    assert.deepEqual([bDone?.status, bDone?.error], ['succeeded', null]);
    assert.ok(Number(again[0]?.startedAt) >= Number(bDone?.finishedAt), 'A began after B ended');
    assert.equal(
      (await jobsOf(db.url, 'task-b')).map((j) => j.state).join(),
      'completed',
      'B’s one job completed, not failed nor retried by pg-boss',
    );
  });
});
