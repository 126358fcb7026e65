import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createHubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { spineConfig } from '../helpers/spine-config.ts';
import { openTestStore } from '../helpers/store.ts';

test('a run cancelled while writes are in flight ends as cancelled, records no failures, and the next run completes it', async () => {
  const business = await createTempSqlite();
  const storeDb = await createTempSqlite();
  const hs = createHubSpotEmulator({ tokens: ['t'], faults: { latencyMs: 300 } });
  const store = await openTestStore(storeDb);
  try {
    await createPeopleTable(business, generatePeople(1000));
    await applyConfig(
      store,
      parseConfigText(spineConfig({ businessUrl: business.url, hubspotUrl: await hs.listen() }), {
        TEST_HUBSPOT_TOKEN: 't',
      }),
    );
    const ac = new AbortController();
    const running = runTask('people-sync', { store, log: pino({ level: 'silent' }), signal: ac.signal });
    await eventually('two write calls in flight', () => hs.stats.writes >= 2, { intervalMs: 10 });
    ac.abort(new Error('the hub is shutting down'));
    const cancelled = await running;
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.counts.failed, 0, 'in-flight records are not recorded as failed');
    assert.deepEqual(await store.executions.items(cancelled.id, { action: 'fail' }), []);

    hs.setFaults({ latencyMs: 0 });
    const next = await runTask('people-sync', { store, log: pino({ level: 'silent' }) });
    assert.equal(next.status, 'succeeded');
    assert.equal(hs.state.all('contacts').length, 600);
  } finally {
    await store.close();
    await hs.close();
    await business.drop();
    await storeDb.drop();
  }
});
