// Unit tests of associations (src/engine/associations.ts): which pairs a page asks the target to
// associate, what is kept pending until the related record is in the target, and what is never asked
// twice. Driven through an in-memory target and a store stand-in holding links, mappings and association
// rows; fast enough for `npm run mutation` to run for every mutant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from 'pino';
import type { AssociationPair, AssociationResult, Connector } from '../../src/connectors/connector.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { SyncLink } from '../../src/core/types.ts';
import { flushPendingAssociations, syncAssociations } from '../../src/engine/associations.ts';
import type { AssociationLink } from '../../src/store/repositories/associations.ts';
import type { Store } from '../../src/store/store.ts';

const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'people',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
    associations: [{ object: 'companies', from: 'org_id', mapping: 'orgs' }],
    ...extra,
  });
const orgs = MappingDefinitionSchema.parse({
  id: 'orgs',
  name: 'orgs',
  source: { connectionId: 'erp', object: 'organisations', key: 'id' },
  target: { connectionId: 'crm', object: 'companies' },
  matchKey: { target: 'domain' },
  fields: [{ target: 'domain', from: 'domain' }],
});
const orgScope = {
  sourceConnectionId: 'erp',
  sourceObject: 'organisations',
  targetConnectionId: 'crm',
  targetObject: 'companies',
};
const link = (sourceKey: string, externalId: string | null, status: SyncLink['status'] = 'ok'): SyncLink => ({
  sourceConnectionId: 'erp',
  sourceObject: 'people',
  targetConnectionId: 'crm',
  targetObject: 'contacts',
  sourceKey,
  externalId,
  lastSyncAt: null,
  lastSuccessAt: null,
  status,
  remark: null,
  payloadHash: null,
});
const orgLink = (sourceKey: string, externalId: string, status: SyncLink['status'] = 'ok'): SyncLink => ({
  ...link(sourceKey, externalId, status),
  ...orgScope,
});
const person = (key: string, org_id: unknown) => ({ key, data: { id: key, org_id } });
const row = (extra: Partial<AssociationLink>): AssociationLink => ({
  mappingId: 'people',
  toObject: 'companies',
  sourceKey: '1',
  relatedKey: 'o1',
  fromId: 'c1',
  toId: 'k1',
  status: 'ok',
  remark: null,
  ...extra,
});

function setup(
  o: {
    mapping?: ReturnType<typeof mappingOf>;
    orgLinks?: SyncLink[];
    known?: AssociationLink[];
    answer?: (pairs: AssociationPair[]) => AssociationResult[];
    canAssociate?: boolean;
  } = {},
) {
  const asked: { from: string; to: string; pairs: AssociationPair[] }[] = [];
  const saved: AssociationLink[] = [];
  const linkQueries: { scope: unknown; keys: string[] }[] = [];
  const warnings: unknown[] = [];
  const touched: string[] = [];
  const target = {
    system: 'hubspot',
    limits: { batchSize: 100 },
    ...(o.canAssociate === false
      ? {}
      : {
          async associate(from: string, to: string, pairs: AssociationPair[]) {
            asked.push({ from, to, pairs });
            return (o.answer ?? ((p) => p.map((x) => ({ ...x, ok: true as const }))))(pairs);
          },
        }),
  } as unknown as Connector;
  const orgLinks = new Map((o.orgLinks ?? []).map((l) => [l.sourceKey, l]));
  const store = {
    mappings: {
      async get(id: string) {
        touched.push('mappings.get');
        assert.equal(id, 'orgs');
        return orgs;
      },
    },
    syncLinks: {
      async getMany(scope: unknown, keys: string[]) {
        linkQueries.push({ scope, keys });
        return new Map(keys.flatMap((k) => (orgLinks.has(k) ? [[k, orgLinks.get(k) as SyncLink]] : [])));
      },
    },
    associations: {
      async getMany(mappingId: string, keys: string[]) {
        touched.push('associations.getMany');
        return (o.known ?? []).filter((k) => k.mappingId === mappingId && keys.includes(k.sourceKey));
      },
      async pending(mappingId: string) {
        touched.push('associations.pending');
        return (o.known ?? []).filter((k) => k.mappingId === mappingId && k.status === 'pending');
      },
      async upsert(rows: AssociationLink[]) {
        saved.push(...rows);
      },
    },
  } as unknown as Store;
  const ctx = {
    mapping: o.mapping ?? mappingOf(),
    target,
    store,
    log: { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger,
  };
  return { ctx, asked, saved, linkQueries, warnings, touched };
}

describe('syncAssociations: the pairs a page associates', () => {
  test('a record in the target is associated with the target record of its related source record', async () => {
    const s = setup({ orgLinks: [orgLink('o1', 'k1')] });
    await syncAssociations(s.ctx, [person('1', 'o1')], [link('1', 'c1')]);
    assert.deepEqual(s.asked, [{ from: 'contacts', to: 'companies', pairs: [{ fromId: 'c1', toId: 'k1' }] }]);
    assert.deepEqual(s.saved, [row({})]);
    assert.deepEqual(s.linkQueries, [{ scope: orgScope, keys: ['o1'] }]);
    assert.deepEqual(s.warnings, []);
  });

  test('the related links are asked for once per related key', async () => {
    const s = setup({ orgLinks: [orgLink('o1', 'k1')] });
    await syncAssociations(s.ctx, [person('1', 'o1'), person('2', 'o1')], [link('1', 'c1'), link('2', 'c2')]);
    assert.deepEqual(s.linkQueries, [{ scope: orgScope, keys: ['o1'] }]);
    assert.deepEqual(s.asked[0]?.pairs, [
      { fromId: 'c1', toId: 'k1' },
      { fromId: 'c2', toId: 'k1' },
    ]);
  });

  test('a related record not in the target yet is kept pending and not asked for', async () => {
    const s = setup({ orgLinks: [orgLink('o2', 'k2', 'failed')] });
    await syncAssociations(s.ctx, [person('1', 'o1'), person('2', 'o2')], [link('1', 'c1'), link('2', 'c2')]);
    assert.deepEqual(s.asked, []);
    assert.deepEqual(s.warnings, [], 'nothing was refused');
    const pending = {
      toId: null,
      status: 'pending' as const,
      remark: 'the related record is not in the target yet',
    };
    assert.deepEqual(s.saved, [
      row({ ...pending }),
      row({ ...pending, sourceKey: '2', relatedKey: 'o2', fromId: 'c2' }),
    ]);
  });

  test('records not in the target, or without a related key, are not associated', async () => {
    const s = setup({ orgLinks: [orgLink('o1', 'k1')] });
    await syncAssociations(
      s.ctx,
      [person('1', 'o1'), person('2', 'o1'), person('3', ''), person('4', null), person('5', undefined)],
      [link('1', 'c1', 'failed'), link('2', null), link('3', 'c3'), link('4', 'c4'), link('5', 'c5')],
    );
    assert.deepEqual(s.asked, []);
    assert.deepEqual(s.saved, []);
  });

  test('a related key that is a number or a date is matched as text', async () => {
    const when = new Date('2026-03-01T00:00:00Z');
    const s = setup({ orgLinks: [orgLink('17', 'k17'), orgLink(when.toISOString(), 'kd')] });
    await syncAssociations(s.ctx, [person('1', 17), person('2', when)], [link('1', 'c1'), link('2', 'c2')]);
    assert.deepEqual(s.asked[0]?.pairs, [
      { fromId: 'c1', toId: 'k17' },
      { fromId: 'c2', toId: 'kd' },
    ]);
  });

  test('an association done before with the same pair costs no call', async () => {
    const s = setup({ orgLinks: [orgLink('o1', 'k1')], known: [row({})] });
    await syncAssociations(s.ctx, [person('1', 'o1')], [link('1', 'c1')]);
    assert.deepEqual(s.asked, []);
    assert.deepEqual(s.saved, []);
  });

  test('a failed association with the same pair is not asked again by the page', async () => {
    const s = setup({ orgLinks: [orgLink('o1', 'k1')], known: [row({ status: 'failed' })] });
    await syncAssociations(s.ctx, [person('1', 'o1')], [link('1', 'c1')]);
    assert.deepEqual(s.asked, []);
  });

  test('a pending association, a changed related key, a new target id or another object is asked again', async () => {
    const s = setup({
      orgLinks: [orgLink('o1', 'k1'), orgLink('o9', 'k9')],
      known: [
        row({ sourceKey: '1', status: 'pending' }),
        row({ sourceKey: '2', relatedKey: 'o1' }),
        row({ sourceKey: '3', fromId: 'old' }),
        row({ sourceKey: '4', toObject: 'deals' }),
        row({ sourceKey: '5', mappingId: 'another mapping' }),
      ],
    });
    await syncAssociations(
      s.ctx,
      [person('1', 'o1'), person('2', 'o9'), person('3', 'o1'), person('4', 'o1'), person('5', 'o1')],
      [link('1', 'c1'), link('2', 'c1'), link('3', 'c1'), link('4', 'c1'), link('5', 'c1')],
    );
    assert.deepEqual(
      s.saved.map((r) => [r.sourceKey, r.relatedKey, r.status]),
      [
        ['1', 'o1', 'ok'],
        ['2', 'o9', 'ok'],
        ['3', 'o1', 'ok'],
        ['4', 'o1', 'ok'],
        ['5', 'o1', 'ok'],
      ],
    );
  });

  test('a refused association is failed for good or pending when retryable, with the reason, and warned about', async () => {
    const s = setup({
      orgLinks: [orgLink('o1', 'k1'), orgLink('o2', 'k2'), orgLink('o3', 'k3'), orgLink('o4', 'k4')],
      answer: (pairs) =>
        pairs.flatMap((p): AssociationResult[] =>
          p.toId === 'k1'
            ? [{ ...p, ok: false, code: 'invalid', message: 'no such company', retryable: false }]
            : p.toId === 'k2'
              ? [{ ...p, ok: false, code: 'rate_limited', message: 'later', retryable: true }]
              : p.toId === 'k4'
                ? [{ ...p, ok: true }]
                : [],
        ),
    });
    await syncAssociations(
      s.ctx,
      [person('1', 'o1'), person('2', 'o2'), person('3', 'o3'), person('4', 'o4')],
      [link('1', 'c1'), link('2', 'c2'), link('3', 'c3'), link('4', 'c4')],
    );
    assert.deepEqual(
      s.saved.map((r) => [r.sourceKey, r.status, r.remark]),
      [
        ['1', 'failed', 'invalid: no such company'],
        ['2', 'pending', 'rate_limited: later'],
        // No answer for the pair: tried again later.
        ['3', 'pending', null],
        ['4', 'ok', null],
      ],
    );
    assert.deepEqual(s.warnings, [
      [{ mappingId: 'people', object: 'companies', failed: 2 }, 'some associations failed'],
    ]);
  });

  test('a page with no records, a mapping without associations or a target that cannot associate costs nothing', async () => {
    for (const s of [
      setup({ mapping: mappingOf({ associations: [] }) }),
      setup({ mapping: mappingOf({ associations: undefined }) }),
      setup({ canAssociate: false }),
    ]) {
      await syncAssociations(s.ctx, [person('1', 'o1')], [link('1', 'c1')]);
      assert.deepEqual([s.touched, s.saved], [[], []]);
    }
    const empty = setup();
    await syncAssociations(empty.ctx, [], [link('1', 'c1')]);
    assert.deepEqual(empty.touched, []);
  });

  test('each association setting of a mapping is synced for its own object', async () => {
    const s = setup({
      mapping: mappingOf({
        associations: [
          { object: 'companies', from: 'org_id', mapping: 'orgs' },
          { object: 'schools', from: 'school_id', mapping: 'orgs' },
        ],
      }),
      orgLinks: [orgLink('o1', 'k1'), orgLink('s1', 'ks')],
    });
    await syncAssociations(s.ctx, [{ key: '1', data: { org_id: 'o1', school_id: 's1' } }], [link('1', 'c1')]);
    assert.deepEqual(
      s.asked.map((a) => [a.to, a.pairs]),
      [
        ['companies', [{ fromId: 'c1', toId: 'k1' }]],
        ['schools', [{ fromId: 'c1', toId: 'ks' }]],
      ],
    );
  });
});

describe('flushPendingAssociations: pending pairs tried again', () => {
  test('pending rows of each setting are associated once their related record is in the target', async () => {
    const s = setup({
      orgLinks: [orgLink('o1', 'k1')],
      known: [
        row({ sourceKey: '1', status: 'pending', toId: null }),
        row({ sourceKey: '2', status: 'pending', relatedKey: 'o2', toId: null }),
        row({ sourceKey: '3', status: 'pending', toObject: 'deals' }),
        row({ sourceKey: '4', status: 'ok' }),
      ],
    });
    await flushPendingAssociations(s.ctx);
    assert.deepEqual(s.asked, [{ from: 'contacts', to: 'companies', pairs: [{ fromId: 'c1', toId: 'k1' }] }]);
    assert.deepEqual(
      s.saved.map((r) => [r.sourceKey, r.status]),
      [
        ['2', 'pending'],
        ['1', 'ok'],
      ],
    );
  });

  test('nothing is pending: no call and nothing saved', async () => {
    const s = setup({ known: [row({})] });
    await flushPendingAssociations(s.ctx);
    assert.deepEqual([s.asked, s.saved, s.linkQueries], [[], [], []]);
  });

  test('a mapping without associations asks the store nothing', async () => {
    const s = setup({ mapping: mappingOf({ associations: undefined }), known: [row({ status: 'pending' })] });
    await flushPendingAssociations(s.ctx);
    assert.deepEqual([s.saved, s.touched], [[], []]);
  });

  test('a target that cannot associate is not asked', async () => {
    const s = setup({ canAssociate: false, known: [row({ status: 'pending' })] });
    await flushPendingAssociations(s.ctx);
    assert.deepEqual([s.saved, s.touched], [[], []]);
  });
});
