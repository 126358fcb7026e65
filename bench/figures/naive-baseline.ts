import { HttpClient } from '../../src/connectors/http-client.ts';
import { createRollingWindowLimiter } from '../../src/connectors/rate-limiter.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createScenario, silent, TOKEN } from '../fixtures.ts';
import type { Figure } from '../report.ts';

/**
 * Figure 2: Junction against what a typical workflow tool does — one request per record, one after
 * another, under the same rate limit.
 */
export async function naiveBaselineFigure(o: { people: number; max: number }): Promise<Figure[]> {
  const s = await createScenario(o.people, o.max);
  try {
    const t0 = performance.now();
    const run = await runTask('people', { store: s.store, log: silent });
    const junctionRate = run.counts.created / ((performance.now() - t0) / 1000);

    s.hs.reset();
    const http = new HttpClient({
      baseUrl: s.hubspotUrl,
      headers: () => ({ authorization: `Bearer ${TOKEN}` }),
      limiter: createRollingWindowLimiter(o.max, 10_000),
    });
    const t1 = performance.now();
    for (let i = 1; i <= o.people; i++) {
      await http.request('POST', '/crm/v3/objects/contacts', {
        json: {
          properties: {
            email: `person.${i}@example.ch`,
            firstname: `Vorname${i % 97}`,
            lastname: `NACHNAME${i % 89}`,
          },
        },
      });
    }
    const naiveRate = o.people / ((performance.now() - t1) / 1000);
    return [
      {
        name: 'batching_vs_naive_speedup',
        value: +(junctionRate / naiveRate).toFixed(1),
        goal: '>> 1 (≈ batch size)',
        ok: junctionRate / naiveRate > 10,
        detail: `Junction ${junctionRate.toFixed(0)}/s vs one-request-per-record ${naiveRate.toFixed(0)}/s, ${o.people} people, ${o.max} req/10 s`,
      },
    ];
  } finally {
    await s.close();
  }
}
