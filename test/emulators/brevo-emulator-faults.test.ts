import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BrevoEmulatorOptions, createBrevoEmulator } from '../../emulators/brevo/index.ts';

const KEY = 'xkeysib-test';

async function start(options: BrevoEmulatorOptions = {}) {
  const emulator = createBrevoEmulator({ apiKeys: [KEY], ...options });
  const base = await emulator.listen();
  const api = async (method: string, path: string, body?: unknown, key = KEY) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { emulator, base, api };
}

describe('Brevo emulator: rate limit and faults', () => {
  test('answers 429 with x-sib-ratelimit headers once the per-second budget is spent, and recovers after the window', async () => {
    const { emulator, api } = await start({ rateLimit: { max: 3, intervalMs: 400 } });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await api('GET', '/v3/contacts');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-sib-ratelimit-limit'), '3');
        remaining.push(res.headers.get('x-sib-ratelimit-remaining') ?? '');
      }
      assert.deepEqual(remaining, ['2', '1', '0']);

      const limited = await api('GET', '/v3/contacts');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'too_many_requests');
      assert.equal(limited.headers.get('x-sib-ratelimit-remaining'), '0');
      assert.equal(limited.headers.get('x-sib-ratelimit-reset'), '1');
      assert.equal(emulator.stats.rateLimited, 1);

      await sleep(450);
      const again = await api('GET', '/v3/contacts');
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('x-sib-ratelimit-remaining'), '2');
    } finally {
      await emulator.close();
    }
  });

  test("with an hour's window beside the second's, the headers report the one nearer to refusing, reset in seconds", async () => {
    const { emulator, api } = await start({
      rateLimit: { max: 10, intervalMs: 1000, hour: { max: 4, intervalMs: 5000 } },
    });
    try {
      const first = await api('GET', '/v3/contacts');
      // The second's window has 9 left, the hour's 3: the hour's is reported, starting over in 5 s.
      assert.equal(first.headers.get('x-sib-ratelimit-limit'), '4');
      assert.equal(first.headers.get('x-sib-ratelimit-remaining'), '3');
      assert.equal(first.headers.get('x-sib-ratelimit-reset'), '5');
      for (let i = 0; i < 3; i++) assert.equal((await api('GET', '/v3/contacts')).status, 200);
      const refused = await api('GET', '/v3/contacts');
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('x-sib-ratelimit-remaining'), '0');
      assert.ok(Number(refused.headers.get('x-sib-ratelimit-reset')) > 1);
    } finally {
      await emulator.close();
    }
  });

  test('limits each API key separately and by default allows 10 requests per second', async () => {
    const { emulator, api } = await start({ apiKeys: ['a', 'b'] });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await api('GET', '/v3/contacts', undefined, 'a')).status);
      assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
      assert.equal((await api('GET', '/v3/contacts', undefined, 'b')).status, 200);
    } finally {
      await emulator.close();
    }
  });

  test('rateLimitStorm answers 429 to every call until it is switched off', async () => {
    const { emulator, api } = await start({ faults: { rateLimitStorm: true } });
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await api('POST', '/v3/contacts', { email: `s${i}@example.com` })).status, 429);
      assert.equal(emulator.state.all().length, 0);
      assert.equal(emulator.stats.rateLimited, 3);
      emulator.setFaults({ rateLimitStorm: false });
      assert.equal((await api('POST', '/v3/contacts', { email: 'ok@example.com' })).status, 201);
    } finally {
      await emulator.close();
    }
  });

  test('errorRate 1 fails every call with a 5xx { code, message } and stores nothing', async () => {
    const { emulator, api } = await start({ faults: { errorRate: 1, seed: 3 } });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await api('POST', '/v3/contacts', { email: `e${i}@example.com` });
        assert.ok([500, 502, 503].includes(res.status), `status ${res.status}`);
        assert.equal(res.body.code, 'internal_error');
      }
      assert.equal(emulator.state.all().length, 0);
      assert.equal(emulator.stats.serverErrors, 4);
      assert.equal(emulator.stats.writes, 4);
    } finally {
      await emulator.close();
    }
  });

  test('rejectEmails fails just those addresses with 400 invalid_parameter', async () => {
    const { emulator, api } = await start({ faults: { rejectEmails: ['bad@example.com'] } });
    try {
      const bad = await api('POST', '/v3/contacts', { email: 'bad@example.com' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_parameter');
      assert.equal((await api('POST', '/v3/contacts', { email: 'good@example.com' })).status, 201);
    } finally {
      await emulator.close();
    }
  });

  test('timeoutRate 1 holds a call unanswered until timeoutMs, then drops the connection', async () => {
    const { emulator, base } = await start({ faults: { timeoutRate: 1, timeoutMs: 150 } });
    try {
      const started = Date.now();
      await assert.rejects(fetch(`${base}/v3/contacts`, { headers: { 'api-key': KEY } }));
      assert.ok(Date.now() - started >= 140, 'held for the configured time');
      assert.equal(emulator.stats.timeouts, 1);
    } finally {
      await emulator.close();
    }
  });

  test('reset() forgets contacts, stats and counts and restores the initial faults', async () => {
    const { emulator, api } = await start({ rateLimit: { max: 2, intervalMs: 10_000 } });
    try {
      await api('POST', '/v3/contacts', { email: 'a@example.com' });
      emulator.setFaults({ rateLimitStorm: true });
      emulator.reset();
      assert.equal(emulator.state.all().length, 0);
      assert.equal(emulator.stats.total, 0);
      const res = await api('POST', '/v3/contacts', { email: 'a@example.com' });
      assert.equal(res.status, 201);
      assert.equal(res.body.id, 1);
    } finally {
      await emulator.close();
    }
  });
});
