// A run whose lease another process takes over must stop before it writes anything more; the process that
// took over resumes from the last committed page and finishes the work: no duplicates, no lost marks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createConnector } from '../../src/connectors/registry.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Execution } from '../../src/core/types.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { memoryTarget } from '../mapping/harness.ts';

const log = pino({ level: 'silent' });
const PEOPLE = 200;

for (const dialect of DIALECTS) {
  describe(`lease fencing (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;

    before(async () => {
      business = await dialect.create();
      await createPeopleTable(business, generatePeople(PEOPLE));
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      await store.connections.save({
        id: 'erp',
        name: 'ERP',
        system: 'sql',
        config: { url: business.url, pageSize: 25 },
        secret: {},
      });
      await store.connections.save({ id: 'crm', name: 'CRM', system: 'abacus', config: {}, secret: {} });
      await store.mappings.save(
        MappingDefinitionSchema.parse({
          id: 'people',
          name: 'People',
          source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
          target: { connectionId: 'crm', object: 'contacts' },
          matchKey: { target: 'email' },
          fields: [
            { target: 'email', from: 'email', transform: [{ type: 'email' }] },
            { target: 'name', from: 'last_name' },
          ],
          writeBack: { externalId: 'hubspot_id', lastSuccess: 'sync_last_success', status: 'sync_status' },
        }),
      );
      await store.tasks.save({
        id: 'people',
        name: 'People',
        mappingId: 'people',
        schedule: null,
        enabled: true,
        mode: 'full',
        notify: { on: [], to: [] },
        params: {},
      });
    });
    after(async () => {
      await store?.close();
      await storeDb?.drop();
      await business?.drop();
    });

    test('a run taken over after its second page writes nothing more; the resumed run finishes without duplicates or lost marks', async () => {
      const crm = memoryTarget();
      const factory = (
        c: Parameters<typeof createConnector>[0],
        rt: Parameters<typeof createConnector>[1],
      ) => (c.system === 'sql' ? createConnector(c, rt) : crm.target);
      let pages = 0;
      let writesAtTakeover = -1;
      let takeover: Execution | null = null;
      const first = await runTask('people', {
        store,
        log,
        owner: 'host-a:1',
        connectorFactory: factory,
        hooks: {
          afterCommit: async () => {
            if (++pages !== 2) return;
            // Another process decides this one is gone (its heartbeat lapsed) and takes the task over: it
            // closes this execution as crashed and begins its own. This run goes on reading its next page.
            takeover = (
              await store.executions.begin({
                taskId: 'people',
                trigger: 'schedule',
                owner: 'host-b:2',
                staleAfterMs: 120_000,
                ownerIsGone: (owner) => owner === 'host-a:1',
              })
            ).execution;
            writesAtTakeover = crm.writes.length;
          },
        },
      });
      assert.ok(takeover, 'the takeover happened');
      assert.equal(crm.writes.length, writesAtTakeover, 'no write to the target after the takeover');
      assert.equal(first.status, 'failed', 'the first run stays as the process that took over closed it');
      assert.equal(first.error?.code, 'crashed');
      const firstItems = await store.executions.items(first.id, { limit: 1000 });
      assert.equal(firstItems.length, 50, 'the first run recorded its two committed pages and nothing more');

      // The process that took over dies too; the next run resumes from the first run's last page.
      const resumed = await runTask('people', {
        store,
        log,
        owner: 'host-c:3',
        ownerIsGone: (owner) => owner === 'host-b:2',
        connectorFactory: factory,
      });
      assert.equal(resumed.status, 'succeeded');
      assert.equal(resumed.resumedFrom, (takeover as Execution | null)?.id);
      assert.equal(crm.records.size, PEOPLE);
      const emails = [...crm.records.values()].map((r) => r.email);
      assert.equal(new Set(emails).size, PEOPLE, 'no duplicates');
      const rows = await withBusinessDb(business, (db) =>
        db.selectFrom('people').select(['id', 'hubspot_id', 'sync_status']).execute(),
      );
      assert.equal(
        rows.filter((r) => r.hubspot_id && r.sync_status === 'ok').length,
        PEOPLE,
        'no lost marks',
      );
      const resumedItems = await store.executions.items(resumed.id, { limit: 1000 });
      assert.equal(firstItems.length + resumedItems.length, PEOPLE, 'every record recorded once');
    });

    test('a run stops when its lease cannot be renewed, and says so in its log', async () => {
      const lines: string[] = [];
      const heard = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
      const crm = memoryTarget();
      // A target of its own, so the people are new there again.
      await store.connections.save({ id: 'crm2', name: 'CRM 2', system: 'abacus', config: {}, secret: {} });
      const mapping = await store.mappings.get('people');
      await store.mappings.save({
        ...mapping,
        id: 'people2',
        target: { ...mapping.target, connectionId: 'crm2' },
      });
      await store.tasks.save({ ...(await store.tasks.get('people')), id: 'people2', mappingId: 'people2' });
      let pages = 0;
      const e = await runTask('people2', {
        store,
        log: heard,
        owner: 'host-c:3',
        connectorFactory: (c, rt) => (c.system === 'sql' ? createConnector(c, rt) : crm.target),
        hooks: {
          afterCommit: async () => {
            if (++pages !== 1) return;
            // Closed behind its back, as `closeStale` on another process does when it finds the owner gone.
            await store.executions.closeStale({ staleAfterMs: 0, ownerIsGone: (o) => o === 'host-c:3' });
          },
        },
      });
      assert.equal(e.status, 'failed');
      assert.equal(e.error?.code, 'crashed');
      assert.ok(
        lines.some((l) => /taken over by another process/.test(l) && /lease_lost/.test(l)),
        'the run logged that it lost its lease',
      );
      assert.equal((await store.executions.items(e.id, { limit: 1000 })).length, 25, 'one page recorded');
    });
  });
}
