// Unit tests of what the change watch asks the engine (src/engine/changes.ts): whether a stopped hub left a
// webhook-only task's work undone (workLeftUndone), and which rows of the overlap window a transaction that
// committed late inserted before the watermark (lateInserted). Fakes of the store and the source, plus one
// run over a temp SQLite store; the end-to-end suites (test/e2e/change-driven*.test.ts) prove the same
// through PostgreSQL notifications and webhooks, which `npm run mutation` does not run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Connector, Cursor, Page, ReadOptions } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Execution, ExecutionStatus, SyncLink, Task } from '../../src/core/types.ts';
import { lateInserted, workLeftUndone } from '../../src/engine/changes.ts';
import { compileFilter, runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { memorySource, memoryTarget } from '../helpers/memory-systems.ts';
import { openTestStore } from '../helpers/store.ts';

const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'People',
    source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
    ...extra,
  });
const taskOf = (extra: Partial<Task> = {}): Task => ({
  id: 'people',
  name: 'People',
  mappingId: 'people',
  schedule: null,
  enabled: true,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: { region: 'ZH' },
  ...extra,
});
const SCOPE = {
  sourceConnectionId: 'erp',
  sourceObject: 'people',
  targetConnectionId: 'crm',
  targetObject: 'contacts',
};

const execution = (id: string, status: ExecutionStatus, startedAt: string): Execution => ({
  id,
  taskId: 'people',
  trigger: 'change',
  status,
  startedAt: new Date(startedAt),
  finishedAt: new Date(startedAt),
  heartbeatAt: null,
  counts: { read: 0, filtered: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
  error: null,
  resumedFrom: null,
});

/**
 * The store as the two functions use it: the task's checkpoint, its recent runs (newest first), the sync
 * links of the scope (`linked` keys) and whether the source connection took a webhook event since a time.
 */
function fakeStore(
  o: { checkpoint?: unknown; runs?: Execution[]; linked?: string[]; eventTaken?: boolean } = {},
) {
  const asked = { listed: [] as unknown[], linksOf: [] as unknown[], eventsSince: [] as unknown[] };
  const store = {
    executions: {
      checkpoint: async () => o.checkpoint ?? null,
      list: async (f: unknown) => {
        asked.listed.push(f);
        return o.runs ?? [];
      },
    },
    syncLinks: {
      getMany: async (scope: unknown, keys: string[]) => {
        asked.linksOf.push([scope, keys]);
        return new Map(
          keys.filter((k) => o.linked?.includes(k)).map((k) => [k, { sourceKey: k } as SyncLink]),
        );
      },
    },
    audit: {
      eventTakenSince: async (connectionId: string, since: Date | null) => {
        asked.eventsSince.push([connectionId, since]);
        return o.eventTaken ?? false;
      },
    },
  } as unknown as Store;
  return { store, asked };
}

describe('workLeftUndone: whether a stopped hub left work of a webhook-only task undone', () => {
  test("a crashed run's resume point is work left undone, without looking at webhooks", async () => {
    const s = fakeStore({ checkpoint: { watermark: null, inProgress: { base: null, position: { at: 1 } } } });
    assert.equal(await workLeftUndone(s.store, taskOf(), mappingOf()), true);
    assert.deepEqual(s.asked.eventsSince, []);
  });

  test('a webhook event taken since the start of the last completed run (a warning counts) is work left undone', async () => {
    const s = fakeStore({
      runs: [
        execution('e4', 'running', '2026-03-04T00:00:00Z'),
        execution('e3', 'failed', '2026-03-03T00:00:00Z'),
        execution('e2', 'warning', '2026-03-02T00:00:00Z'),
        execution('e1', 'succeeded', '2026-03-01T00:00:00Z'),
      ],
      eventTaken: true,
    });
    assert.equal(await workLeftUndone(s.store, taskOf(), mappingOf()), true);
    assert.deepEqual(s.asked.listed, [{ taskId: 'people', limit: 20 }]);
    assert.deepEqual(s.asked.eventsSince, [['erp', new Date('2026-03-02T00:00:00Z')]]);
  });

  test('a succeeded run is a completed one; failed and cancelled runs are not', async () => {
    const s = fakeStore({
      checkpoint: { watermark: { m: '2026-03-01T00:00:00Z' }, inProgress: null },
      runs: [
        execution('e3', 'cancelled', '2026-03-03T00:00:00Z'),
        execution('e2', 'failed', '2026-03-02T00:00:00Z'),
        execution('e1', 'succeeded', '2026-03-01T00:00:00Z'),
      ],
    });
    assert.equal(await workLeftUndone(s.store, taskOf(), mappingOf()), false);
    assert.deepEqual(s.asked.eventsSince, [['erp', new Date('2026-03-01T00:00:00Z')]]);
  });

  test('no event taken since: nothing left undone', async () => {
    const s = fakeStore({ runs: [execution('e1', 'succeeded', '2026-03-01T00:00:00Z')], eventTaken: false });
    assert.equal(await workLeftUndone(s.store, taskOf(), mappingOf()), false);
  });

  test('before any completed run, an event taken at any time is looked for', async () => {
    const s = fakeStore({ runs: [execution('e1', 'failed', '2026-03-01T00:00:00Z')], eventTaken: true });
    assert.equal(await workLeftUndone(s.store, taskOf(), mappingOf()), true);
    assert.deepEqual(s.asked.eventsSince, [['erp', null]]);
  });
});

describe('workLeftUndone over a SQLite store: webhook receipts and completed runs', () => {
  let db: TempDatabase;
  let store: Store;
  const mapping = mappingOf();
  const task = taskOf({ mode: 'full', params: {} });
  const log = pino({ level: 'silent' });
  const erp = memorySource([{ id: 1, email: 'a@example.ch', modified_at: 1 }]);
  const crm = memoryTarget();
  const run = () =>
    runTask(task.id, {
      store,
      log,
      connectorFactory: (c) => (c.system === 'sql' ? erp.source : crm.target),
    });
  // Receipts and runs are stamped in milliseconds: one a millisecond after the other must not share one.
  const tick = () => new Promise((r) => setTimeout(r, 5));

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    await store.connections.save({ id: 'erp', name: 'ERP', system: 'sql', config: {}, secret: {} });
    await store.connections.save({ id: 'crm', name: 'CRM', system: 'abacus', config: {}, secret: {} });
    await store.mappings.save(mapping);
    await store.tasks.save(task);
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  test('an event taken before the last completed run began is done; one taken after it is work left undone', async () => {
    assert.equal(await workLeftUndone(store, task, mapping), false, 'no event, no run: nothing to do');
    await store.audit.claimReceipt('erp', 'event:1');
    assert.equal(await workLeftUndone(store, task, mapping), true, 'an event and no run yet');
    await tick();
    assert.equal((await run()).status, 'succeeded');
    assert.equal(await workLeftUndone(store, task, mapping), false, 'the run began after the event');
    await tick();
    await store.audit.claimReceipt('erp', 'sig:abc');
    assert.equal(await workLeftUndone(store, task, mapping), false, 'a signature receipt is no event');
    await store.audit.claimReceipt('erp', 'event:2');
    assert.equal(await workLeftUndone(store, task, mapping), true, 'an event after the run began');
  });
});

type Row = { id: string; modified_at: unknown; [field: string]: unknown };

/** A source whose reads answer the given pages; `pulled` counts the pages the reader took. */
function pagesSource(pages: (Row[] | Omit<Page, 'cursor'>)[]) {
  const reads: [string, ReadOptions][] = [];
  const state = { pulled: 0 };
  const source = {
    async *read(object: string, o: ReadOptions): AsyncIterable<Page> {
      reads.push([object, o]);
      for (const p of pages) {
        state.pulled++;
        const page = Array.isArray(p) ? { records: p.map((r) => ({ key: r.id, data: r })) } : p;
        yield { ...page, cursor: null };
      }
    },
  } as unknown as Connector;
  return { source, reads, state };
}

const WATERMARK = { m: '2026-03-01T12:00:00.000Z', k: '50' } as Cursor;
const before_ = (seconds: number) =>
  new Date(Date.parse(WATERMARK.m as string) - seconds * 1000).toISOString();
const after_ = (seconds: number) =>
  new Date(Date.parse(WATERMARK.m as string) + seconds * 1000).toISOString();
const row = (id: string, modified: unknown, extra: Record<string, unknown> = {}): Row => ({
  id,
  modified_at: modified,
  ...extra,
});
const withWatermark = (o: Parameters<typeof fakeStore>[0] = {}) =>
  fakeStore({ checkpoint: { watermark: WATERMARK, inProgress: null }, ...o });

describe('lateInserted: rows of the overlap window committed late, before the watermark', () => {
  test('the unprocessed rows of the window are news; rows a run left a sync link for are not', async () => {
    const s = withWatermark({ linked: ['1', '3'] });
    const src = pagesSource([
      [row('1', before_(30)), row('2', before_(20)), row('3', before_(10)), row('4', before_(5))],
    ]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), ['2', '4']);
    assert.deepEqual(s.asked.linksOf, [[SCOPE, ['1', '2', '3', '4']]]);
  });

  test("the window is read as the run's read: from the watermark, in pages of 500, with the filter, params and job.*", async () => {
    const s = withWatermark();
    const src = pagesSource([]);
    await lateInserted(s.store, taskOf(), mappingOf({ filter: 'active = true' }), src.source);
    const [[object, o]] = src.reads as [[string, ReadOptions]];
    assert.equal(object, 'people');
    assert.deepEqual(
      { ...o, filter: o.filter && 'the filter' },
      {
        after: WATERMARK,
        keyField: 'id',
        modifiedField: 'modified_at',
        filter: 'the filter',
        pageSize: 500,
        expression: { params: { region: 'ZH' }, job: { last_success: null, last_run: null } },
      },
    );
    await lateInserted(s.store, taskOf(), mappingOf(), src.source);
    assert.equal(src.reads[1]?.[1].filter, undefined, 'no filter, none passed');
  });

  test('rows a run was already started for are no news', async () => {
    const s = withWatermark();
    const src = pagesSource([[row('1', before_(20)), row('2', before_(10))]]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source, new Set(['1'])), ['2']);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source, new Set(['1', '2'])), []);
  });

  test('a page of processed rows before the watermark goes on to the next page (times as Date objects)', async () => {
    const s = withWatermark({ linked: ['1', '2'] });
    const src = pagesSource([
      [row('1', new Date(before_(30))), row('2', new Date(before_(20)))],
      [row('3', new Date(before_(10)))],
    ]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), ['3']);
  });

  test('the look ends at the first page whose last row is past the watermark', async () => {
    const s = withWatermark({ linked: ['1', '2', '3'] });
    const src = pagesSource([
      [row('1', before_(30)), row('2', before_(20)), row('3', after_(5))],
      [row('4', after_(10))],
    ]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), []);
    assert.equal(src.state.pulled, 1, 'the second page is not read');
  });

  test("a page ending at the watermark's own time is not past it", async () => {
    const s = withWatermark({ linked: ['1'] });
    const src = pagesSource([[row('1', WATERMARK.m)], [row('2', WATERMARK.m)]]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), ['2']);
  });

  test('the window is bounded: at most two pages are looked at', async () => {
    const s = withWatermark({ linked: ['1', '2'] });
    const src = pagesSource([[row('1', before_(30))], [row('2', before_(20))], [row('3', before_(10))]]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), []);
    assert.equal(src.state.pulled, 2);
  });

  test('the end of the source ends the look', async () => {
    const s = withWatermark({ linked: ['1'] });
    const src = pagesSource([[row('1', before_(30))]]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), []);
  });

  test('an empty page, or a last row without a modified time, ends the look', async () => {
    const empty = pagesSource([[], [row('2', before_(10))]]);
    assert.deepEqual(await lateInserted(withWatermark().store, taskOf(), mappingOf(), empty.source), []);
    assert.equal(empty.state.pulled, 1);
    const noTime = pagesSource([[row('1', null)], [row('2', before_(10))]]);
    const s = withWatermark({ linked: ['1'] });
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), noTime.source), []);
    assert.equal(noTime.state.pulled, 1);
  });

  test('a modified value that reads as no time (epoch milliseconds) does not end the look before the bound', async () => {
    const s = withWatermark({ linked: ['1'] });
    const src = pagesSource([[row('1', Date.parse(before_(30)))], [row('2', before_(10))]]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), mappingOf(), src.source), ['2']);
  });

  test('rows the filter drops are no news: the engine filters a page the source did not', async () => {
    const s = withWatermark();
    const src = pagesSource([
      [row('1', before_(20), { active: false }), row('2', before_(10), { active: true })],
    ]);
    assert.deepEqual(
      await lateInserted(s.store, taskOf(), mappingOf({ filter: 'active = true' }), src.source),
      ['2'],
    );
  });

  test('a page the source filtered itself is not filtered again; one it filtered in part, by the rest only', async () => {
    const s = withWatermark();
    const m = mappingOf({ filter: "active = true and region = 'ZH'" });
    const whole = pagesSource([
      {
        records: [{ key: '1', data: row('1', before_(10), { active: false, region: 'BE' }) }],
        filtered: true,
      },
    ]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), m, whole.source), ['1']);
    const rest = compileFilter(mappingOf({ filter: "region = 'ZH'" })) ?? undefined;
    const part = pagesSource([
      {
        records: [
          { key: '1', data: row('1', before_(20), { active: false, region: 'ZH' }) },
          { key: '2', data: row('2', before_(10), { active: true, region: 'BE' }) },
        ],
        rest,
      },
    ]);
    assert.deepEqual(await lateInserted(s.store, taskOf(), m, part.source), ['1']);
  });

  test("the engine's filter reads the task's params", async () => {
    const s = withWatermark();
    const src = pagesSource([
      [row('1', before_(20), { region: 'BE' }), row('2', before_(10), { region: 'ZH' })],
    ]);
    const m = mappingOf({ filter: "region = param('region')" });
    assert.deepEqual(await lateInserted(s.store, taskOf(), m, src.source), ['2']);
  });

  test('no look where no run starts from one watermark: no modified column, a full task, assignments', async () => {
    const s = withWatermark();
    const src = pagesSource([[row('1', before_(10))]]);
    const plain = mappingOf({ source: { connectionId: 'erp', object: 'people', key: 'id' } });
    const multi = mappingOf({ assignments: [{ fields: [{ target: 'email', from: 'email' }] }] });
    assert.deepEqual(await lateInserted(s.store, taskOf(), plain, src.source), []);
    assert.deepEqual(await lateInserted(s.store, taskOf({ mode: 'full' }), mappingOf(), src.source), []);
    assert.deepEqual(await lateInserted(s.store, taskOf(), multi, src.source), []);
    assert.deepEqual(src.reads, []);
  });

  test('no look without a watermark, or with one whose time cannot be read', async () => {
    const src = pagesSource([[row('1', before_(10))]]);
    for (const checkpoint of [
      null,
      { watermark: null, inProgress: null },
      { watermark: { k: '50' }, inProgress: null },
      { watermark: { m: 'yesterday-ish', k: '50' }, inProgress: null },
    ])
      assert.deepEqual(
        await lateInserted(fakeStore({ checkpoint }).store, taskOf(), mappingOf(), src.source),
        [],
      );
    assert.deepEqual(src.reads, []);
  });
});
