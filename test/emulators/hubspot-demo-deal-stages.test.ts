/**
 * The demo's enrolments → HubSpot deals task against the emulator that validates deal stages: every
 * value its value map sends is a stage of the default sales pipeline, so no deal fails for its stage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { type DemoSession, startDemo } from '../../src/demo/index.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });

describe('the demo deals against the stage-validating HubSpot emulator', () => {
  let storeDb: TempDatabase;
  let store: Store;
  let dataDir: string;
  let demo: DemoSession;

  before(async () => {
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    dataDir = mkdtempSync(join(tmpdir(), 'junction-demo-deals-'));
    demo = await startDemo({ store, dataDir, activityEveryMs: 0, learnersEveryMs: 0 });
  });
  after(async () => {
    await demo?.stop();
    await store?.close();
    await storeDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every enrolment becomes a deal in the default pipeline at one of its stages; none fails for its stage', async () => {
    await runTask('demo-people', { store, log });
    const run = await runTask('demo-deals', { store, log });
    assert.notEqual(run.status, 'failed', run.error?.message);
    const failed = await store.executions.items(run.id, { action: 'fail' });
    const stageFailures = failed.filter((i) => /dealstage|pipeline/.test(`${i.code} ${i.message}`));
    assert.deepEqual(stageFailures, [], 'no deal is refused for its stage or pipeline');

    const deals = demo.systems.hubspot.state.all('deals');
    assert.ok(deals.length > 0);
    assert.equal(deals.length, run.counts.created + run.counts.updated);
    const stages = new Set(demo.systems.hubspot.state.pipelines.get('default').stages.map((s) => s.id));
    for (const deal of deals) {
      assert.equal(deal.properties.pipeline, 'default');
      assert.ok(stages.has(deal.properties.dealstage ?? ''), `stage ${deal.properties.dealstage}`);
    }
  });
});
