import { runTask } from '../../src/engine/run-task.ts';
import { createScenario, silent, touchPeople } from '../fixtures.ts';
import type { Figure } from '../report.ts';

/**
 * Figures 1, 3 and 4 on one data set: the initial sync against the rate-limit ceiling, a no-op re-sync
 * (full re-read) and a 1 % change.
 */
/** HubSpot's batch limit: the most people one write call can carry. */
const BATCH = 100;

export async function rateLimitFigures(o: { people: number; max: number }): Promise<Figure[]> {
  const s = await createScenario(o.people, o.max);
  try {
    const ceiling = (o.max * BATCH) / 10;
    const t0 = performance.now();
    const initial = await runTask('people', { store: s.store, log: silent });
    const secs = (performance.now() - t0) / 1000;
    const writes = s.hs.stats.writes;
    const refused = s.hs.stats.refusedWrites;
    const answered429 = s.hs.stats.rateLimited;
    const throughput = initial.counts.created / secs;
    const failed429 = (await s.store.executions.failedItems({ code: 'hubspot_rate_limits' })).length;

    const task = await s.store.tasks.get('people');
    await s.store.tasks.save({ ...task, mode: 'full' });
    const before = s.hs.stats.writes;
    const t1 = performance.now();
    const noop = await runTask('people', { store: s.store, log: silent });
    const noopSecs = (performance.now() - t1) / 1000;
    const noopWrites = s.hs.stats.writes - before;
    await s.store.tasks.save({ ...task, mode: 'incremental' });

    const changed = Math.round(o.people / 100);
    touchPeople(
      s.businessFile,
      Array.from({ length: changed }, (_, i) => 1 + Math.floor((i * o.people) / changed)),
    );
    const before2 = s.hs.stats.writes;
    const delta = await runTask('people', { store: s.store, log: silent });
    const deltaWrites = s.hs.stats.writes - before2;

    // Measured against what the data needs, not against the calls Junction happened to make (smaller
    // batches or retried calls must lower the ratio, not raise it): the people need ⌈n / 100⌉ batch calls.
    // A rolling window lets the first `max` requests through at once, so the fastest any client can make
    // C calls is floor((C - 1) / max) windows. Ratio = that minimum time / elapsed time.
    const neededCalls = Math.ceil(o.people / BATCH);
    const idealSecs = Math.floor((neededCalls - 1) / o.max) * 10;
    const ratio = idealSecs > 0 ? idealSecs / secs : 1;
    return [
      {
        name: 'rate_limit_ceiling_ratio',
        value: +ratio.toFixed(3),
        goal: '>= 0.95, no 429, no refused write, every person created',
        ok:
          ratio >= 0.95 &&
          answered429 === 0 &&
          refused === 0 &&
          failed429 === 0 &&
          initial.counts.created === o.people,
        detail: `${initial.counts.created} of ${o.people} people in ${secs.toFixed(1)} s = ${throughput.toFixed(0)}/s; ceiling ${ceiling}/s (${o.max} req/10 s × ${BATCH} inputs): the data needs ${neededCalls} batch calls, at least ${idealSecs} s; Junction made ${writes} write calls, ${refused} refused (${answered429} answers 429 in all); ${failed429} items failed by 429`,
      },
      {
        name: 'noop_resync_write_calls',
        value: noopWrites,
        goal: '0',
        ok: noopWrites === 0 && noop.counts.unchanged === o.people,
        detail: `${noop.counts.unchanged} unchanged of ${noop.counts.read} read`,
      },
      {
        name: 'noop_resync_seconds',
        value: +noopSecs.toFixed(2),
        goal: 'info',
        ok: true,
        detail: `${(o.people / noopSecs).toFixed(0)} records/s`,
      },
      {
        name: 'one_percent_change_write_ratio',
        // Against the calls the full data needs, as the ceiling: a sync that sends smaller batches must not
        // look right just because its full sync made as many more calls.
        value: +(deltaWrites / neededCalls).toFixed(4),
        goal: '≈ 0.01: at most ⌈changed ÷ 100⌉ calls, every change written',
        // One batch call carries 100 changes, so the floor is ⌈changed / 100⌉ calls.
        ok: deltaWrites <= Math.ceil(changed / BATCH) && delta.counts.updated === changed,
        detail: `${changed} changed → ${delta.counts.updated} updated in ${deltaWrites} write calls (the full data needs ${neededCalls}; the full sync made ${writes})`,
      },
    ];
  } finally {
    await s.close();
  }
}
