import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { FAILPOINTS } from '../../src/engine/failpoints.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { account, createHub, TOKEN } from './chaos-hub.ts';
import {
  type ChaosResult,
  faultsScenario,
  formatSummary,
  killPointsScenario,
  storeFaultScenario,
} from './chaos-lib.ts';

// The short chaos suite inside `npm test`; `npm run chaos` runs the same scenarios at full size.
const results: ChaosResult[] = [];
const clean = (r: ChaosResult) => {
  results.push(r);
  assert.deepEqual(
    { lost: r.lost, duplicated: r.duplicated, stuck: r.stuck, unaccounted: r.unaccounted },
    { lost: 0, duplicated: 0, stuck: 0, unaccounted: 0 },
    `${r.scenario}: ${r.notes}${r.lostKeys.length ? `; lost e.g. ${r.lostKeys.join(', ')}` : ''}`,
  );
};

test('the accounting itself can fail: a contact removed behind Junction is lost by its key, a stray company and a create answered 409 are duplicates', async () => {
  const hub = await createHub({ people: 300, organisations: 40 });
  const store = await hub.openStore();
  try {
    for (const task of ['people', 'companies']) {
      assert.equal((await runTask(task, { store, log: pino({ level: 'silent' }) })).status, 'succeeded');
    }
    const clean = await account(hub, 'control', '');
    assert.deepEqual([clean.records, clean.lost, clean.duplicated, clean.unaccounted], [340, 0, 0, 0]);

    const victim = hub.hs.state.all('contacts').find((c) => c.properties.email === 'person.17@example.ch');
    assert.ok(victim);
    hub.hs.state.store('contacts').archive(victim.id);
    hub.hs.state.insert('companies', { name: 'Stray AG', erp_org_id: '9999' });
    const replay = await fetch(`${hub.hubspotUrl}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: 'person.18@example.ch' } }),
    });
    assert.equal(replay.status, 409);
    const broken = await account(hub, 'control', '');
    assert.deepEqual(
      {
        lost: broken.lost,
        lostKeys: broken.lostKeys,
        duplicated: broken.duplicated,
        unaccounted: broken.unaccounted,
      },
      // Person 17 is linked as synced but not in HubSpot; the stray company and the conflict are duplicates.
      { lost: 1, lostKeys: ['people:17'], duplicated: 2, unaccounted: 1 },
    );
  } finally {
    await store.close();
    await hub.close();
  }
});

test('runs of people → contacts and organisations → companies killed with SIGKILL after read, write, marks and commit of several pages lose and duplicate nothing', async () => {
  const r = await killPointsScenario({ people: 3000, organisations: 800, kills: 6, seed: 11 });
  const { planned, killed } = r.kills;
  assert.equal(killed.length, planned.length, `every planned kill landed: ${r.notes}`);
  assert.deepEqual(new Set(killed.map((k) => k.point)), new Set(FAILPOINTS), 'kills at all four points');
  assert.deepEqual(new Set(killed.map((k) => k.task)), new Set(['people', 'companies']), 'both tasks killed');
  assert.ok(new Set(killed.map((k) => k.page)).size >= 2, `kills on several pages: ${r.notes}`);
  clean(r);
});

test('5xx, timeouts, 429 storms and partial failures leave every record synced or failed with a reason; a second run fixes the retryable ones', async () => {
  const [first, second] = await faultsScenario({ records: 2000 });
  clean(first as ChaosResult);
  clean(second as ChaosResult);
  assert.ok((second as ChaosResult).refused > 0, 'some e-mails were refused on purpose');
});

test('a run survives its store connections being cut (as in a PostgreSQL restart)', async () => {
  clean(await storeFaultScenario({ records: 3000 }));
  console.log(formatSummary(results));
});
