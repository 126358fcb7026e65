// Unit tests of a task's run (src/engine/run-task.ts) through the real store on a temp SQLite file and
// in-memory source and target systems: what a full and an incremental run read, where they start, what
// they retry, count and leave as the watermark, and what a dry run plans. The end-to-end suites run the
// same through emulators and SQL databases; these take a second, so `npm run mutation` can run them.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Connector, Page } from '../../src/connectors/connector.ts';
import type { LimiterProvider } from '../../src/connectors/rate-limiter.ts';
import type { ConnectorRuntime } from '../../src/connectors/registry.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Connection, Task } from '../../src/core/types.ts';
import {
  compileFilter,
  dryRunTask,
  inMemoryFilter,
  runTask,
  scopeOf,
  storeOfTask,
  TaskSetupError,
} from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { memorySource, memoryTarget } from '../helpers/memory-systems.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    email: `p${i + 1}@example.ch`,
    name: `Person ${i + 1}`,
    active: i % 3 !== 2,
    modified_at: 1000 + i,
  }));

const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'People',
    source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [
      { target: 'email', from: 'email' },
      { target: 'name', from: 'name' },
    ],
    ...extra,
  });
const taskOf = (extra: Partial<Task> = {}): Task => ({
  id: 'people',
  name: 'People',
  mappingId: 'people',
  schedule: null,
  enabled: true,
  mode: 'full',
  notify: { on: [], to: [] },
  params: {},
  ...extra,
});

describe('runTask and dryRunTask over a SQLite store and in-memory systems', () => {
  let db: TempDatabase;
  let store: Store;
  let erp: ReturnType<typeof memorySource>;
  let crm: ReturnType<typeof memoryTarget>;
  let n = 0;
  /** A fresh task and mapping id per test: the store is shared, links and checkpoints are per task. */
  let id = '';

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    await store.connections.save({ id: 'erp', name: 'ERP', system: 'sql', config: {}, secret: {} });
    await store.connections.save({ id: 'crm', name: 'CRM', system: 'abacus', config: {}, secret: {} });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });
  beforeEach(() => {
    id = `t${++n}`;
    erp = memorySource(people(5));
    crm = memoryTarget();
  });

  /** Saves the mapping and task under this test's id (the connections are per test as well). */
  async function setup(mapping: Partial<MappingDefinitionInput> = {}, task: Partial<Task> = {}) {
    await store.connections.save({ id: `erp-${id}`, name: 'ERP', system: 'sql', config: {}, secret: {} });
    await store.connections.save({ id: `crm-${id}`, name: 'CRM', system: 'abacus', config: {}, secret: {} });
    const m = mappingOf({
      id,
      ...mapping,
      source: {
        connectionId: `erp-${id}`,
        object: 'people',
        key: 'id',
        modifiedField: 'modified_at',
        ...mapping.source,
      },
      target: { connectionId: `crm-${id}`, object: 'contacts', ...mapping.target },
    });
    await store.mappings.save(m);
    await store.tasks.save(taskOf({ id, mappingId: id, ...task }));
    return m;
  }
  const factory = () => (c: { system: string }) => (c.system === 'sql' ? erp.source : crm.target);
  const run = (o: { confirmDeletes?: boolean } = {}) =>
    runTask(id, { store, log, connectorFactory: factory(), ...o });
  const linksOf = async (m: ReturnType<typeof mappingOf>, keys: string[]) =>
    store.syncLinks.getMany(scopeOf(m), keys);

  test('a full run writes every source record, page by page, and links each to its target record', async () => {
    const m = await setup();
    const execution = await run();
    assert.equal(execution.status, 'succeeded');
    assert.deepEqual(execution.counts, {
      read: 5,
      filtered: 0,
      created: 5,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 0,
    });
    assert.equal(crm.records.size, 5);
    assert.deepEqual(
      crm.writes.map((w) => w.length),
      [2, 2, 1],
      'one write per page of two',
    );
    const links = await linksOf(m, ['1', '5']);
    assert.deepEqual(
      [...links.values()].map((l) => [l.sourceKey, l.status, crm.records.get(l.externalId as string)?.email]),
      [
        ['1', 'ok', 'p1@example.ch'],
        ['5', 'ok', 'p5@example.ch'],
      ],
    );
    const items = await store.executions.items(execution.id, { limit: 100 });
    assert.equal(items.filter((i) => i.action === 'create').length, 5);
    assert.equal(
      erp.reads[0]?.modifiedField,
      undefined,
      'a full read goes by key, not by the modified column',
    );
    assert.deepEqual(erp.reads[0]?.fields, ['id', 'modified_at', 'email', 'name']);
  });

  test('a second full run over unchanged records writes nothing and counts them unchanged', async () => {
    await setup();
    await run();
    crm.writes.length = 0;
    const second = await run();
    assert.deepEqual([second.counts.unchanged, second.counts.read], [5, 5]);
    assert.deepEqual(crm.writes, []);
  });

  test('an incremental run reads after the watermark the last run left, by the modified column', async () => {
    await setup({}, { mode: 'incremental' });
    await run();
    assert.equal(erp.reads[0]?.modifiedField, 'modified_at');
    assert.equal(erp.reads[0]?.after, undefined);
    const checkpoint = await store.executions.checkpoint(id);
    assert.deepEqual(checkpoint?.watermark, { at: '000000001004|000005' });

    erp.rows.push({ id: 6, email: 'p6@example.ch', name: 'Six', active: true, modified_at: 2000 });
    const second = await run();
    assert.deepEqual(erp.reads[1]?.after, { at: '000000001004|000005' });
    assert.deepEqual([second.counts.read, second.counts.created], [1, 1]);
    assert.deepEqual((await store.executions.checkpoint(id))?.watermark, { at: '000000002000|000006' });
  });

  test('a full run leaves the watermark alone', async () => {
    await setup();
    await run();
    assert.equal((await store.executions.checkpoint(id))?.watermark ?? null, null);
  });

  test('an incremental run reads again the records that failed retryably before, once', async () => {
    const m = await setup({}, { mode: 'incremental' });
    crm.refuse.add('p2@example.ch');
    const first = await run();
    assert.equal(first.status, 'warning');
    assert.equal(first.counts.failed, 1);
    assert.equal((await linksOf(m, ['2'])).get('2')?.status, 'retry');

    crm.refuse.clear();
    const second = await run();
    assert.deepEqual(erp.byKeys, [['2']], 'the failed record is read by its key');
    assert.deepEqual([second.counts.read, second.counts.created, second.status], [1, 1, 'succeeded']);
    assert.equal((await linksOf(m, ['2'])).get('2')?.status, 'ok');
  });

  test('a record read by the run itself is not read again as a retry', async () => {
    await setup({}, { mode: 'incremental' });
    crm.refuse.add('p2@example.ch');
    await run();
    crm.refuse.clear();
    const row = erp.rows.find((r) => r.id === 2) as Record<string, unknown>;
    row.modified_at = 3000;
    const second = await run();
    assert.deepEqual(erp.byKeys, []);
    assert.equal(second.counts.read, 1);
  });

  test('a record the filter dropped in this run is not read again as a retry', async () => {
    await setup({ filter: 'active = true' }, { mode: 'incremental' });
    crm.refuse.add('p2@example.ch');
    await run();
    crm.refuse.clear();
    const row = erp.rows.find((r) => r.id === 2) as Record<string, unknown>;
    Object.assign(row, { active: false, modified_at: 3000 });
    const second = await run();
    assert.deepEqual(erp.byKeys, [], 'the run read it and its filter dropped it: no second read by key');
    assert.deepEqual([second.counts.read, second.counts.filtered], [1, 1]);
  });

  test('a filter the source does not apply is applied in memory and counted as filtered', async () => {
    await setup({ filter: 'active = true' });
    const execution = await run();
    assert.deepEqual([execution.counts.read, execution.counts.filtered, execution.counts.created], [5, 1, 4]);
    assert.ok(erp.reads[0]?.filter, 'the filter is offered to the source');
    assert.ok(![...crm.records.values()].some((r) => r.email === 'p3@example.ch'));
  });

  test('an invalid filter fails the run as a setup error before anything is read', async () => {
    await setup({ filter: 'active = = true' });
    const execution = await run();
    assert.equal(execution.status, 'failed');
    assert.equal(execution.error?.code, 'task_setup_invalid');
    assert.match(execution.error?.message ?? '', new RegExp(`the filter of mapping '${id}' is invalid`));
    assert.deepEqual(erp.reads, []);
  });

  test('a full run deletes in the target what is gone from the source', async () => {
    await setup({ deletes: 'propagate' });
    await run();
    erp.rows.splice(4, 1);
    const second = await run();
    assert.deepEqual([second.counts.deleted, second.status], [1, 'succeeded']);
    assert.equal(crm.records.size, 4);
  });

  test('an incremental run never deletes', async () => {
    await setup({ deletes: 'propagate' }, { mode: 'incremental' });
    await run();
    erp.rows.splice(4, 1);
    await run();
    assert.equal(crm.records.size, 5);
  });

  test('the mass-deletion guard ends the run as a warning with nothing deleted, until confirmed', async () => {
    await setup({ deletes: 'propagate' });
    await run();
    erp.rows.splice(0, 5);
    const held = await run();
    assert.equal(held.status, 'warning');
    assert.equal(held.error?.code, 'mass_deletion_guard');
    assert.equal(crm.records.size, 5);
    const confirmed = await run({ confirmDeletes: true });
    assert.deepEqual([confirmed.counts.deleted, crm.records.size], [5, 0]);
  });

  test('a run held by the mass-deletion guard logs the warning with its details', async () => {
    await setup({ deletes: 'propagate' });
    await run();
    erp.rows.splice(0, 5);
    const lines: Record<string, unknown>[] = [];
    const logged = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const held = await runTask(id, { store, log: logged, connectorFactory: factory() });
    const warning = lines.find((l) => l.level === 40 && l.msg === held.error?.message);
    assert.ok(warning, JSON.stringify(lines));
    assert.ok(warning.details, 'the guard says what it held back');
  });

  test('a second assignment writes the same records into its own object with its own links', async () => {
    const m = await setup({
      assignments: [
        {
          target: { object: 'deals' },
          matchKey: { target: 'email' },
          fields: [{ target: 'email', from: 'email' }],
          filter: 'active = true',
        },
      ],
    });
    const execution = await run();
    // The memory target finds the contact by e-mail in either object: the deals are counted as updates.
    assert.deepEqual(
      [execution.counts.read, execution.counts.created, execution.counts.updated, execution.counts.filtered],
      [10, 5, 4, 1],
    );
    assert.deepEqual(
      crm.writes.map((w) => w.length),
      [2, 2, 1, 2, 1, 1],
    );
    const deals = await store.syncLinks.getMany({ ...scopeOf(m), targetObject: 'deals' }, ['1', '3']);
    assert.deepEqual([...deals.keys()], ['1']);
  });

  test('task parameters reach the mapping formulas', async () => {
    await setup(
      {
        fields: [
          { target: 'email', from: 'email' },
          { target: 'region', formula: "param('region')" },
        ],
      },
      { params: { region: 'ZH' } },
    );
    await run();
    assert.deepEqual(
      [...crm.records.values()].map((r) => r.region),
      ['ZH', 'ZH', 'ZH', 'ZH', 'ZH'],
    );
  });

  test('a dry run says what the run would do and writes nothing, links nothing', async () => {
    const m = await setup();
    const plan = await dryRunTask(store, id, { log, connectorFactory: factory() });
    assert.equal(plan.dryRun, true);
    assert.equal(plan.truncated, false);
    assert.equal(plan.counts.created, 5);
    assert.deepEqual(
      plan.items.map((i) => [i.sourceKey, i.action, i.externalId]),
      [
        ['1', 'create', null],
        ['2', 'create', null],
        ['3', 'create', null],
        ['4', 'create', null],
        ['5', 'create', null],
      ],
    );
    assert.deepEqual(plan.items[0]?.payload, { email: 'p1@example.ch', name: 'Person 1' });
    assert.deepEqual(crm.writes, []);
    assert.equal((await linksOf(m, ['1'])).size, 0);
  });

  test('a dry run after a run plans updates with the target ids and leaves unchanged records out', async () => {
    await setup();
    await run();
    (erp.rows[0] as Record<string, unknown>).name = 'Renamed';
    crm.writes.length = 0;
    const plan = await dryRunTask(store, id, { log, connectorFactory: factory() });
    assert.deepEqual(
      plan.items.map((i) => [i.sourceKey, i.action]),
      [['1', 'update']],
    );
    assert.ok(plan.items[0]?.externalId);
    assert.equal(plan.counts.unchanged, 4);
    assert.deepEqual(crm.writes, []);
  });

  test('a dry run names the failures with their code and message', async () => {
    await setup({ fields: [{ target: 'email', from: 'nothing_here', required: true }] });
    const plan = await dryRunTask(store, id, { log, connectorFactory: factory() });
    assert.equal(plan.items[0]?.action, 'fail');
    assert.equal(plan.items[0]?.code, 'required_field_missing');
    assert.ok(plan.items[0]?.message);
  });

  test('a dry run stops reading at maxRecords and keeps at most maxItems', async () => {
    await setup();
    const cut = await dryRunTask(store, id, { log, connectorFactory: factory(), maxRecords: 3 });
    assert.equal(cut.truncated, true);
    assert.deepEqual([cut.counts.read, cut.items.length], [4, 4]);
    const few = await dryRunTask(store, id, { log, connectorFactory: factory(), maxItems: 2 });
    assert.deepEqual([few.items.length, few.counts.created, few.truncated], [2, 5, false]);
  });

  test('a dry run plans the deletions a full run would make', async () => {
    await setup({ deletes: 'propagate' });
    await run();
    erp.rows.splice(4, 1);
    const plan = await dryRunTask(store, id, { log, connectorFactory: factory() });
    assert.deepEqual(
      plan.items.map((i) => [i.sourceKey, i.action]),
      [['5', 'delete']],
    );
    assert.equal(crm.records.size, 5);
  });

  /** A second assignment: the same people as deals. */
  const DEALS = {
    target: { object: 'deals' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
  };

  /** A factory that remembers what each connector was made with. */
  function recordingFactory() {
    const made: { id: string; rt: ConnectorRuntime }[] = [];
    const make = (c: Connection, rt: ConnectorRuntime) => {
      made.push({ id: c.id, rt });
      return c.system === 'sql' ? erp.source : crm.target;
    };
    return { make, made };
  }

  /** The memory source with its pages changed by `change` (a source that filters, or fails). */
  const sourceWith = (change: (page: Page, index: number) => Page): Connector => ({
    ...erp.source,
    async *read(object, o) {
      let index = 0;
      for await (const page of erp.source.read(object, o)) yield change(page, index++);
    },
  });

  test('each connection is opened once per run, with the run budget, signal and party, and closed at its end', async () => {
    await setup({ assignments: [DEALS] });
    const { make, made } = recordingFactory();
    const execution = await runTask(id, { store, log, connectorFactory: make });
    assert.equal(execution.status, 'succeeded');
    assert.deepEqual(
      made.map((m) => m.id),
      [`erp-${id}`, `crm-${id}`],
    );
    for (const { rt } of made) {
      assert.equal(rt.party, id, 'tasks sharing an account are served in turn');
      assert.ok(rt.limiters, "the store's budgets when none are given");
      assert.ok(rt.signal instanceof AbortSignal);
      assert.equal(typeof rt.saveSecret, 'function');
    }
    assert.deepEqual([erp.state.closed, crm.state.closed], [1, 1]);

    const limiters = made[0]?.rt.limiters as LimiterProvider;
    const given = recordingFactory();
    await runTask(id, { store, log, connectorFactory: given.make, limiters });
    assert.equal(given.made[0]?.rt.limiters, limiters);
  });

  test('a dry run opens its connectors with the budget and party, and aborts and closes them at its end', async () => {
    await setup();
    const { make, made } = recordingFactory();
    await dryRunTask(store, id, { log, connectorFactory: make });
    assert.equal(made.length, 2);
    for (const { rt } of made) {
      assert.equal(rt.party, id);
      assert.ok(rt.limiters);
      assert.equal(rt.signal.aborted, true, 'nothing a connector started outlives the dry run');
    }
    assert.deepEqual([erp.state.closed, crm.state.closed], [1, 1]);
  });

  test('a run is triggered manually unless it says otherwise', async () => {
    await setup();
    assert.equal((await run()).trigger, 'manual');
    assert.equal(
      (await runTask(id, { store, log, connectorFactory: factory(), trigger: 'schedule' })).trigger,
      'schedule',
    );
  });

  test('the source is asked with the fields and paths the mapping reads and the task parameters', async () => {
    await setup(
      {
        fields: [
          { target: 'email', from: 'email' },
          { target: 'label', template: '{name} ({id})' },
        ],
      },
      { params: { region: 'ZH' } },
    );
    await run();
    assert.deepEqual(erp.reads[0]?.paths, ['email', 'name', 'id']);
    assert.deepEqual(erp.reads[0]?.expression?.params, { region: 'ZH' });
    assert.deepEqual(Object.keys(erp.reads[0]?.expression?.job ?? {}).sort(), ['last_run', 'last_success']);
  });

  test('after every page the hooks see it read and then committed', async () => {
    await setup({ deletes: 'ignore' });
    const seen: string[] = [];
    await runTask(id, {
      store,
      log,
      connectorFactory: factory(),
      hooks: { afterRead: () => void seen.push('read'), afterCommit: () => void seen.push('commit') },
    });
    assert.deepEqual(seen, ['read', 'commit', 'read', 'commit', 'read', 'commit']);
  });

  test('a source that fails in the middle of its read fails the run with its error, after the pages before', async () => {
    await setup();
    const failing = sourceWith((page, index) => {
      if (index === 1) throw new Error('connection reset by the business system');
      return page;
    });
    // A target that answers on a later turn, as a real one does: the failed read-ahead waits unawaited meanwhile.
    const slow: Connector = {
      ...crm.target,
      write: async (object, ops) => {
        await new Promise((resolve) => setImmediate(resolve));
        return crm.target.write(object, ops);
      },
    };
    const execution = await runTask(id, {
      store,
      log,
      connectorFactory: (c) => (c.system === 'sql' ? failing : slow),
    });
    assert.equal(execution.status, 'failed');
    assert.match(execution.error?.message ?? '', /connection reset by the business system/);
    assert.equal(execution.counts.created, 2);
  });

  test('a page the source filtered itself is not filtered again; the part it left over is', async () => {
    await setup({ filter: 'active = true and id > 1' });
    const trusting = sourceWith((page) => ({ ...page, filtered: true }));
    const all = await runTask(id, {
      store,
      log,
      connectorFactory: (c) => (c.system === 'sql' ? trusting : crm.target),
    });
    assert.deepEqual([all.counts.created, all.counts.filtered], [5, 0]);

    id = `${id}-rest`;
    crm = memoryTarget();
    await setup({ filter: 'active = true and id > 1' });
    const rest = compileFilter(mappingOf({ filter: 'active = true' })) ?? undefined;
    const partly = sourceWith((page) => ({ ...page, rest }));
    const some = await runTask(id, {
      store,
      log,
      connectorFactory: (c) => (c.system === 'sql' ? partly : crm.target),
    });
    assert.deepEqual(
      [some.counts.created, some.counts.filtered],
      [4, 1],
      'only active = true was left to check',
    );
  });

  test('an incremental run of several assignments reads in full by key and keeps no watermark', async () => {
    await setup({ assignments: [DEALS] }, { mode: 'incremental' });
    await run();
    assert.deepEqual(
      erp.reads.map((r) => r.modifiedField),
      [undefined, undefined],
    );
    assert.equal((await store.executions.checkpoint(id))?.watermark ?? null, null);
  });

  test('a failed run resumes after the last page it committed, without finding deletions in a part read', async () => {
    await setup({ deletes: 'propagate' });
    await run();
    erp.rows.splice(0, 1);
    let commits = 0;
    const crashed = await runTask(id, {
      store,
      log,
      connectorFactory: factory(),
      hooks: {
        afterCommit: () => {
          if (++commits === 1) throw new Error('crash after the first page');
        },
      },
    });
    assert.equal(crashed.status, 'failed');
    const resumed = await run();
    assert.deepEqual(erp.reads.at(-1)?.after, { at: '000003' });
    assert.deepEqual([resumed.status, resumed.counts.read, resumed.counts.deleted], ['succeeded', 2, 0]);
    assert.equal(crm.records.size, 5);
  });

  test('a failed run of several assignments resumes in the assignment it stopped in', async () => {
    await setup({ assignments: [DEALS] });
    let commits = 0;
    const crashed = await runTask(id, {
      store,
      log,
      connectorFactory: factory(),
      hooks: {
        afterCommit: () => {
          if (++commits === 4) throw new Error('crash in the second assignment');
        },
      },
    });
    assert.equal(crashed.status, 'failed');
    const before = erp.reads.length;
    const resumed = await run();
    assert.deepEqual(
      erp.reads.slice(before).map((r) => r.after),
      [{ at: '000002' }],
      'the first assignment is done; the second goes on after its first page',
    );
    assert.equal(resumed.counts.read, 3);
    const next = await run();
    assert.deepEqual(
      erp.reads.slice(-2).map((r) => r.after),
      [undefined, undefined],
      'once finished, the next run starts both from the start',
    );
    assert.equal(next.counts.read, 10);
  });

  test('a record that failed and is now filtered out is read by key, counted filtered and not written', async () => {
    const m = await setup({ filter: 'active = true' }, { mode: 'incremental' });
    crm.refuse.add('p2@example.ch');
    await run();
    crm.refuse.clear();
    (erp.rows.find((r) => r.id === 2) as Record<string, unknown>).active = false;
    crm.writes.length = 0;
    const second = await run();
    assert.deepEqual(erp.byKeys, [['2']]);
    assert.deepEqual([second.counts.read, second.counts.filtered, second.counts.created], [1, 1, 0]);
    assert.deepEqual(crm.writes, []);
    assert.equal((await linksOf(m, ['2'])).get('2')?.status, 'retry');
  });

  test('a dry run of an incremental task starts at the watermark and reads nothing twice', async () => {
    await setup({}, { mode: 'incremental' });
    crm.refuse.add('p2@example.ch');
    await run();
    crm.refuse.clear();
    (erp.rows.find((r) => r.id === 2) as Record<string, unknown>).modified_at = 3000;
    const plan = await dryRunTask(store, id, { log, connectorFactory: factory() });
    assert.deepEqual(erp.reads.at(-1)?.after, { at: '000000001004|000005' });
    assert.deepEqual(erp.byKeys, [], 'the record read as changed is not read again as a retry');
    assert.deepEqual(
      plan.items.map((i) => [i.sourceKey, i.action]),
      [['2', 'create']],
    );
  });

  test('a dry run that reaches maxRecords at a page end stops there and releases the read', async () => {
    await setup();
    const cut = await dryRunTask(store, id, { log, connectorFactory: factory(), maxRecords: 4 });
    assert.deepEqual([cut.truncated, cut.counts.read], [true, 4]);
    assert.equal(erp.state.released, 1);
  });

  test('a dry run stops when its caller cancels it', async () => {
    await setup();
    const ac = new AbortController();
    const cancelling = sourceWith((page) => {
      ac.abort(new Error('the caller went away'));
      return page;
    });
    await assert.rejects(
      dryRunTask(store, id, {
        log,
        signal: ac.signal,
        connectorFactory: (c) => (c.system === 'sql' ? cancelling : crm.target),
      }),
    );
  });

  test('a dry run names the mass-deletion guard as its warning', async () => {
    await setup({ deletes: 'propagate' });
    await run();
    erp.rows.splice(0, 5);
    const plan = await dryRunTask(store, id, { log, connectorFactory: factory() });
    assert.equal(plan.warning?.code, 'mass_deletion_guard');
    assert.deepEqual(plan.items, []);
  });

  test("a run sees its task's workspace; a store already in one is kept", async () => {
    await setup();
    const view = await storeOfTask(store, id);
    assert.equal(view.workspaceId, await store.tasks.workspaceOf(id));
    assert.equal(await storeOfTask(view, id), view);
  });
});

describe('run-task helpers', () => {
  test('compileFilter: no filter or a blank one is none, a valid one compiles', () => {
    assert.equal(compileFilter(mappingOf()), null);
    assert.equal(compileFilter(mappingOf({ filter: '   ' })), null);
    assert.ok(compileFilter(mappingOf({ filter: 'active = true' })));
    assert.throws(() => compileFilter(mappingOf({ filter: 'active = = true' })), TaskSetupError);
  });

  test('scopeOf: the pair of objects an assignment links', () => {
    assert.deepEqual(scopeOf(mappingOf()), {
      sourceConnectionId: 'erp',
      sourceObject: 'people',
      targetConnectionId: 'crm',
      targetObject: 'contacts',
    });
  });

  test('inMemoryFilter keeps the records the filter selects, with params and the sync link', async () => {
    const asked: string[][] = [];
    const store = {
      syncLinks: {
        async getMany(_scope: unknown, keys: string[]) {
          asked.push(keys);
          return new Map([
            [
              '1',
              { externalId: 'x', lastSuccessAt: new Date(), status: 'ok', lastSyncAt: null, remark: null },
            ],
          ]);
        },
      },
    } as unknown as Store;
    const records = [
      { key: '1', data: { active: true } },
      { key: '2', data: { active: false } },
    ];
    const scope = scopeOf(mappingOf());
    const none = inMemoryFilter({ store, scope, expression: {} }, null);
    assert.deepEqual(await none(records), records);
    const byLink = inMemoryFilter(
      { store, scope, expression: {} },
      compileFilter(mappingOf({ filter: 'link is null' })),
    );
    assert.deepEqual(
      (await byLink(records)).map((r) => r.key),
      ['2'],
    );
    assert.deepEqual(asked, [['1', '2']]);
    const byParam = inMemoryFilter(
      { store, scope, expression: { params: { want: true } } },
      compileFilter(mappingOf({ filter: "active = param('want')" })),
    );
    assert.deepEqual(
      (await byParam(records)).map((r) => r.key),
      ['1'],
    );
    assert.equal(asked.length, 1, 'a filter that does not read link.* costs no store query');
    const rest = compileFilter(mappingOf({ filter: 'active = false' }));
    assert.deepEqual(
      (await byParam(records, rest ?? undefined)).map((r) => r.key),
      ['2'],
      'the part the source left over replaces the whole filter',
    );
  });
});
