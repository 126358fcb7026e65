import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { TaskSchema } from '../../src/core/task.ts';
import { ZERO_COUNTS } from '../../src/core/types.ts';
import type { LinkScope } from '../../src/store/repositories/sync-links.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * The workspace view of the store (`store.inWorkspace(id)`) below the API: the link and run-item methods the
 * engine calls with ids it already checked are scoped too, so a route that one day calls them with ids from
 * a request cannot read or change another workspace's links and run history.
 */
for (const dialect of DIALECTS) {
  describe(`a workspace's view of links and run items (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    let skip: string | undefined;
    const scope: LinkScope = {
      sourceConnectionId: 'a-erp',
      sourceObject: 'people',
      targetConnectionId: 'a-crm',
      targetObject: 'contacts',
    };
    let itemIds: number[] = [];

    before(async () => {
      try {
        db = await dialect.create();
      } catch (err) {
        skip = `${dialect.name} not reachable: ${(err as Error).message}`;
        return;
      }
      store = await openTestStore(db);
      for (const id of ['a', 'b']) await store.workspaces.save({ id, name: id });
      const a = store.inWorkspace('a');
      for (const [id, system] of [
        ['a-erp', 'sql'],
        ['a-crm', 'hubspot'],
      ] as const)
        await a.connections.save({ id, name: id, system, config: {}, secret: {} });
      await a.mappings.save(
        MappingDefinitionSchema.parse({
          id: 'a-people',
          name: 'People',
          source: { connectionId: 'a-erp', object: 'people', key: 'id' },
          target: { connectionId: 'a-crm', object: 'contacts' },
          matchKey: { target: 'email' },
          fields: [{ target: 'email', from: 'email' }],
        }),
      );
      await a.tasks.save(TaskSchema.parse({ id: 'a-sync', name: 'Sync', mappingId: 'a-people' }));
      const { execution } = await a.executions.begin({
        taskId: 'a-sync',
        trigger: 'manual',
        owner: 'test:1',
        staleAfterMs: 60_000,
      });
      await a.executions.commitPage({
        executionId: execution.id,
        taskId: 'a-sync',
        counts: ZERO_COUNTS,
        items: [
          {
            sourceKey: '1',
            targetId: 't-1',
            action: 'fail',
            code: 'rate_limited',
            message: 'later',
            payload: { email: 'anna@example.ch' },
          },
        ],
        links: [
          {
            ...scope,
            sourceKey: '1',
            externalId: 't-1',
            lastSyncAt: new Date('2025-01-01T00:00:00Z'),
            lastSuccessAt: null,
            status: 'retry',
            remark: 'later',
            payloadHash: null,
          },
        ],
        position: null,
        page: 1,
      });
      itemIds = (await store.executions.itemsNaming({ sourceKeys: ['1'], targetIds: [] })).map((i) => i.id);
      assert.equal(itemIds.length, 1);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    test("another workspace's view counts, lists and retries none of a workspace's links", async (t) => {
      if (skip) return t.skip(skip);
      const [a, b] = [store.inWorkspace('a'), store.inWorkspace('b')];
      // The owner's view sees them: the comparison means something.
      assert.equal(await a.syncLinks.count(scope), 1);
      assert.equal((await a.syncLinks.live(scope)).length, 1);
      assert.deepEqual(await a.syncLinks.retryKeys(scope), ['1']);
      assert.equal(await b.syncLinks.count(scope), 0);
      assert.equal(await b.syncLinks.count(scope, 'retry'), 0);
      assert.deepEqual(await b.syncLinks.live(scope), []);
      assert.deepEqual(await b.syncLinks.retryKeys(scope), []);
    });

    test("another workspace's view purges none of a workspace's run items", async (t) => {
      if (skip) return t.skip(skip);
      assert.equal(await store.inWorkspace('b').executions.purgeItems(itemIds), 0);
      const [item] = await store.executions.itemsNaming({ sourceKeys: ['1'], targetIds: [] });
      assert.deepEqual(item?.payload, { email: 'anna@example.ch' });
      assert.equal(item?.message, 'later');
    });
  });
}
