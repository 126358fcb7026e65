// Unit tests of the mapping preview (src/engine/preview.ts): the first records of the source, mapped and
// marked selected or not by the filter, as a run would see them, with in-memory systems and a store stand-in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import type { Connector, Page, ReadOptions } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { SyncLink } from '../../src/core/types.ts';
import { previewMapping } from '../../src/engine/preview.ts';
import type { Store } from '../../src/store/store.ts';

const log = pino({ level: 'silent' });
const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'People',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [
      { target: 'email', from: 'email', required: true },
      { target: 'tag', formula: "param('tag')" },
      { target: 'known', formula: 'link is not null' },
    ],
    ...extra,
  });

function setup(rows: Record<string, unknown>[], pageSize = 2) {
  const reads: ReadOptions[] = [];
  let closed = 0;
  let signal: AbortSignal | undefined;
  const source = {
    async *read(_object: string, o: ReadOptions): AsyncIterable<Page> {
      reads.push(o);
      for (let i = 0; i < rows.length; i += pageSize)
        yield {
          records: rows.slice(i, i + pageSize).map((r) => ({ key: String(r.id), data: r })),
          cursor: null,
        };
    },
    close: async () => {
      closed++;
    },
  } as unknown as Connector;
  const linked: SyncLink = {
    sourceConnectionId: 'erp',
    sourceObject: 'people',
    targetConnectionId: 'crm',
    targetObject: 'contacts',
    sourceKey: '2',
    externalId: 'c2',
    lastSyncAt: null,
    lastSuccessAt: null,
    status: 'ok',
    remark: null,
    payloadHash: null,
  };
  const store = {
    connections: { get: async (id: string) => ({ id }) },
    syncLinks: {
      getMany: async (_scope: unknown, keys: string[]) => new Map(keys.includes('2') ? [['2', linked]] : []),
    },
  } as unknown as Store;
  const connectorFactory = (_c: unknown, rt: { signal: AbortSignal }) => {
    signal = rt.signal;
    return source;
  };
  return { store, connectorFactory, reads, closed: () => closed, signal: () => signal };
}

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    email: i === 2 ? '' : `p${i + 1}@example.ch`,
    active: i !== 0,
  }));

describe('previewMapping: what a mapping makes of the first source records', () => {
  test('each record is shown with its payload, its errors, and whether the filter selects it', async () => {
    const s = setup(people(3));
    const rows = await previewMapping(s.store, mappingOf({ filter: 'active = true' }), {
      log,
      connectorFactory: s.connectorFactory as never,
      params: { tag: 'vip' },
    });
    assert.deepEqual(
      rows.map((r) => [r.sourceKey, r.selected, r.payload]),
      [
        ['1', false, { email: 'p1@example.ch', tag: 'vip', known: false }],
        ['2', true, { email: 'p2@example.ch', tag: 'vip', known: true }],
        ['3', true, { tag: 'vip', known: false }],
      ],
    );
    assert.deepEqual(rows[0]?.source, { id: 1, email: 'p1@example.ch', active: false });
    assert.deepEqual(rows[0]?.errors, []);
    assert.deepEqual(
      rows[2]?.errors.map((e) => [e.field, e.code]),
      [['email', 'required_field_missing']],
    );
    assert.ok(rows[2]?.errors[0]?.message);
  });

  test('without a filter every record is selected; without params a formula reads none', async () => {
    const s = setup(people(2));
    const rows = await previewMapping(s.store, mappingOf(), {
      log,
      connectorFactory: s.connectorFactory as never,
    });
    assert.deepEqual(
      rows.map((r) => [r.selected, r.payload.tag]),
      [
        [true, null],
        [true, null],
      ],
    );
  });

  test('ten records by default, read as one page of that size, with the fields and paths the mapping reads', async () => {
    const s = setup(people(25), 100);
    const rows = await previewMapping(s.store, mappingOf(), {
      log,
      connectorFactory: s.connectorFactory as never,
    });
    assert.equal(rows.length, 10);
    assert.deepEqual(
      { ...s.reads[0], fields: s.reads[0]?.fields, paths: s.reads[0]?.paths },
      { keyField: 'id', pageSize: 10, fields: ['id', 'email'], paths: ['email'] },
    );
  });

  test('the limit is honoured across pages and capped at 200', async () => {
    const s = setup(people(7), 2);
    const rows = await previewMapping(s.store, mappingOf(), {
      log,
      limit: 5,
      connectorFactory: s.connectorFactory as never,
    });
    assert.deepEqual(
      rows.map((r) => r.sourceKey),
      ['1', '2', '3', '4', '5'],
    );
    const big = setup(people(1));
    await previewMapping(big.store, mappingOf(), {
      log,
      limit: 5000,
      connectorFactory: big.connectorFactory as never,
    });
    assert.equal(big.reads[0]?.pageSize, 200);
  });

  test('a source with fewer records than the limit gives them all; the connectors are closed and their signal aborted', async () => {
    const s = setup(people(3), 2);
    const rows = await previewMapping(s.store, mappingOf(), {
      log,
      limit: 50,
      connectorFactory: s.connectorFactory as never,
    });
    assert.equal(rows.length, 3);
    assert.equal(s.closed(), 2, 'source and target connector');
    assert.equal(s.signal()?.aborted, true);
  });
});
