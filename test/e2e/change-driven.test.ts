import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import type { RunConfig } from '../../src/runs/run-config.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import { startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempPostgres, createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { spineConfig } from '../helpers/spine-config.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-change-test';
const log = pino({ level: 'silent' });

/** A hub as `junction start` runs it: the run service and the embedded scheduler with its change watch. */
async function startHub(store: Store, config: Partial<RunConfig>) {
  const service = await createRunService({ store, log, config: { tickMs: 100, ...config } });
  const scheduler = startEmbeddedScheduler({ service, log });
  return {
    service,
    async stop() {
      await scheduler.stop();
      await service.stop();
    },
  };
}

const CASES = [
  // SQLite cannot notify: the watch asks for a row after the watermark every poll.
  { name: 'SQLite (polled)', create: createTempSqlite, notify: false },
  // PostgreSQL with Junction's triggers notifies; the poll is slowed down so only a notification can be in time.
  { name: 'PostgreSQL (notified)', create: () => createTempPostgres(), notify: true },
] as const;

for (const c of CASES) {
  describe(`change-driven task, ${c.name} → HubSpot`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    let hub: Awaited<ReturnType<typeof startHub>> | undefined;
    const pollMs = c.notify ? 60_000 : 250;
    let nextId = 1000;
    const now = () => new Date().toISOString();
    const person = (first: string, canton = 'ZH') => ({
      id: ++nextId,
      first_name: first,
      last_name: 'Neu',
      email: `${first.toLowerCase()}.${nextId}@example.ch`,
      canton,
      status: 'active',
      modified_at: c.notify ? new Date() : now(),
    });
    const insertPerson = (first: string, canton?: string) =>
      withBusinessDb(business, (db) => db.insertInto('people').values(person(first, canton)).execute());
    const contactOf = (first: string) =>
      hs.state.all('contacts').find((x) => x.properties.firstname === first);
    const runs = async () => (await store.executions.list({ taskId: 'people-sync', limit: 500 })).reverse();

    before(async () => {
      business = await c.create();
      storeDb = await createTempSqlite();
      await createPeopleTable(business, generatePeople(40));
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({ tokens: [TOKEN] });
      const hubspotUrl = await hs.listen();
      const yaml = spineConfig({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true }' });
      await applyConfig(store, parseConfigText(yaml, { TEST_HUBSPOT_TOKEN: TOKEN }));
      if (c.notify) {
        // What `junction triggers install erp people` does.
        const erp = createConnector(await store.connections.get('erp'), {
          log,
          signal: new AbortController().signal,
        });
        await erp.installChangeNotifications?.('people');
        await erp.close?.();
      }
    });
    after(async () => {
      await hub?.stop();
      await store?.close();
      await hs?.close();
      await business?.drop();
      await storeDb?.drop();
    });

    test('a task that never ran catches up at start, then stays idle while nothing changes', async () => {
      hub = await startHub(store, { changePollMs: pollMs, changeCoalesceMs: 1000 });
      const first = await eventually('the catch-up run', async () => {
        const r = (await runs()).filter((e) => e.finishedAt);
        return r.length >= 1 && r[0];
      });
      assert.equal(first?.trigger, 'change');
      assert.ok(
        first?.counts.created && first.counts.created > 0,
        'the existing people were created in HubSpot',
      );
      await sleep(1500);
      assert.equal(
        (await runs()).length,
        1,
        'nothing changed since: no further run (the poll asks, it does not run)',
      );
    });

    test('a new row arrives in HubSpot within seconds, without an interval run', async () => {
      const before = (await runs()).length;
      const t0 = Date.now();
      await insertPerson('Fresh');
      await eventually('the new person in HubSpot', () => contactOf('Fresh'), { timeoutMs: 10_000 });
      const seconds = (Date.now() - t0) / 1000;
      assert.ok(seconds < 5, `arrived after ${seconds.toFixed(1)} s`);
      const all = await runs();
      assert.ok(all.length > before);
      assert.ok(
        all.every((e) => e.trigger === 'change'),
        'every run was started by a change',
      );
    });

    test('a burst of changes is coalesced into few runs and every change arrives', async () => {
      await hub?.service.idle();
      const before = (await runs()).length;
      const names = Array.from({ length: 60 }, (_, i) => `Burst${i}`);
      const writesBefore = hs.stats.writes;
      // 60 inserts, each its own statement and transaction, about 20 a second.
      await withBusinessDb(business, async (db) => {
        for (const n of names) {
          await db.insertInto('people').values(person(n)).execute();
          await sleep(50);
        }
      });
      await eventually('the whole burst in HubSpot', () => names.every((n) => contactOf(n)), {
        timeoutMs: 15_000,
      });
      await hub?.service.idle();
      const added = (await runs()).length - before;
      const writes = hs.stats.writes - writesBefore;
      assert.ok(added >= 1 && added <= 8, `${added} runs for 60 separate inserts`);
      assert.ok(writes <= 12, `${writes} write calls for 60 changes: batched, not one call a change`);
    });

    test('a change made while the hub is down is synced when it starts again (nothing lost)', async () => {
      await hub?.service.idle();
      await hub?.stop();
      hub = undefined;
      await insertPerson('WhileDown');
      await sleep(300);
      assert.equal(contactOf('WhileDown'), undefined);
      hub = await startHub(store, { changePollMs: pollMs, changeCoalesceMs: 1000 });
      await eventually('the change made while down', () => contactOf('WhileDown'), { timeoutMs: 10_000 });
    });

    test('a change to a row the filter leaves out starts no run', async () => {
      await hub?.service.idle();
      await sleep(500);
      const before = (await runs()).length;
      await insertPerson('Outside', 'GE'); // not a synced canton
      await sleep(1500);
      assert.equal((await runs()).length, before, 'no run for a row the run would not read');
    });
  });
}

describe('change-driven task on a table whose modified column moves with every update (marks included)', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let hub: Awaited<ReturnType<typeof startHub>> | undefined;

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    // One person HubSpot refuses (no valid e-mail): the run fails it and writes its marks every time.
    const people = generatePeople(10).map((p) => (p.id === 3 ? { ...p, email: 'not-an-address' } : p));
    await createPeopleTable(business, people);
    await withBusinessDb(business, (db) =>
      sql`create trigger touch_people after update on people when new.modified_at = old.modified_at
          begin update people set modified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') where id = new.id; end`.execute(
        db,
      ),
    );
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({ tokens: [TOKEN] });
    const hubspotUrl = await hs.listen();
    const yaml = spineConfig({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true }' });
    await applyConfig(store, parseConfigText(yaml, { TEST_HUBSPOT_TOKEN: TOKEN }));
  });
  after(async () => {
    await hub?.stop();
    await store?.close();
    await hs?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('its own write-back marks do not make it run again and again: runs that change nothing back off', async () => {
    hub = await startHub(store, { changePollMs: 250, changeCoalesceMs: 300 });
    await sleep(8_000);
    await hub.service.idle();
    const runs = await store.executions.list({ taskId: 'people-sync', limit: 100 });
    assert.ok(runs.length >= 2, 'the catch-up run, and the failing record asked again once');
    // Without the back-off: a run every ~0.6 s (16 in 8 s); with it: 2.5 s, then 5 s between runs.
    assert.ok(runs.length <= 4, `${runs.length} runs in 8 s`);
    assert.ok(
      runs.slice(0, -1).every((e) => e.counts.created + e.counts.updated === 0),
      'the runs after the first wrote nothing',
    );
  });
});
