// Unit tests of an import run (src/engine/run-import.ts) over the real store on a temp SQLite file and an
// in-memory target: records handed in page by page go through the run's page pipeline, rows refused
// before the run are recorded as failed, and every item names its file row.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Connector, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import type { ConnectorRuntime } from '../../src/connectors/registry.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { type ImportItem, type ImportPage, runImport } from '../../src/engine/run-import.ts';
import { scopeOf } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

describe('runImport over a SQLite store', () => {
  let db: TempDatabase;
  let store: Store;
  let n = 0;

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    await store.connections.save({ id: 'crm', name: 'CRM', system: 'abacus', config: {}, secret: {} });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  async function setup(filter?: string) {
    const id = `imp${++n}`;
    const mapping = MappingDefinitionSchema.parse({
      id,
      name: id,
      source: { connectionId: 'upload', object: `rows-${id}`, key: 'nr' },
      target: { connectionId: 'crm', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: [{ target: 'email', from: 'email', required: true }],
      ...(filter ? { filter } : {}),
    });
    await store.mappings.save(mapping);
    await store.tasks.save({
      id,
      name: id,
      mappingId: id,
      schedule: null,
      enabled: true,
      mode: 'full',
      notify: { on: [], to: [] },
      params: {},
    });
    const writes: WriteOp[][] = [];
    const target = {
      system: 'abacus',
      limits: { batchSize: 100 },
      async write(_object: string, ops: WriteOp[]) {
        writes.push(ops);
        return ops.map(
          (op): WriteResult =>
            op.kind === 'upsert' && op.match.value === 'refused@example.ch'
              ? { ref: op.ref, ok: false, code: 'invalid_email', message: 'refused', retryable: false }
              : { ref: op.ref, ok: true, externalId: `c-${op.ref}`, created: true },
        );
      },
    } as unknown as Connector;
    return { id, mapping, target, writes };
  }
  const pageOf = (rows: [string, number, string][], rejected: ImportPage['rejected'] = []): ImportPage => ({
    records: rows.map(([key, , email]) => ({
      key,
      data: { nr: key, email, active: email !== 'inactive@example.ch' },
    })),
    rejected,
    rowOf: new Map(rows.map(([key, row]) => [key, row])),
  });
  async function* pages(...ps: ImportPage[]) {
    for (const p of ps) yield p;
  }

  test('records are written page by page as one import execution, each item naming its file row', async () => {
    const s = await setup();
    const seen: ImportItem[][] = [];
    const execution = await runImport({
      store,
      log,
      taskId: s.id,
      mapping: s.mapping,
      connectorFactory: () => s.target,
      pages: pages(
        pageOf([
          ['a', 2, 'a@example.ch'],
          ['b', 3, 'refused@example.ch'],
        ]),
        pageOf(
          [['c', 4, 'c@example.ch']],
          [{ key: 'd', row: 5, code: 'invalid_row', message: 'no e-mail', payload: { nr: 'd' } }],
        ),
      ),
      onItems: (_page, items) => seen.push(items),
    });
    assert.equal(execution.trigger, 'import');
    assert.equal(execution.status, 'warning');
    assert.deepEqual(execution.counts, {
      read: 4,
      filtered: 0,
      created: 2,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 2,
    });
    assert.equal(s.writes.length, 2);
    const items = await store.executions.items(execution.id, { limit: 100 });
    assert.deepEqual(items.map((i) => [i.sourceKey, i.action, i.code, i.message]).sort(), [
      ['a', 'create', null, 'row 2'],
      ['b', 'fail', 'invalid_email', 'row 3: refused'],
      ['c', 'create', null, 'row 4'],
      ['d', 'fail', 'invalid_row', 'row 5: no e-mail'],
    ]);
    assert.deepEqual(
      seen.map((page) => page.map((i) => i.sourceKey)),
      [['a', 'b'], ['c']],
      'onItems hears the records of each page, not the rows refused before the run',
    );
    const links = await store.syncLinks.getMany(scopeOf(s.mapping), ['a', 'b']);
    assert.equal(links.get('a')?.remark, null);
    assert.equal(links.get('b')?.remark, 'row 3: invalid_email: refused');
  });

  test('a record without a file row keeps its message as it is; the expected total reaches the progress', async () => {
    const s = await setup();
    let closed = 0;
    const totals: (number | null)[] = [];
    const page = pageOf([['a', 2, 'refused@example.ch']]);
    page.rowOf.clear();
    const execution = await runImport({
      store,
      log,
      taskId: s.id,
      mapping: s.mapping,
      total: 7,
      connectorFactory: () => ({
        ...s.target,
        close: async () => {
          closed++;
        },
      }),
      onProgress: (p) => totals.push(p.total),
      pages: pages(page),
    });
    const [item] = await store.executions.items(execution.id, { limit: 10 });
    assert.equal(item?.message, 'refused');
    const links = await store.syncLinks.getMany(scopeOf(s.mapping), ['a']);
    assert.equal(links.get('a')?.remark, 'invalid_email: refused', 'its link keeps its remark as it is too');
    assert.deepEqual(totals, [7]);
    assert.equal(closed, 1, 'the target connector is closed at the end');
  });

  test("the target connector draws from the store's budget as the import's task, and hears its signal", async () => {
    const s = await setup();
    const made: ConnectorRuntime[] = [];
    await runImport({
      store,
      log,
      taskId: s.id,
      mapping: s.mapping,
      connectorFactory: (_c, rt) => {
        made.push(rt);
        return s.target;
      },
      pages: pages(pageOf([['a', 2, 'a@example.ch']])),
    });
    assert.equal(made.length, 1);
    assert.equal(made[0]?.party, s.id);
    assert.ok(made[0]?.limiters);
    assert.ok(made[0]?.signal instanceof AbortSignal);
  });

  test("an import's log lines say it is an import", async () => {
    const s = await setup();
    const lines: Record<string, unknown>[] = [];
    const logged = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    await runImport({
      store,
      log: logged,
      taskId: s.id,
      mapping: s.mapping,
      connectorFactory: () => s.target,
      pages: pages(pageOf([['a', 2, 'a@example.ch']])),
    });
    assert.ok(lines.length > 0);
    assert.ok(
      lines.every((l) => l.import === true),
      JSON.stringify(lines),
    );
  });

  test("an import that fails clears the task's resume point: the next run starts afresh", async () => {
    const s = await setup();
    // A run of the task that stopped after a page left where to continue.
    const { execution: stopped } = await store.executions.begin({
      taskId: s.id,
      trigger: 'manual',
      owner: 'gone:1',
      staleAfterMs: 1,
    });
    await store.executions.commitPage({
      executionId: stopped.id,
      taskId: s.id,
      counts: { ...stopped.counts },
      items: [],
      links: [],
      position: { base: null, position: { at: 'a' } },
      page: 1,
    });
    await store.executions.finish({
      executionId: stopped.id,
      taskId: s.id,
      status: 'failed',
      counts: { ...stopped.counts },
      error: { code: 'internal_error', message: 'stopped' },
    });
    assert.ok((await store.executions.checkpoint(s.id))?.inProgress, 'the stopped run left a resume point');
    async function* failing() {
      yield pageOf([['a', 2, 'a@example.ch']]);
      throw new Error('the file could not be read further');
    }
    const execution = await runImport({
      store,
      log,
      taskId: s.id,
      mapping: s.mapping,
      connectorFactory: () => s.target,
      pages: failing(),
    });
    assert.equal(execution.status, 'failed');
    assert.equal((await store.executions.checkpoint(s.id))?.inProgress ?? null, null);
  });

  test("the mapping's filter leaves records out, counted as filtered", async () => {
    const s = await setup('active = true');
    const execution = await runImport({
      store,
      log,
      taskId: s.id,
      mapping: s.mapping,
      connectorFactory: () => s.target,
      pages: pages(
        pageOf([
          ['a', 2, 'a@example.ch'],
          ['b', 3, 'inactive@example.ch'],
        ]),
      ),
    });
    assert.deepEqual([execution.counts.read, execution.counts.filtered, execution.counts.created], [2, 1, 1]);
  });

  test('a cancelled import stops before its next page', async () => {
    const s = await setup();
    const abort = new AbortController();
    let read = 0;
    async function* cancelling() {
      read++;
      yield pageOf([['a', 2, 'a@example.ch']]);
      abort.abort();
      read++;
      yield pageOf([['b', 3, 'b@example.ch']]);
    }
    const execution = await runImport({
      store,
      log,
      taskId: s.id,
      mapping: s.mapping,
      connectorFactory: () => s.target,
      signal: abort.signal,
      pages: cancelling(),
    });
    assert.equal(execution.status, 'cancelled');
    assert.deepEqual(
      s.writes.map((w) => w.map((op) => op.ref)),
      [['a']],
    );
    assert.equal(read, 2);
  });
});
