import { setTimeout as sleep } from 'node:timers/promises';
import { createHubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import { startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import { createPeopleTable, generatePeople, openBusinessKysely } from '../../test/helpers/business-db.ts';
import { createTempPostgres, createTempSqlite } from '../../test/helpers/databases.ts';
import { spineConfig } from '../../test/helpers/spine-config.ts';
import { openTestStore } from '../../test/helpers/store.ts';
import { silent, TOKEN } from '../fixtures.ts';
import type { Figure } from '../report.ts';

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/**
 * Figure 8: change-to-target latency of a task scheduled `onChange` on a PostgreSQL business table with
 * Junction's trigger: a steady `perSecond` inserts for `seconds`, each timed from its commit to the
 * moment its contact exists in the HubSpot emulator (looked at every 20 ms); and how many write calls
 * the changes cost (coalesced into batched runs). The baseline is a 15-minute interval: a change waits
 * 7.5 minutes on average for its run.
 */
export async function changeLatencyFigures(o: { perSecond: number; seconds: number }): Promise<Figure[]> {
  const business = await createTempPostgres('jbench');
  const storeDb = await createTempSqlite();
  const hs = createHubSpotEmulator({ tokens: [TOKEN] });
  const store = await openTestStore(storeDb);
  let stop = async () => {};
  try {
    await createPeopleTable(business, generatePeople(100));
    const hubspotUrl = await hs.listen();
    const yaml = spineConfig({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true }' });
    await applyConfig(store, parseConfigText(yaml, { TEST_HUBSPOT_TOKEN: TOKEN }));
    const erp = createConnector(await store.connections.get('erp'), {
      log: silent,
      signal: new AbortController().signal,
    });
    await erp.installChangeNotifications?.('people');
    await erp.close?.();
    // The hub's defaults (coalescing 1 s), a fast scheduler tick.
    const service = await createRunService({ store, log: silent, config: { tickMs: 200 } });
    const scheduler = startEmbeddedScheduler({ service, log: silent });
    stop = async () => {
      await scheduler.stop();
      await service.stop();
    };
    // The 100 existing people are synced first (the catch-up run); the figure starts after it.
    while (hs.state.all('contacts').length < 60) await sleep(100);
    await service.idle();
    const writesBefore = hs.stats.writes;

    const committed = new Map<string, number>();
    const arrived = new Map<string, number>();
    const watch = (async () => {
      const n = o.perSecond * o.seconds;
      while (arrived.size < n) {
        for (const c of hs.state.all('contacts')) {
          const email = String(c.properties.email);
          if (committed.has(email) && !arrived.has(email)) arrived.set(email, performance.now());
        }
        await sleep(20);
      }
    })();
    const db = await openBusinessKysely(business);
    const start = performance.now();
    for (let i = 0; i < o.perSecond * o.seconds; i++) {
      const due = start + (i * 1000) / o.perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const id = 10_000 + i;
      const email = `change.${id}@example.ch`;
      await db
        .insertInto('people')
        .values({
          id,
          first_name: 'Change',
          last_name: String(i),
          email,
          canton: 'ZH',
          status: 'active',
          modified_at: new Date(),
        })
        .execute();
      committed.set(email, performance.now());
    }
    await db.destroy();
    await Promise.race([watch, sleep(60_000)]);
    const latencies = [...committed].map(
      ([e, t]) => ((arrived.get(e) ?? Number.POSITIVE_INFINITY) - t) / 1000,
    );
    latencies.sort((a, b) => a - b);
    const p50 = quantile(latencies, 0.5);
    const p95 = quantile(latencies, 0.95);
    const writes = hs.stats.writes - writesBefore;
    const perChange = writes / committed.size;
    return [
      {
        name: 'change_latency_p95_s',
        value: Number(p95.toFixed(2)),
        goal: '<= 5',
        ok: p95 <= 5,
        detail: `${committed.size} inserts at ${o.perSecond}/s into PostgreSQL (trigger + LISTEN), commit → contact in HubSpot: p50 ${p50.toFixed(2)} s, p95 ${p95.toFixed(2)} s; a 15-minute interval waits 450 s on average (${(450 / p50).toFixed(0)}× the p50)`,
      },
      {
        name: 'change_write_calls_per_change',
        value: Number(perChange.toFixed(3)),
        goal: '<= 0.05',
        ok: perChange <= 0.05,
        detail: `${writes} write calls for ${committed.size} changes: coalesced into batched runs`,
      },
    ];
  } finally {
    await stop();
    await store.close();
    await hs.close();
    await business.drop();
    await storeDb.drop();
  }
}
