// Unit tests of source deletions (src/engine/source-deletions.ts): which linked records a full run finds
// gone from the source, what it deletes or archives in the target, and when the mass-deletion guard holds
// it back. Driven through an in-memory target and source and a store stand-in holding the live links.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from 'pino';
import type { Connector, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import { AuthenticationError, CancelledError } from '../../src/core/errors.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { ExecutionCounts, SyncLink, Task } from '../../src/core/types.ts';
import type { PageOutcome, ProcessContext } from '../../src/engine/process-records.ts';
import { deletionLimit, propagateSourceDeletions } from '../../src/engine/source-deletions.ts';
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
    deletes: 'propagate',
    ...extra,
  });
const task: Task = {
  id: 'people',
  name: 'People',
  mappingId: 'people',
  schedule: null,
  enabled: true,
  mode: 'full',
  notify: { on: [], to: [] },
  params: {},
};
const linkOf = (key: string, externalId = `t-${key}`): SyncLink => ({
  ...scope,
  sourceKey: key,
  externalId,
  lastSyncAt: null,
  lastSuccessAt: null,
  status: 'ok',
  remark: null,
  payloadHash: 'h',
});
const keys = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

function setup(
  o: {
    mapping?: ReturnType<typeof mappingOf>;
    live?: SyncLink[];
    /** Keys the source still has when asked one by one; absent: the source cannot be asked. */
    stillInSource?: string[];
    answer?: (ops: WriteOp[]) => WriteResult[];
    batchSize?: number;
    ctx?: Partial<ProcessContext>;
  } = {},
) {
  const writes: { object: string; ops: WriteOp[] }[] = [];
  const asked: string[][] = [];
  const commits: PageOutcome[] = [];
  const warnings: unknown[] = [];
  const fenced: number[] = [];
  const counts: ExecutionCounts = {
    read: 0,
    filtered: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    failed: 0,
  };
  const target = {
    system: 'hubspot',
    limits: { batchSize: o.batchSize ?? 100 },
    async write(object: string, ops: WriteOp[]) {
      writes.push({ object, ops });
      return (
        o.answer ?? ((x) => x.map((op) => ({ ref: op.ref, ok: true, externalId: 'x', created: false })))
      )(ops);
    },
  } as unknown as Connector;
  const source = {
    system: 'sql',
    limits: { batchSize: 100 },
    ...(o.stillInSource
      ? {
          async readByKeys(object: string, keyField: string, wanted: string[]) {
            assert.deepEqual([object, keyField], ['people', 'id']);
            asked.push(wanted);
            return wanted
              .filter((k) => o.stillInSource?.includes(k))
              .map((k) => ({ key: k, data: { id: k } }));
          },
        }
      : {}),
  } as unknown as Connector;
  const store = {
    syncLinks: {
      async live(s: unknown) {
        assert.deepEqual(s, scope);
        return o.live ?? [];
      },
    },
  } as unknown as Store;
  const ctx: ProcessContext = {
    mapping: o.mapping ?? mappingOf(),
    source,
    target,
    filter: null,
    map: () => ({ ok: true, payload: {} }),
    store,
    executionId: 'run-1',
    counts,
    log: { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger,
    scope,
    hooks: {},
    fence: async () => {
      fenced.push(writes.length);
    },
    ...o.ctx,
  };
  const run = (p: { seen: string[]; readUnfiltered?: boolean; confirmed?: boolean; task?: Task }) =>
    propagateSourceDeletions(ctx, {
      task: p.task ?? task,
      seen: new Set(p.seen),
      readUnfiltered: p.readUnfiltered ?? true,
      confirmed: p.confirmed ?? false,
      commit: async (outcome) => {
        commits.push(outcome);
      },
    });
  return { ctx, run, writes, asked, commits, warnings, counts, fenced };
}

describe('deletionLimit: how many deletions a run may make unconfirmed', () => {
  test('10 % of the linked records, but at least 20, by default', () => {
    assert.equal(deletionLimit({}, 100), 20);
    assert.equal(deletionLimit({}, 1000), 100);
    assert.equal(deletionLimit({}, 1009), 100);
  });
  test("the task's own guard replaces the default", () => {
    assert.equal(deletionLimit({ deletionGuard: { percent: 50, atLeast: 1 } }, 10), 5);
    assert.equal(deletionLimit({ deletionGuard: { percent: 1, atLeast: 3 } }, 10), 3);
  });
});

describe('propagateSourceDeletions: carrying deletions to the target', () => {
  test('a linked record the full run did not read is deleted in the target, counted and itemised', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)) });
    const before = Date.now();
    assert.equal(await s.run({ seen: keys(9) }), null);
    assert.deepEqual(s.writes, [
      { object: 'contacts', ops: [{ kind: 'delete', ref: '10', externalId: 't-10' }] },
    ]);
    assert.equal(s.counts.deleted, 1);
    assert.deepEqual(s.fenced, [0], 'the lease is checked before the delete');
    const [outcome] = s.commits;
    assert.deepEqual(outcome?.items, [
      {
        sourceKey: '10',
        action: 'delete',
        targetId: 't-10',
        code: null,
        message: 'the source record was deleted; deleted in the target',
        payload: { externalId: 't-10', delete: true },
      },
    ]);
    const link = outcome?.links[0] as SyncLink;
    assert.equal(link.status, 'removed');
    assert.equal(link.payloadHash, null);
    assert.ok((link.lastSyncAt as Date).getTime() >= before);
    assert.deepEqual(link.lastSuccessAt, link.lastSyncAt);
    assert.equal(
      link.remark,
      `source record deleted; deleted in the target on ${(link.lastSyncAt as Date).toISOString()}`,
    );
  });

  test('a mapping that archives deactivates the target record instead', async () => {
    const s = setup({ mapping: mappingOf({ deletes: 'archive' }), live: keys(10).map((k) => linkOf(k)) });
    await s.run({ seen: keys(9) });
    assert.deepEqual(s.writes[0]?.ops, [{ kind: 'archive', ref: '10', externalId: 't-10' }]);
    assert.equal(s.commits[0]?.items[0]?.message, 'the source record was deleted; archived in the target');
    assert.deepEqual(s.commits[0]?.items[0]?.payload, { externalId: 't-10', archive: true });
  });

  test('a mapping that ignores deletions deletes nothing and asks nothing', async () => {
    const s = setup({ mapping: mappingOf({ deletes: 'ignore' }), live: keys(10).map((k) => linkOf(k)) });
    assert.equal(await s.run({ seen: keys(9) }), null);
    assert.deepEqual([s.writes, s.commits], [[], []]);
  });

  test('nothing gone: nothing written or committed', async () => {
    const s = setup({ live: keys(3).map((k) => linkOf(k)) });
    assert.equal(await s.run({ seen: keys(3) }), null);
    assert.deepEqual([s.writes, s.commits], [[], []]);
  });

  test('a record only filtered out is not gone: the source is asked for the unread keys', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)), stillInSource: ['9'] });
    await s.run({ seen: keys(8), readUnfiltered: false });
    assert.deepEqual(s.asked, [['9', '10']]);
    assert.deepEqual(
      s.writes[0]?.ops.map((op) => op.ref),
      ['10'],
    );
  });

  test('the source is asked in slices of 500 keys, none of them empty', async () => {
    const s = setup({ live: keys(1000).map((k) => linkOf(k)), stillInSource: keys(1000) });
    await s.run({ seen: [] });
    assert.deepEqual(
      s.asked.map((a) => a.length),
      [500, 500],
    );
  });

  test('the source is asked 500 keys at a time', async () => {
    const live = keys(1200).map((k) => linkOf(k));
    const s = setup({ live, stillInSource: keys(1200) });
    await s.run({ seen: [] });
    assert.deepEqual(
      s.asked.map((a) => a.length),
      [500, 500, 200],
    );
    assert.deepEqual(s.writes, []);
  });

  test('a filtered read from a source that cannot be asked deletes nothing and warns', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)) });
    assert.equal(await s.run({ seen: keys(9), readUnfiltered: false }), null);
    assert.deepEqual(s.writes, []);
    assert.deepEqual(s.warnings, [
      [
        { mapping: 'people' },
        'deletions are not carried over: the source was read through a filter and cannot be asked for single records',
      ],
    ]);
  });

  test('a filtered read that left no linked record unread has nothing to warn about', async () => {
    const s = setup({ live: keys(3).map((k) => linkOf(k)) });
    assert.equal(await s.run({ seen: keys(3), readUnfiltered: false }), null);
    assert.deepEqual(s.warnings, []);
  });

  test('a run without a lease to check still deletes', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)), ctx: { fence: undefined } });
    await s.run({ seen: keys(9) });
    assert.equal(s.counts.deleted, 1);
  });

  test('a target record another source record still uses stays: only the gone record is unlinked', async () => {
    const s = setup({ live: [...keys(9).map((k) => linkOf(k)), linkOf('10', 't-1')] });
    await s.run({ seen: keys(9) });
    assert.deepEqual(s.writes, []);
    assert.equal(s.counts.deleted, 0);
    const [outcome] = s.commits;
    assert.deepEqual(outcome?.items, []);
    assert.deepEqual(
      outcome?.links.map((l) => [l.sourceKey, l.externalId, l.status, l.payloadHash, l.remark]),
      [
        [
          '10',
          't-1',
          'removed',
          null,
          'source record deleted; its target record stays, another source record still uses it',
        ],
      ],
    );
  });

  test('deletions go out in batches of the target limit, each committed on its own', async () => {
    const s = setup({ live: keys(100).map((k) => linkOf(k)), batchSize: 2 });
    await s.run({ seen: keys(95) });
    assert.deepEqual(
      s.writes.map((w) => w.ops.map((op) => op.ref)),
      [['96', '97'], ['98', '99'], ['100']],
    );
    assert.equal(s.commits.length, 3);
    assert.equal(s.counts.deleted, 5);
  });

  test('a deletion the target refuses fails, keeps the link live and says why', async () => {
    const s = setup({
      live: keys(10).map((k) => linkOf(k)),
      answer: (ops) =>
        ops.map((op) => ({ ref: op.ref, ok: false, code: 'locked', message: 'in use', retryable: false })),
    });
    await s.run({ seen: keys(9) });
    assert.deepEqual([s.counts.deleted, s.counts.failed], [0, 1]);
    const [outcome] = s.commits;
    assert.deepEqual(outcome?.items[0], {
      sourceKey: '10',
      action: 'fail',
      targetId: 't-10',
      code: 'locked',
      message: 'in use',
      payload: { externalId: 't-10', delete: true },
    });
    assert.deepEqual(
      [outcome?.links[0]?.status, outcome?.links[0]?.remark, outcome?.links[0]?.payloadHash],
      ['ok', 'delete failed: locked: in use', 'h'],
    );
  });

  test('a deletion the target gives no answer for fails as no_result', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)), answer: () => [] });
    await s.run({ seen: keys(9) });
    assert.deepEqual(
      [s.commits[0]?.items[0]?.code, s.commits[0]?.items[0]?.message],
      ['no_result', 'the target returned no result for this record'],
    );
  });

  test('a batch whose delete throws fails its records with the error code, or delete_failed', async () => {
    const coded = setup({
      live: keys(10).map((k) => linkOf(k)),
      answer: () => {
        throw Object.assign(new Error('busy'), { code: 'remote_503' });
      },
    });
    await coded.run({ seen: keys(9) });
    assert.deepEqual(
      [coded.commits[0]?.items[0]?.code, coded.commits[0]?.items[0]?.message, coded.counts.failed],
      ['remote_503', 'busy', 1],
    );
    const plain = setup({
      live: keys(10).map((k) => linkOf(k)),
      answer: () => {
        throw new Error('socket hang up');
      },
    });
    await plain.run({ seen: keys(9) });
    assert.equal(plain.commits[0]?.items[0]?.code, 'delete_failed');
  });

  test('bad credentials and a cancellation end the run instead of failing records', async () => {
    for (const err of [new AuthenticationError('revoked', 401, false), new CancelledError('stop')]) {
      const s = setup({
        live: keys(10).map((k) => linkOf(k)),
        answer: () => {
          throw err;
        },
      });
      await assert.rejects(s.run({ seen: keys(9) }), err.constructor as new () => Error);
      assert.deepEqual(s.commits, []);
    }
  });

  test('a run cancelled during the deletes commits nothing of them', async () => {
    const abort = new AbortController();
    const s = setup({
      live: keys(10).map((k) => linkOf(k)),
      ctx: { signal: abort.signal },
      answer: (ops) => {
        abort.abort();
        return ops.map((op) => ({ ref: op.ref, ok: false, code: 'aborted', message: 'x', retryable: true }));
      },
    });
    await assert.rejects(s.run({ seen: keys(9) }), (err: Error) => {
      assert.ok(err instanceof CancelledError);
      assert.equal(err.message, 'the run was cancelled');
      assert.equal((err.cause as Error).name, 'AbortError');
      return true;
    });
    assert.deepEqual(s.commits, []);
  });

  test('a dry run plans the deletions without calling the target or fencing', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)), ctx: { dryRun: true } });
    await s.run({ seen: keys(9) });
    assert.deepEqual([s.writes, s.fenced], [[], []]);
    assert.equal(s.counts.deleted, 1);
    assert.equal(s.commits[0]?.items[0]?.action, 'delete');
  });
});

describe('propagateSourceDeletions: the mass-deletion guard', () => {
  test('more deletions than the limit are held back and reported, nothing deleted', async () => {
    const s = setup({ live: keys(100).map((k) => linkOf(k)) });
    const hit = await s.run({ seen: keys(79) });
    assert.deepEqual(s.writes, []);
    assert.deepEqual(s.commits, []);
    assert.equal(hit?.code, 'mass_deletion_guard');
    assert.deepEqual(hit?.details, { wouldDelete: 21, linked: 100, limit: 20 });
    assert.match(
      hit?.message ?? '',
      /^21 of 100 linked records are gone from the source \(more than the 20 a run deletes unconfirmed\); nothing was deleted\./,
    );
    assert.match(hit?.message ?? '', /POST \/api\/tasks\/people\/run with confirmDeletes/);
  });

  test('exactly the limit is deleted without confirmation', async () => {
    const s = setup({ live: keys(100).map((k) => linkOf(k)) });
    assert.equal(await s.run({ seen: keys(80) }), null);
    assert.equal(s.counts.deleted, 20);
  });

  test('an empty read is held back however few links there are, and says the source returned nothing', async () => {
    const s = setup({ live: keys(3).map((k) => linkOf(k)) });
    const hit = await s.run({ seen: [] });
    assert.deepEqual(s.writes, []);
    assert.match(hit?.message ?? '', /\(the source returned no records\)/);
  });

  test('an empty read is held back even when the source still has most records', async () => {
    // Nothing read, yet asked one by one the source still has 8 of 10: only 2 would go, under every limit.
    const s = setup({ live: keys(10).map((k) => linkOf(k)), stillInSource: keys(8) });
    const hit = await s.run({ seen: [] });
    assert.deepEqual(hit?.details, { wouldDelete: 2, linked: 10, limit: 20 });
    assert.deepEqual(s.writes, []);
  });

  test('every linked record gone is held back even under the limit', async () => {
    const s = setup({ live: keys(3).map((k) => linkOf(k)) });
    const hit = await s.run({ seen: ['other'] });
    assert.equal(hit?.details.wouldDelete, 3);
    assert.deepEqual(s.writes, []);
  });

  test('more than half of the linked records gone is held back, half is not', async () => {
    const over = setup({ live: keys(10).map((k) => linkOf(k)) });
    assert.notEqual(await over.run({ seen: keys(4) }), null);
    const half = setup({ live: keys(10).map((k) => linkOf(k)) });
    assert.equal(await half.run({ seen: keys(5) }), null);
    assert.equal(half.counts.deleted, 5);
  });

  test('a confirmed run deletes beyond the guard', async () => {
    const s = setup({ live: keys(10).map((k) => linkOf(k)) });
    assert.equal(await s.run({ seen: [], confirmed: true }), null);
    assert.equal(s.counts.deleted, 10);
  });

  test("the task's own guard sets the limit", async () => {
    const s = setup({ live: keys(100).map((k) => linkOf(k)) });
    const hit = await s.run({ seen: keys(95), task: { ...task, deletionGuard: { percent: 1, atLeast: 2 } } });
    assert.deepEqual(hit?.details, { wouldDelete: 5, linked: 100, limit: 2 });
  });

  test('shared target records are not counted as deletions for the guard', async () => {
    // 30 gone, but all share a target record with a record still there: nothing to delete, only unlinks.
    const live = [...keys(70).map((k) => linkOf(k)), ...keys(30).map((k) => linkOf(`g${k}`, `t-${k}`))];
    const s = setup({ live });
    assert.equal(await s.run({ seen: keys(70) }), null);
    assert.equal(s.commits[0]?.links.length, 30);
  });
});
