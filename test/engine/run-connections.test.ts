// Unit tests of the engine modules that open connections: a mapping's connectors (open-mapping.ts), whether a
// task has changes waiting (changes.ts) and which target records a deleted value names (deletion-targets.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import type { Connector, LookupHit } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Connection, SyncLink, Task } from '../../src/core/types.ts';
import { pendingChanges } from '../../src/engine/changes.ts';
import { mappingsInto, targetIdsByValue } from '../../src/engine/deletion-targets.ts';
import { openMappingConnectors } from '../../src/engine/open-mapping.ts';
import type { Store } from '../../src/store/store.ts';

const log = pino({ level: 'silent' });
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
const task: Task = {
  id: 'people',
  name: 'People',
  mappingId: 'people',
  schedule: null,
  enabled: true,
  mode: 'incremental',
  notify: { on: [], to: [] },
  params: { region: 'ZH' },
};

describe('openMappingConnectors: the live connectors of a mapping', () => {
  test('source and target are made from their connections, and close releases both even if one fails', async () => {
    const closed: string[] = [];
    const store = {
      connections: { get: async (id: string) => ({ id, name: id, system: 'sql', config: {}, secret: {} }) },
    } as unknown as Store;
    const make = (c: Connection) =>
      ({
        system: 'sql',
        name: c.id,
        close: async () => {
          closed.push(c.id);
          if (c.id === 'erp') throw new Error('already closed');
        },
      }) as unknown as Connector;
    const opened = await openMappingConnectors(
      store,
      mappingOf(),
      { log, signal: new AbortController().signal },
      make,
    );
    assert.deepEqual(
      [
        (opened.source as unknown as { name: string }).name,
        (opened.target as unknown as { name: string }).name,
      ],
      ['erp', 'crm'],
    );
    await opened.close();
    assert.deepEqual(closed.sort(), ['crm', 'erp']);
  });
});

describe('pendingChanges: whether the next incremental run would read anything', () => {
  const setup = (o: { checkpoint?: unknown; changed?: boolean } = {}) => {
    const asked: unknown[] = [];
    const store = {
      executions: {
        checkpoint: async () => o.checkpoint ?? null,
        list: async () => [],
      },
    } as unknown as Store;
    const source = {
      changedSince: async (object: string, q: unknown) => {
        asked.push([object, q]);
        return o.changed ?? true;
      },
    } as unknown as Connector;
    return { store, source, asked };
  };

  test('the source is asked after the watermark, with the filter, the params and job.*', async () => {
    const s = setup({ checkpoint: { watermark: { at: 5 }, inProgress: null }, changed: false });
    const m = mappingOf({ filter: 'active = true' });
    assert.equal(await pendingChanges(s.store, task, m, s.source), false);
    const [[object, q]] = s.asked as [[string, Record<string, unknown>]];
    assert.equal(object, 'people');
    assert.deepEqual(
      { ...q, filter: Boolean(q.filter) },
      {
        keyField: 'id',
        modifiedField: 'modified_at',
        after: { at: 5 },
        filter: true,
        expression: { params: { region: 'ZH' }, job: { last_success: null, last_run: null } },
      },
    );
  });

  test('a first run asks from the start, without a filter when there is none', async () => {
    const s = setup();
    assert.equal(
      await pendingChanges(s.store, { ...task, params: undefined } as unknown as Task, mappingOf(), s.source),
      true,
    );
    const [[, q]] = s.asked as [[string, Record<string, unknown>]];
    assert.deepEqual(
      [q.after, q.filter, (q.expression as { params: unknown }).params],
      [null, undefined, {}],
    );
  });

  test("a crashed run's resume point is work to do, without asking", async () => {
    const s = setup({ checkpoint: { watermark: null, inProgress: { base: null, position: { at: 1 } } } });
    assert.equal(await pendingChanges(s.store, task, mappingOf(), s.source), true);
    assert.deepEqual(s.asked, []);
  });

  test('no answer where the source cannot be asked: no changedSince, no modified column, a full task, assignments', async () => {
    const s = setup();
    const plain = mappingOf({ source: { connectionId: 'erp', object: 'people', key: 'id' } });
    const multi = mappingOf({ assignments: [{ fields: [{ target: 'email', from: 'email' }] }] });
    assert.equal(await pendingChanges(s.store, task, mappingOf(), {} as Connector), null);
    assert.equal(await pendingChanges(s.store, task, plain, s.source), null);
    assert.equal(await pendingChanges(s.store, { ...task, mode: 'full' }, mappingOf(), s.source), null);
    assert.equal(await pendingChanges(s.store, task, multi, s.source), null);
    assert.deepEqual(s.asked, []);
  });
});

describe('deletion targets: the target records a deleted value names', () => {
  const link = (sourceKey: string, externalId: string | null, extra: Partial<SyncLink> = {}): SyncLink => ({
    sourceConnectionId: 'erp',
    sourceObject: 'people',
    sourceKey,
    targetConnectionId: 'brevo',
    targetObject: 'contacts',
    externalId,
    lastSyncAt: null,
    lastSuccessAt: null,
    status: 'ok',
    remark: null,
    payloadHash: null,
    ...extra,
  });
  const setup = (mappings: ReturnType<typeof mappingOf>[], links: SyncLink[], hits: LookupHit[]) => {
    const lookups: unknown[] = [];
    let closed = 0;
    const store = {
      // The database only keys the connection budgets (runs/limiters.ts): any object will do.
      db: {},
      mappings: { list: async () => mappings },
      connections: { get: async (id: string) => ({ id }) },
      syncLinks: {
        forSourceRecord: async (conn: string, object: string, key: string) =>
          links.filter(
            (l) => l.sourceConnectionId === conn && l.sourceObject === object && l.sourceKey === key,
          ),
      },
    } as unknown as Store;
    const runtimes: unknown[] = [];
    const connectorFactory = (_c: unknown, rt: unknown) =>
      ({
        runtime: runtimes.push(rt),
        lookup: async (...a: unknown[]) => {
          lookups.push(a);
          return hits;
        },
        close: async () => {
          closed++;
        },
      }) as unknown as Connector;
    return { store, connectorFactory, lookups, runtimes, closed: () => closed };
  };
  const brevo = (extra: Partial<MappingDefinitionInput> = {}) =>
    mappingOf({ target: { connectionId: 'brevo', object: 'contacts' }, ...extra });

  test('mappingsInto: the mappings and assignments writing into one object of a connection', async () => {
    const m = brevo({
      id: 'a',
      assignments: [{ target: { object: 'deals' }, fields: [{ target: 'email', from: 'email' }] }],
    });
    const other = mappingOf({ id: 'b' });
    const store = { mappings: { list: async () => [m, other] } } as unknown as Store;
    assert.deepEqual(
      (await mappingsInto(store, 'brevo', 'contacts')).map((x) => x.id),
      ['a'],
    );
    assert.deepEqual(
      (await mappingsInto(store, 'brevo', 'deals')).map((x) => x.target.object),
      ['deals'],
    );
  });

  test('the source is asked for the value by the field mapped to the property, and its links give the ids', async () => {
    const s = setup(
      [brevo()],
      [
        link('7', 'b7'),
        link('7', null),
        link('7', 'x', { targetObject: 'deals' }),
        link('7', 'y', { targetConnectionId: 'crm' }),
      ],
      [{ id: 'ignored', value: 'a@b.ch', properties: { id: 7 } }],
    );
    const ids = await targetIdsByValue(
      s.store,
      { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
      { log, connectorFactory: s.connectorFactory },
    );
    assert.deepEqual(ids, ['b7']);
    assert.deepEqual(s.lookups, [['people', 'email', ['a@b.ch']]]);
    assert.equal(s.closed(), 1);
  });

  test('matchKey.source names the field; a hit without the key property is known by its id', async () => {
    const s = setup(
      [brevo({ matchKey: { target: 'email', source: 'mail_private' } })],
      [link('h1', 'b1')],
      [{ id: 'h1', value: 'a@b.ch', properties: {} }],
    );
    const ids = await targetIdsByValue(
      s.store,
      { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
      { log, connectorFactory: s.connectorFactory },
    );
    assert.deepEqual(ids, ['b1']);
    assert.deepEqual(s.lookups, [['people', 'mail_private', ['a@b.ch']]]);
  });

  test('the source is asked by the field mapped to the match property, not the first field; with the log and a signal', async () => {
    const s = setup(
      [
        brevo({
          fields: [
            { target: 'name', from: 'last_name' },
            { target: 'email', from: 'mail' },
          ],
        }),
      ],
      [],
      [],
    );
    await targetIdsByValue(
      s.store,
      { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
      { log, connectorFactory: s.connectorFactory as never },
    );
    assert.deepEqual(s.lookups, [['people', 'mail', ['a@b.ch']]]);
    const [rt] = s.runtimes as { log: unknown; signal: unknown }[];
    assert.equal(rt?.log, log);
    assert.ok(rt?.signal instanceof AbortSignal);
  });

  test('a match property filled by a formula names no source field', async () => {
    const s = setup([brevo({ fields: [{ target: 'email', formula: "lower('A@B.CH')" }] })], [], []);
    await targetIdsByValue(
      s.store,
      { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
      { log, connectorFactory: s.connectorFactory as never },
    );
    assert.deepEqual(s.lookups, []);
  });

  test('a source without close is fine', async () => {
    const s = setup([brevo()], [], []);
    const bare = () => ({ lookup: async () => [] }) as unknown as Connector;
    assert.deepEqual(
      await targetIdsByValue(
        s.store,
        { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
        { log, connectorFactory: bare },
      ),
      [],
    );
    const store = { connections: { get: async (id: string) => ({ id }) } } as unknown as Store;
    const opened = await openMappingConnectors(
      store,
      mappingOf(),
      { log, signal: new AbortController().signal },
      bare,
    );
    await opened.close();
  });

  test('mappings that match by another property, or a source that cannot look up, know nothing', async () => {
    const s = setup(
      [
        brevo({
          matchKey: { target: 'phone' },
          fields: [
            { target: 'phone', from: 'phone' },
            { target: 'email', from: 'email' },
          ],
        }),
      ],
      [],
      [],
    );
    assert.deepEqual(
      await targetIdsByValue(
        s.store,
        { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
        { log, connectorFactory: s.connectorFactory },
      ),
      [],
    );
    assert.deepEqual(s.lookups, []);
    let closed = 0;
    const noLookup = () =>
      ({
        close: async () => {
          closed++;
        },
      }) as unknown as Connector;
    assert.deepEqual(
      await targetIdsByValue(
        setup([brevo()], [], []).store,
        { connectionId: 'brevo', object: 'contacts', property: 'email', value: 'a@b.ch' },
        { log, connectorFactory: noLookup },
      ),
      [],
    );
    assert.equal(closed, 1, 'the connector is closed even when it cannot look up');
  });
});
