import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import pino from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import type { Connector, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { AuthenticationError } from '../../src/core/errors.ts';

const KEY = 'xkeysib-test';
const log = pino({ level: 'silent' });

/** A Brevo connector on the emulator; a fresh connection id each time, so no limiter is shared between tests. */
function connect(base: string, config: Record<string, unknown> = {}, apiKey = KEY): Connector {
  return createConnector(
    {
      id: `brevo-${randomUUID()}`,
      name: 'Brevo',
      system: 'brevo',
      config: { baseUrl: `${base}/v3`, requestsPerSecond: 200, ...config },
      secret: { apiKey },
    },
    { log, signal: new AbortController().signal },
  );
}

const upsert = (ref: string, email: string, attributes: Record<string, unknown> = {}): WriteOp => ({
  kind: 'upsert',
  ref,
  match: { property: 'email', value: email },
  properties: { email, attributes },
});

function okOf(r: WriteResult | undefined): Extract<WriteResult, { ok: true }> {
  assert.ok(r?.ok, `expected success, got ${JSON.stringify(r)}`);
  return r as Extract<WriteResult, { ok: true }>;
}

describe('Brevo connector: write', () => {
  let brevo: BrevoEmulator;
  let base: string;

  before(async () => {
    brevo = createBrevoEmulator({ apiKeys: [KEY], rateLimit: { max: Number.POSITIVE_INFINITY } });
    base = await brevo.listen();
  });
  after(() => brevo.close());
  beforeEach(() => brevo.reset());

  test('upsert by e-mail creates a contact, then updates the same contact and reports the same id', async () => {
    const brevoConn = connect(base);
    const [first] = await brevoConn.write('contacts', [
      upsert('p1', 'ada@example.com', { FIRSTNAME: 'Ada' }),
    ]);
    const created = okOf(first);
    assert.equal(created.created, true);
    assert.equal(created.externalId, String(brevo.state.findByEmail('ada@example.com')?.id));

    const [second] = await brevoConn.write('contacts', [
      upsert('p1', 'ada@example.com', { FIRSTNAME: 'Ada', LASTNAME: 'Lovelace' }),
    ]);
    const updated = okOf(second);
    assert.equal(updated.created, false);
    assert.equal(updated.externalId, created.externalId);
    assert.deepEqual(
      brevo.state.all().map((c) => c.attributes),
      [{ FIRSTNAME: 'Ada', LASTNAME: 'Lovelace' }],
    );
  });

  test('replaying a batch of upserts makes no duplicates and returns one result per op, in order', async () => {
    const brevoConn = connect(base);
    const ops = Array.from({ length: 12 }, (_, i) =>
      upsert(`p${i}`, `p${i}@example.com`, { FIRSTNAME: `P${i}` }),
    );
    const first = await brevoConn.write('contacts', ops);
    const replay = await brevoConn.write('contacts', ops);
    assert.deepEqual(
      first.map((r) => r.ref),
      ops.map((o) => o.ref),
    );
    assert.deepEqual(
      replay.map((r) => okOf(r).externalId),
      first.map((r) => okOf(r).externalId),
    );
    assert.equal(brevo.state.all().length, 12);
  });

  test('an invalid e-mail fails only its own record, with brevo_invalid_parameter, the message and not retryable', async () => {
    const brevoConn = connect(base);
    const results = await brevoConn.write('contacts', [
      upsert('good1', 'good1@example.com'),
      upsert('bad', 'not an address'),
      upsert('good2', 'good2@example.com'),
    ]);
    assert.equal(results[0]?.ok, true);
    assert.equal(results[2]?.ok, true);
    const bad = results[1];
    assert.ok(bad && !bad.ok);
    assert.equal(bad.ref, 'bad');
    assert.equal(bad.code, 'brevo_invalid_parameter');
    assert.match(bad.message, /Invalid email address/);
    assert.equal(bad.retryable, false);
    assert.equal(brevo.state.all().length, 2);
  });

  test('update by external id changes attributes and, through EMAIL, the address; an unknown id fails as document_not_found', async () => {
    const brevoConn = connect(base);
    const id = String(brevo.state.insert({ email: 'old@example.com', attributes: { FIRSTNAME: 'Old' } }).id);
    const [res] = await brevoConn.write('contacts', [
      {
        kind: 'update',
        ref: 'p1',
        externalId: id,
        properties: { email: 'new@example.com', attributes: { FIRSTNAME: 'New' } },
      },
    ]);
    assert.deepEqual(res, { ref: 'p1', ok: true, externalId: id, created: false });
    const contact = brevo.state.get(Number(id));
    assert.equal(contact?.email, 'new@example.com');
    assert.equal(contact?.attributes.FIRSTNAME, 'New');

    const [missing] = await brevoConn.write('contacts', [
      { kind: 'update', ref: 'p2', externalId: '999', properties: { attributes: { FIRSTNAME: 'X' } } },
    ]);
    assert.ok(missing && !missing.ok);
    assert.equal(missing.code, 'brevo_document_not_found');
    assert.equal(missing.retryable, false);
  });

  test('upsert by ext_id creates, then updates the same contact; an e-mail already in Brevo takes the ext_id', async () => {
    const brevoConn = connect(base);
    const byExt = (ref: string, extId: string, email: string, name: string): WriteOp => ({
      kind: 'upsert',
      ref,
      match: { property: 'ext_id', value: extId },
      properties: { email, ext_id: extId, attributes: { FIRSTNAME: name } },
    });
    const created = okOf((await brevoConn.write('contacts', [byExt('a', 'P-1', 'a@example.com', 'A')]))[0]);
    assert.equal(created.created, true);
    const updated = okOf((await brevoConn.write('contacts', [byExt('a', 'P-1', 'a2@example.com', 'A2')]))[0]);
    assert.equal(updated.externalId, created.externalId);
    assert.equal(brevo.state.findByExtId('P-1')?.email, 'a2@example.com');

    const existing = brevo.state.insert({ email: 'b@example.com' });
    const adopted = okOf((await brevoConn.write('contacts', [byExt('b', 'P-2', 'b@example.com', 'B')]))[0]);
    assert.equal(adopted.externalId, String(existing.id));
    assert.equal(brevo.state.get(existing.id)?.extId, 'P-2');
    assert.equal(brevo.state.all().length, 2);
  });

  test('delete removes the contact and succeeds again when it is already gone', async () => {
    const brevoConn = connect(base);
    const id = String(brevo.state.insert({ email: 'x@example.com' }).id);
    const op: WriteOp = { kind: 'delete', ref: 'x', externalId: id };
    assert.equal((await brevoConn.write('contacts', [op]))[0]?.ok, true);
    assert.equal(brevo.state.all().length, 0);
    assert.equal((await brevoConn.write('contacts', [op]))[0]?.ok, true);
  });

  test('with a third of the calls failing 5xx, retries still land every upsert exactly once', async () => {
    brevo.setFaults({ errorRate: 0.3, seed: 11 });
    const brevoConn = connect(base);
    const ops = Array.from({ length: 10 }, (_, i) => upsert(`p${i}`, `p${i}@example.com`));
    const results = await brevoConn.write('contacts', ops);
    assert.ok(
      results.every((r) => r.ok),
      JSON.stringify(results.filter((r) => !r.ok)),
    );
    assert.ok(brevo.stats.serverErrors > 0, 'faults did happen');
    assert.equal(brevo.state.all().length, 10);
  });

  test('a 429 storm that outlasts the retries ends as a retryable brevo_too_many_requests failure', async () => {
    brevo.setFaults({ rateLimitStorm: true });
    const brevoConn = connect(base);
    const [res] = await brevoConn.write('contacts', [upsert('p1', 'storm@example.com')]);
    assert.ok(res && !res.ok);
    assert.equal(res.code, 'brevo_too_many_requests');
    assert.equal(res.retryable, true);
    assert.equal(brevo.stats.rateLimited, 6, 'the first call and five retries');
    assert.equal(brevo.state.all().length, 0);
  });

  test('a rejected API key fails the whole write with AuthenticationError', async () => {
    const brevoConn = connect(base, {}, 'wrong-key');
    await assert.rejects(brevoConn.write('contacts', [upsert('p1', 'a@example.com')]), AuthenticationError);
  });

  test("paces calls to Brevo's per-second budget: 25 upserts against a 10/s limit meet no 429", async () => {
    const limited = createBrevoEmulator({ apiKeys: [KEY] });
    const limitedBase = await limited.listen();
    try {
      const brevoConn = connect(limitedBase, { requestsPerSecond: 10 });
      const ops = Array.from({ length: 25 }, (_, i) => upsert(`p${i}`, `p${i}@example.com`));
      const results = (
        await Promise.all([
          brevoConn.write('contacts', ops.slice(0, 10)),
          brevoConn.write('contacts', ops.slice(10)),
        ])
      ).flat();
      assert.ok(results.every((r) => r.ok));
      assert.equal(limited.stats.rateLimited, 0);
      assert.equal(limited.state.all().length, 25);
    } finally {
      await limited.close();
    }
  });

  test('takes a whole page a write (it plans the calls itself) and a request budget of ten times the per-second rate', () => {
    const brevoConn = connect(base, { requestsPerSecond: 20, concurrency: 3 });
    assert.deepEqual(brevoConn.limits, { batchSize: 2000, requestsPer10s: 200, concurrency: 3 });
  });
});
