import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../helpers/eventually.ts';
import { startEmulator, TOKEN } from './hubspot-helpers.ts';

describe('HubSpot emulator: rate limit and faults', () => {
  test("another integration's calls on the token show in the headers: less room in the window, less of the day", async () => {
    const h = await startEmulator({ rateLimit: { max: 10, intervalMs: 10_000, daily: 1000 } });
    try {
      h.emulator.spendBudget(TOKEN, { window: 6, daily: 900 });
      const res = await h.call('GET', '/crm/v3/objects/contacts');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-hubspot-ratelimit-remaining'), '3');
      assert.equal(res.headers.get('x-hubspot-ratelimit-daily'), '1000');
      assert.equal(res.headers.get('x-hubspot-ratelimit-daily-remaining'), '93');
    } finally {
      await h.close();
    }
  });

  test('answers 429 with RATE_LIMIT body and headers once the window is spent, and recovers after it', async () => {
    // A 2 s window: four calls must fall into one window even on a loaded machine (500 ms was flaky there).
    const h = await startEmulator({ rateLimit: { max: 3, intervalMs: 2000 } });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await h.call('GET', '/crm/v3/objects/contacts');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-hubspot-ratelimit-max'), '3');
        assert.equal(res.headers.get('x-hubspot-ratelimit-interval-milliseconds'), '2000');
        assert.ok(res.headers.get('x-hubspot-ratelimit-daily'));
        assert.ok(res.headers.get('x-hubspot-ratelimit-daily-remaining'));
        remaining.push(res.headers.get('x-hubspot-ratelimit-remaining') ?? '');
      }
      assert.deepEqual(remaining, ['2', '1', '0']);

      const limited = await h.call('GET', '/crm/v3/objects/contacts');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.status, 'error');
      assert.equal(limited.body.errorType, 'RATE_LIMIT');
      assert.equal(limited.body.policyName, 'TEN_SECONDLY_ROLLING');
      assert.equal(limited.headers.get('x-hubspot-ratelimit-remaining'), '0');
      assert.equal(h.emulator.stats.rateLimited, 1);

      await sleep(2050);
      const again = await h.call('GET', '/crm/v3/objects/contacts');
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('x-hubspot-ratelimit-remaining'), '2');
    } finally {
      await h.close();
    }
  });

  test('counts the window per token, so another token is not limited', async () => {
    const h = await startEmulator({ tokens: ['a', 'b'], rateLimit: { max: 1, intervalMs: 10_000 } });
    try {
      assert.equal((await h.call('GET', '/crm/v3/objects/contacts', undefined, 'a')).status, 200);
      assert.equal((await h.call('GET', '/crm/v3/objects/contacts', undefined, 'a')).status, 429);
      assert.equal((await h.call('GET', '/crm/v3/objects/contacts', undefined, 'b')).status, 200);
    } finally {
      await h.close();
    }
  });

  test('errorRate 1 fails every call with a 5xx and a HubSpot error body; 0 lets them through', async () => {
    const h = await startEmulator({ faults: { errorRate: 1, seed: 7 } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await h.call('POST', '/crm/v3/objects/contacts', {
          properties: { email: `e${i}@example.com` },
        });
        assert.ok([500, 502, 503].includes(res.status), `status ${res.status}`);
        assert.equal(res.body.status, 'error');
        assert.equal(typeof res.body.correlationId, 'string');
      }
      assert.equal(h.emulator.state.all('contacts').length, 0);
      assert.equal(h.emulator.stats.serverErrors, 5);
      h.emulator.setFaults({ errorRate: 0 });
      assert.equal((await h.call('GET', '/crm/v3/objects/contacts')).status, 200);
    } finally {
      await h.close();
    }
  });

  test('rateLimitStorm answers 429 to every call', async () => {
    const h = await startEmulator({ faults: { rateLimitStorm: true } });
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await h.call('GET', '/crm/v3/objects/companies')).status, 429);
      assert.equal(h.emulator.stats.rateLimited, 3);
    } finally {
      await h.close();
    }
  });

  test('timeoutRate 1 holds the call without an answer and then closes the socket', async () => {
    const h = await startEmulator({ faults: { timeoutRate: 1, timeoutMs: 150 } });
    try {
      const started = Date.now();
      await assert.rejects(
        fetch(`${h.baseUrl}/crm/v3/objects/contacts`, {
          headers: { authorization: 'Bearer pat-test-token' },
        }),
      );
      assert.ok(Date.now() - started >= 140);
      assert.equal(h.emulator.stats.timeouts, 1);
    } finally {
      await h.close();
    }
  });

  test('close() does not wait for calls held by the timeout fault', async () => {
    const h = await startEmulator({ faults: { timeoutRate: 1, timeoutMs: 60_000 } });
    const pending = fetch(`${h.baseUrl}/crm/v3/objects/contacts`, {
      headers: { authorization: 'Bearer pat-test-token' },
    }).catch((e: unknown) => e);
    await eventually('the call to be held', () => h.emulator.stats.timeouts >= 1);
    const started = Date.now();
    await h.close();
    assert.ok(Date.now() - started < 5_000);
    assert.ok((await pending) instanceof Error);
  });

  test('latencyMs delays every answer', async () => {
    const h = await startEmulator({ faults: { latencyMs: [80, 120], seed: 1 } });
    try {
      const started = Date.now();
      assert.equal((await h.call('GET', '/crm/v3/objects/contacts')).status, 200);
      assert.ok(Date.now() - started >= 75);
    } finally {
      await h.close();
    }
  });
});
