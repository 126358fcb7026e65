// Unit tests of one page through the engine (src/engine/process-records.ts): what is written, counted,
// linked and marked back for each record, driven through an in-memory target and a store stand-in that
// holds only the sync links. The end-to-end suites run the same code against emulators; these are fast
// enough for `npm run mutation` to run them for every mutant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from 'pino';
import type {
  Connector,
  RecordMark,
  WriteJournal,
  WriteOp,
  WriteOptions,
  WriteResult,
} from '../../src/connectors/connector.ts';
import {
  AuthenticationError,
  CancelledError,
  DailyLimitReachedError,
  RemoteError,
} from '../../src/core/errors.ts';
import type { MapResult } from '../../src/core/mapper.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { hashPayload } from '../../src/core/payload-hash.ts';
import type { ExecutionCounts, SyncLink } from '../../src/core/types.ts';
import { type ProcessContext, processRecords } from '../../src/engine/process-records.ts';
import type { Store } from '../../src/store/store.ts';

const scope = {
  sourceConnectionId: 'erp',
  sourceObject: 'people',
  targetConnectionId: 'crm',
  targetObject: 'contacts',
};
const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'people',
    source: { connectionId: 'erp', object: 'people', key: 'id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
    ...extra,
  });
const linkOf = (sourceKey: string, extra: Partial<SyncLink> = {}): SyncLink => ({
  ...scope,
  sourceKey,
  externalId: `t-${sourceKey}`,
  lastSyncAt: new Date('2026-01-01T00:00:00Z'),
  lastSuccessAt: new Date('2026-01-01T00:00:00Z'),
  status: 'ok',
  remark: null,
  payloadHash: 'an older hash',
  ...extra,
});
const person = (key: string, email = `${key}@example.ch`) => ({ key, data: { id: key, email } });
const mapEmail = (data: Record<string, unknown>): MapResult => ({ ok: true, payload: { email: data.email } });

type Call = string;
interface Fakes {
  calls: Call[];
  writes: { object: string; ops: WriteOp[] }[];
  writeOptions: (WriteOptions | undefined)[];
  marks: { object: string; keyField: string; marks: RecordMark[] }[];
  lookups: { object: string; property: string; values: string[] }[];
  counts: ExecutionCounts;
}

/**
 * A page context around an in-memory target that creates (upserts) or updates every op it gets unless
 * `answer` says otherwise, a source that records its marks, and a store that knows only `links`.
 */
function setup(
  o: {
    mapping?: ReturnType<typeof mappingOf>;
    links?: SyncLink[];
    answer?: (ops: WriteOp[]) => WriteResult[] | Promise<WriteResult[]>;
    lookup?: Connector['lookup'];
    batchSize?: number;
    writeMarks?: boolean;
    ctx?: Partial<ProcessContext>;
  } = {},
): { ctx: ProcessContext } & Fakes {
  const f: Fakes = {
    calls: [],
    writes: [],
    writeOptions: [],
    marks: [],
    lookups: [],
    counts: { read: 0, filtered: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
  };
  const answer =
    o.answer ??
    ((ops: WriteOp[]) =>
      ops.map(
        (op): WriteResult =>
          op.kind === 'update'
            ? { ref: op.ref, ok: true, externalId: op.externalId, created: false }
            : { ref: op.ref, ok: true, externalId: `new-${op.ref}`, created: true },
      ));
  const target = {
    system: 'hubspot',
    limits: { batchSize: o.batchSize ?? 100, concurrency: 1 },
    async write(object: string, ops: WriteOp[], options?: WriteOptions) {
      f.calls.push('write');
      f.writes.push({ object, ops });
      f.writeOptions.push(options);
      return answer(ops);
    },
    ...(o.lookup
      ? {
          lookup: async (object: string, property: string, values: string[]) => {
            f.lookups.push({ object, property, values });
            return (o.lookup as NonNullable<Connector['lookup']>)(object, property, values);
          },
        }
      : {}),
  } as unknown as Connector;
  const source = {
    system: 'postgres',
    limits: { batchSize: 100 },
    ...(o.writeMarks === false
      ? {}
      : {
          async writeMarks(object: string, keyField: string, marks: RecordMark[]) {
            f.calls.push('marks');
            f.marks.push({ object, keyField, marks });
          },
        }),
  } as unknown as Connector;
  const links = new Map((o.links ?? []).map((l) => [l.sourceKey, l]));
  const store = {
    syncLinks: {
      async getMany(s: typeof scope, keys: string[]) {
        assert.deepEqual(s, scope, 'links are read in the run scope');
        return new Map(keys.flatMap((k) => (links.has(k) ? [[k, links.get(k) as SyncLink]] : [])));
      },
    },
  } as unknown as Store;
  const ctx: ProcessContext = {
    mapping: o.mapping ?? mappingOf(),
    source,
    target,
    filter: null,
    map: mapEmail,
    store,
    executionId: 'run-1',
    counts: f.counts,
    log: { warn() {}, info() {}, debug() {} } as unknown as Logger,
    scope,
    hooks: {},
    ...o.ctx,
  };
  return { ctx, ...f };
}

describe('processRecords: writes, counts and links of one page', () => {
  test('a record never synced is upserted by its match key, counted created and linked with its hash', async () => {
    const s = setup();
    const before = Date.now();
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.writes, [
      {
        object: 'contacts',
        ops: [
          {
            kind: 'upsert',
            ref: '1',
            match: { property: 'email', value: '1@example.ch' },
            properties: { email: '1@example.ch' },
          },
        ],
      },
    ]);
    assert.equal(s.counts.created, 1);
    assert.deepEqual(out.items, [
      {
        sourceKey: '1',
        action: 'create',
        targetId: 'new-1',
        code: null,
        message: null,
        payload: { email: '1@example.ch' },
      },
    ]);
    const [link] = out.links;
    assert.ok(link);
    assert.ok((link.lastSyncAt as Date).getTime() >= before);
    assert.deepEqual(link.lastSuccessAt, link.lastSyncAt);
    assert.deepEqual(
      { ...link, lastSyncAt: null, lastSuccessAt: null },
      {
        ...scope,
        sourceKey: '1',
        externalId: 'new-1',
        lastSyncAt: null,
        lastSuccessAt: null,
        status: 'ok',
        remark: null,
        payloadHash: hashPayload({ email: '1@example.ch' }),
      },
    );
  });

  test('a linked record whose payload changed is updated by its external id and counted updated', async () => {
    const s = setup({ links: [linkOf('1')] });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.writes[0]?.ops, [
      { kind: 'update', ref: '1', externalId: 't-1', properties: { email: '1@example.ch' } },
    ]);
    assert.deepEqual([s.counts.updated, s.counts.created], [1, 0]);
    assert.equal(out.items[0]?.action, 'update');
    assert.equal(out.links[0]?.externalId, 't-1');
  });

  test('a record whose payload hash equals its link is counted unchanged and costs no write', async () => {
    const payloadHash = hashPayload({ email: '1@example.ch' });
    const s = setup({ links: [linkOf('1', { payloadHash })] });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.writes, []);
    assert.equal(s.counts.unchanged, 1);
    assert.deepEqual(out, { items: [], links: [] });
  });

  test('a record its mapping refuses fails with the mapping code, keeps its target id and is never written', async () => {
    const s = setup({
      links: [linkOf('1')],
      ctx: {
        map: () => ({
          ok: false,
          payload: { email: '' },
          errors: [{ code: 'required_field_missing', message: 'email is empty' } as never],
        }),
      },
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.writes, []);
    assert.equal(s.counts.failed, 1);
    assert.deepEqual(out.items, [
      {
        sourceKey: '1',
        action: 'fail',
        targetId: 't-1',
        code: 'required_field_missing',
        message: 'email is empty',
        payload: { email: '' },
      },
    ]);
    assert.deepEqual(
      { ...out.links[0], lastSyncAt: null },
      {
        ...linkOf('1'),
        lastSyncAt: null,
        status: 'failed',
        remark: 'required_field_missing: email is empty',
        payloadHash: null,
      },
    );
  });

  test('a record the target refuses for good fails as failed, with the target code and message', async () => {
    const s = setup({
      answer: (ops) =>
        ops.map((op) => ({
          ref: op.ref,
          ok: false,
          code: 'invalid_email',
          message: 'bad',
          retryable: false,
        })),
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.equal(s.counts.failed, 1);
    assert.deepEqual(out.items[0], {
      sourceKey: '1',
      action: 'fail',
      targetId: null,
      code: 'invalid_email',
      message: 'bad',
      payload: { email: '1@example.ch' },
    });
    assert.deepEqual(
      [out.links[0]?.status, out.links[0]?.remark, out.links[0]?.payloadHash, out.links[0]?.externalId],
      ['failed', 'invalid_email: bad', null, null],
    );
    assert.equal(out.links[0]?.lastSuccessAt, null);
  });

  test('a record the target refuses retryably is left to retry, keeping its last success', async () => {
    const s = setup({
      links: [linkOf('1')],
      answer: (ops) =>
        ops.map((op) => ({
          ref: op.ref,
          ok: false,
          code: 'rate_limited',
          message: 'slow down',
          retryable: true,
        })),
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.equal(out.links[0]?.status, 'retry');
    assert.deepEqual(out.links[0]?.lastSuccessAt, new Date('2026-01-01T00:00:00Z'));
    assert.equal(out.items[0]?.targetId, 't-1');
  });

  test('a record the target gave no answer for fails as no_result and is retried', async () => {
    const s = setup({ answer: () => [] });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.equal(s.counts.failed, 1);
    assert.deepEqual(
      [out.items[0]?.code, out.items[0]?.message, out.links[0]?.status],
      ['no_result', 'the target returned no result for this record', 'retry'],
    );
  });

  test('a batch whose write throws fails each of its records retryably with the error code', async () => {
    const s = setup({
      answer: () => {
        throw new RemoteError('HubSpot answered 500', 500, true, { code: 'remote_500' });
      },
    });
    const out = await processRecords(s.ctx, [person('1'), person('2')]);
    assert.equal(s.counts.failed, 2);
    assert.deepEqual(
      out.items.map((i) => [i.sourceKey, i.code, i.message]),
      [
        ['1', 'remote_500', 'HubSpot answered 500'],
        ['2', 'remote_500', 'HubSpot answered 500'],
      ],
    );
    assert.deepEqual(
      out.links.map((l) => l.status),
      ['retry', 'retry'],
    );
  });

  test('an error without a code fails its batch as write_failed', async () => {
    const s = setup({
      answer: () => {
        throw new Error('socket hang up');
      },
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual([out.items[0]?.code, out.items[0]?.message], ['write_failed', 'socket hang up']);
  });

  test('bad credentials end the page instead of failing its records', async () => {
    const s = setup({
      answer: () => {
        throw new AuthenticationError('token revoked', 401, false);
      },
    });
    await assert.rejects(processRecords(s.ctx, [person('1')]), AuthenticationError);
    assert.equal(s.counts.failed, 0);
  });

  test('a cancellation thrown by the write ends the page as cancelled', async () => {
    const s = setup({
      answer: () => {
        throw new CancelledError('stopped');
      },
    });
    await assert.rejects(processRecords(s.ctx, [person('1')]), CancelledError);
  });

  test('a run cancelled during the write ends the page as cancelled, with no marks written', async () => {
    const abort = new AbortController();
    const s = setup({
      ctx: { signal: abort.signal, mapping: mappingOf({ writeBack: { status: 'sync_status' } }) },
      answer: (ops) => {
        abort.abort();
        // A connector turns the abort into per-record failures; the page must not record them.
        return ops.map((op) => ({ ref: op.ref, ok: false, code: 'aborted', message: 'x', retryable: true }));
      },
    });
    await assert.rejects(processRecords(s.ctx, [person('1')]), (err: Error) => {
      assert.ok(err instanceof CancelledError);
      assert.equal(err.message, 'the run was cancelled');
      assert.equal((err.cause as Error).name, 'AbortError');
      return true;
    });
    assert.deepEqual(s.marks, []);
  });

  test("a target whose day is spent ends the page with the target's message, recording no failures", async () => {
    const s = setup({
      mapping: mappingOf({ writeBack: { status: 'sync_status' } }),
      answer: (ops) =>
        ops.map((op, i) =>
          i === 0
            ? { ref: op.ref, ok: true, externalId: 'x', created: true }
            : {
                ref: op.ref,
                ok: false,
                code: 'daily_limit_reached',
                message: '9 of 10 000 calls left today',
                retryable: true,
              },
        ),
    });
    await assert.rejects(processRecords(s.ctx, [person('1'), person('2')]), (err: Error) => {
      assert.ok(err instanceof DailyLimitReachedError);
      assert.equal(err.message, '9 of 10 000 calls left today');
      return true;
    });
    assert.deepEqual(s.marks, []);
  });

  test('other refusals do not end the page', async () => {
    const s = setup({
      answer: (ops) =>
        ops.map((op) => ({ ref: op.ref, ok: false, code: 'daily_limit', message: 'm', retryable: true })),
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.equal(out.items[0]?.code, 'daily_limit');
  });

  test("the writes carry the task's write journal", async () => {
    const journal = { get: async () => undefined, put: async () => {} } as unknown as WriteJournal;
    const s = setup({ ctx: { journal } });
    await processRecords(s.ctx, [person('1')]);
    assert.equal(s.writeOptions[0]?.journal, journal);
  });

  test('a run cancelled before the page writes nothing', async () => {
    const abort = new AbortController();
    abort.abort();
    const s = setup({ ctx: { signal: abort.signal } });
    await assert.rejects(processRecords(s.ctx, [person('1')]));
    assert.deepEqual(s.writes, []);
  });

  test('writes go out in batches of the target limit', async () => {
    const s = setup({ batchSize: 2 });
    const out = await processRecords(
      s.ctx,
      ['1', '2', '3', '4', '5'].map((k) => person(k)),
    );
    assert.deepEqual(
      s.writes.map((w) => w.ops.map((op) => op.ref)),
      [['1', '2'], ['3', '4'], ['5']],
    );
    assert.equal(s.counts.created, 5);
    assert.equal(out.links.length, 5);
  });

  test('the mapping sees the task parameters, the page time and the record link (null when never synced)', async () => {
    const seen: unknown[] = [];
    const s = setup({
      links: [linkOf('1', { externalNumber: '1001' })],
      ctx: {
        expression: { params: { region: 'ZH' } },
        map: (data, context) => {
          seen.push({ params: context?.params, link: context?.link, now: context?.now instanceof Date });
          return mapEmail(data);
        },
      },
    });
    await processRecords(s.ctx, [person('1'), person('2')]);
    assert.deepEqual(seen, [
      {
        params: { region: 'ZH' },
        now: true,
        link: {
          external_id: 't-1',
          external_number: '1001',
          last_sync: new Date('2026-01-01T00:00:00Z'),
          last_success: new Date('2026-01-01T00:00:00Z'),
          status: 'ok',
          remark: null,
        },
      },
      { params: { region: 'ZH' }, now: true, link: null },
    ]);
  });
});

describe('processRecords: marks written back onto the source', () => {
  const writeBack = {
    externalId: 'crm_id',
    lastSync: 'synced_at',
    lastSuccess: 'success_at',
    status: 'sync_status',
    remark: 'sync_remark',
  };

  test('a written record is marked with its target id, sync times, ok and no remark', async () => {
    const s = setup({ mapping: mappingOf({ writeBack }) });
    const out = await processRecords(s.ctx, [person('1')]);
    const now = out.links[0]?.lastSyncAt;
    assert.deepEqual(s.marks, [
      {
        object: 'people',
        keyField: 'id',
        marks: [
          {
            key: '1',
            values: {
              crm_id: 'new-1',
              synced_at: now,
              success_at: now,
              sync_status: 'ok',
              sync_remark: null,
            },
          },
        ],
      },
    ]);
  });

  test('a failed record is marked failed with the reason and no success time', async () => {
    const s = setup({
      mapping: mappingOf({ writeBack }),
      links: [linkOf('1')],
      answer: (ops) =>
        ops.map((op) => ({ ref: op.ref, ok: false, code: 'c', message: 'refused', retryable: false })),
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.marks[0]?.marks, [
      {
        key: '1',
        values: {
          crm_id: 't-1',
          synced_at: out.links[0]?.lastSyncAt,
          sync_status: 'failed',
          sync_remark: 'refused',
        },
      },
    ]);
  });

  test('a record its mapping refuses is marked failed with the mapping message', async () => {
    const s = setup({
      mapping: mappingOf({ writeBack: { status: 'sync_status', remark: 'sync_remark' } }),
      ctx: {
        map: () => ({ ok: false, payload: {}, errors: [{ code: 'x', message: 'no e-mail' } as never] }),
      },
    });
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.marks[0]?.marks, [
      { key: '1', values: { sync_status: 'failed', sync_remark: 'no e-mail' } },
    ]);
  });

  test('a linked record its mapping refuses keeps its target id in the marks', async () => {
    const s = setup({
      mapping: mappingOf({ writeBack: { externalId: 'crm_id', status: 'sync_status' } }),
      links: [linkOf('1')],
      ctx: {
        map: () => ({ ok: false, payload: {}, errors: [{ code: 'x', message: 'no e-mail' } as never] }),
      },
    });
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.marks[0]?.marks, [{ key: '1', values: { crm_id: 't-1', sync_status: 'failed' } }]);
  });

  test('read-back without a column to write to marks nothing', async () => {
    const s = setup({
      mapping: mappingOf({ readBack: { property: 'number' } }),
      lookup: async (_object, _property, values) =>
        values.map((id) => ({ id, value: id, properties: { number: 5 } })),
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.marks, []);
    assert.equal(out.links[0]?.externalNumber, '5');
  });

  test('a failed record that never got a target id has no id mark, and an empty mark is not written', async () => {
    const s = setup({
      mapping: mappingOf({ writeBack: { externalId: 'crm_id' } }),
      answer: (ops) =>
        ops.map((op) => ({ ref: op.ref, ok: false, code: 'c', message: 'm', retryable: false })),
    });
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.marks, []);
  });

  test('unchanged records are not marked', async () => {
    const payloadHash = hashPayload({ email: '1@example.ch' });
    const s = setup({ mapping: mappingOf({ writeBack }), links: [linkOf('1', { payloadHash })] });
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.marks, []);
  });

  test('a source that cannot take marks is not asked to', async () => {
    const s = setup({ mapping: mappingOf({ writeBack }), writeMarks: false });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.equal(out.items[0]?.action, 'create');
    assert.deepEqual(s.calls, ['write']);
  });

  test('without write-back, only the read-back value is written to its column', async () => {
    const s = setup({
      mapping: mappingOf({ readBack: { property: 'number', writeTo: 'crm_number' } }),
      lookup: async (_object, _property, values) =>
        values.map((id) => ({ id, value: id, properties: { number: `N-${id}` } })),
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.lookups, [{ object: 'contacts', property: 'id', values: ['new-1'] }]);
    assert.deepEqual(s.marks[0]?.marks, [{ key: '1', values: { crm_number: 'N-new-1' } }]);
    assert.equal(out.links[0]?.externalNumber, 'N-new-1');
  });

  test('a read-back value joins the write-back marks, and a missing one is kept off the link', async () => {
    const s = setup({
      mapping: mappingOf({
        writeBack: { status: 'sync_status' },
        readBack: { property: 'number', writeTo: 'crm_number' },
      }),
      lookup: async (_object, _property, values) =>
        values.map((id) => ({ id, value: id, properties: id === 'new-1' ? { number: 7 } : {} })),
    });
    const out = await processRecords(s.ctx, [person('1'), person('2')]);
    assert.deepEqual(s.marks[0]?.marks, [
      { key: '1', values: { crm_number: 7, sync_status: 'ok' } },
      { key: '2', values: { crm_number: null, sync_status: 'ok' } },
    ]);
    assert.equal(out.links[0]?.externalNumber, '7');
    assert.ok(!('externalNumber' in (out.links[1] as SyncLink)));
  });

  test('without write-back or read-back no marks are written', async () => {
    const s = setup();
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.calls, ['write']);
  });
});

describe('processRecords: initial matching, fencing, hooks and dry runs', () => {
  test('a record adopted by initial matching updates the found target record and says so', async () => {
    const s = setup({
      mapping: mappingOf({ initialMatching: { property: 'email' } }),
      lookup: async () => [{ id: 'existing-9', value: '1@example.ch', properties: {} }],
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.writes[0]?.ops, [
      { kind: 'update', ref: '1', externalId: 'existing-9', properties: { email: '1@example.ch' } },
    ]);
    assert.deepEqual(
      [out.items[0]?.message, out.links[0]?.externalId],
      ['adopted the existing target record found by email', 'existing-9'],
    );
  });

  test('a record initial matching found nothing for is created without an adoption message', async () => {
    const s = setup({
      mapping: mappingOf({ initialMatching: { property: 'email' } }),
      lookup: async () => [],
    });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.deepEqual([out.items[0]?.action, out.items[0]?.message], ['create', null]);
  });

  test('an update of a linked record carries no adoption message', async () => {
    const s = setup({ mapping: mappingOf({ initialMatching: { property: 'email' } }), links: [linkOf('1')] });
    const out = await processRecords(s.ctx, [person('1')]);
    assert.equal(out.items[0]?.message, null);
  });

  test('the lease is checked before the writes, before the marks and before the associations, in order with the hooks', async () => {
    const s = setup({ mapping: mappingOf({ writeBack: { status: 'sync_status' } }) });
    s.ctx.fence = async () => {
      s.calls.push('fence');
    };
    s.ctx.hooks = {
      afterWrite: () => {
        s.calls.push('afterWrite');
      },
      afterMarks: () => {
        s.calls.push('afterMarks');
      },
    };
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.calls, ['fence', 'write', 'afterWrite', 'fence', 'marks', 'afterMarks', 'fence']);
  });

  test("the page's records are associated with their related records once written", async () => {
    const s = setup({
      mapping: mappingOf({ associations: [{ object: 'companies', from: 'org', mapping: 'orgs' }] }),
    });
    const pairs: unknown[] = [];
    (s.ctx.target as { associate?: unknown }).associate = async (
      from: string,
      to: string,
      p: { fromId: string; toId: string }[],
    ) => {
      pairs.push([from, to, p]);
      return p.map((x) => ({ ...x, ok: true }));
    };
    const orgs = mappingOf({
      id: 'orgs',
      source: { connectionId: 'erp', object: 'orgs', key: 'id' },
      target: { connectionId: 'crm', object: 'companies' },
    });
    const links = s.ctx.store.syncLinks;
    s.ctx.store = {
      syncLinks: {
        getMany: async (scope: { sourceObject: string }, keys: string[]) =>
          scope.sourceObject === 'orgs'
            ? new Map([['o1', { ...linkOf('o1'), externalId: 'k1' }]])
            : links.getMany(scope as never, keys),
      },
      mappings: { get: async () => orgs },
      associations: { getMany: async () => [], upsert: async () => {} },
    } as unknown as Store;
    await processRecords(s.ctx, [{ key: '1', data: { id: '1', email: 'a@b.ch', org: 'o1' } }]);
    assert.deepEqual(pairs, [['contacts', 'companies', [{ fromId: 'new-1', toId: 'k1' }]]]);
  });

  test('a run that lost its lease writes nothing', async () => {
    const s = setup();
    s.ctx.fence = async () => {
      throw new Error('lease lost');
    };
    await assert.rejects(processRecords(s.ctx, [person('1')]), /lease lost/);
    assert.deepEqual(s.writes, []);
  });

  test('a page with nothing to write does not check the lease before writing', async () => {
    const payloadHash = hashPayload({ email: '1@example.ch' });
    const s = setup({ links: [linkOf('1', { payloadHash })] });
    s.ctx.fence = async () => {
      s.calls.push('fence');
    };
    await processRecords(s.ctx, [person('1')]);
    assert.deepEqual(s.calls, ['fence']);
  });

  test('a dry run plans the writes without calling the target, marking or fencing', async () => {
    const planned = new Map<string, string>();
    const s = setup({
      mapping: mappingOf({ writeBack: { status: 'sync_status' }, readBack: { property: 'n' } }),
      links: [linkOf('2')],
      lookup: async () => [],
      ctx: { dryRun: true, planned },
    });
    s.ctx.fence = async () => {
      s.calls.push('fence');
    };
    const out = await processRecords(s.ctx, [person('1'), person('2')]);
    assert.deepEqual(s.calls, []);
    // Only the dry run's own question (does the match value exist?), no read-back by id.
    assert.deepEqual(s.lookups, [{ object: 'contacts', property: 'email', values: ['1@example.ch'] }]);
    assert.deepEqual(
      out.items.map((i) => [i.sourceKey, i.action]),
      [
        ['1', 'create'],
        ['2', 'update'],
      ],
    );
    assert.deepEqual([s.counts.created, s.counts.updated], [1, 1]);
    assert.equal(planned.size, 1, 'the planned create is remembered for later pages');
  });
});
