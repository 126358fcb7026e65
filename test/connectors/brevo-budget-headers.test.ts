// The limiter follows Brevo's x-sib-ratelimit-* headers: an account with less room a second than configured
// is not hammered with 429s, and a spent window (the hour's too) holds requests until it starts over.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import pino from 'pino';
import { createBrevoEmulator, type RateLimitOptions } from '../../emulators/brevo/index.ts';
import { brevoBudgetReport } from '../../src/connectors/brevo/rate-limit-headers.ts';
import type { Connector } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';

const log = pino({ level: 'silent' });

/** An emulator with `rateLimit` and a connector configured for 10 a second on it (its own API key). */
async function account(rateLimit: RateLimitOptions) {
  const apiKey = `xkeysib-${randomUUID()}`;
  const brevo = createBrevoEmulator({ apiKeys: [apiKey], rateLimit });
  const base = await brevo.listen();
  const connector: Connector = createConnector(
    {
      id: `brevo-${randomUUID()}`,
      name: 'Brevo',
      system: 'brevo',
      config: { baseUrl: `${base}/v3`, requestsPerSecond: 10 },
      secret: { apiKey },
    },
    { log, signal: new AbortController().signal },
  );
  return { brevo, connector };
}

test('the headers of a per-second window set its limit; a longer window (reset beyond a second) is the hour', () => {
  assert.deepEqual(
    brevoBudgetReport({
      'x-sib-ratelimit-limit': '3',
      'x-sib-ratelimit-remaining': '2',
      'x-sib-ratelimit-reset': '1',
    }),
    { intervalMs: 1000, max: 3, remaining: 2, resetMs: 1000 },
  );
  assert.deepEqual(
    brevoBudgetReport({
      'x-sib-ratelimit-limit': '36000',
      'x-sib-ratelimit-remaining': '0',
      'x-sib-ratelimit-reset': '1200',
    }),
    { intervalMs: 3_600_000, max: 36000, remaining: 0, resetMs: 1_200_000 },
  );
  assert.equal(brevoBudgetReport({}), null);
});

test('an account with 3 a second against 10 configured: the limiter follows its headers, no 429', async () => {
  const { brevo, connector } = await account({ max: 3, intervalMs: 1000 });
  try {
    assert.equal((await connector.check?.())?.ok, true); // the first answer reports the limit
    const started = Date.now();
    const emails = Array.from({ length: 12 }, (_, i) => `p${i}@example.com`);
    const found = await connector.lookup?.('contacts', 'email', emails);
    assert.deepEqual(found, []);
    assert.equal(brevo.stats.rateLimited, 0, 'the emulator answered 429');
    // 13 calls at 3 a second take at least three further seconds.
    assert.ok(Date.now() - started >= 2500, `took ${Date.now() - started} ms`);
  } finally {
    await brevo.close();
  }
});

test("a spent hour's window (remaining 0) holds the calls until its reset instead of meeting 429s", async () => {
  // The "hour" is 3 s long here: 8 calls in it, while the second allows 10.
  const { brevo, connector } = await account({
    max: 10,
    intervalMs: 1000,
    hour: { max: 8, intervalMs: 3000 },
  });
  try {
    const started = Date.now();
    for (let i = 0; i < 16; i++) await connector.lookup?.('contacts', 'email', [`p${i}@example.com`]);
    assert.equal(brevo.stats.rateLimited, 0, 'the emulator answered 429');
    assert.equal(brevo.stats.total, 16);
    assert.ok(Date.now() - started >= 2500, `16 calls at 8 in 3 s took ${Date.now() - started} ms`);
  } finally {
    await brevo.close();
  }
});
