// Brevo's contact deletions arrive on the generic webhook route with the connection's bearer token: a
// deletion on a connection whose deletions are erasure requests, into a mapping with a privacy policy, erases
// the person everywhere; otherwise it only unlinks;
// a call without the token changes nothing and is answered as one to an unknown receiver; an unsubscribe is a
// change, never a deletion; only Brevo's batch size of events is taken in one call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const TOKEN = 'brevo-webhook-token-0123456789abcdef';

function config(o: { business: string; brevo: string }) {
  const source = 'source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }';
  const secret = `secret: { apiKey: xkeysib-test, webhookToken: ${TOKEN} }`;
  const fields =
    'fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: attributes.LASTNAME, from: last_name } ]';
  return `
connections:
  - { id: erp, system: sql, config: { url: "${o.business}" } }
  - { id: newsletter, system: brevo, config: { baseUrl: "${o.brevo}/v3", requestsPerSecond: 10000, deletionsArePrivacyRequests: true }, ${secret} }
  - { id: events, system: brevo, config: { baseUrl: "${o.brevo}/v3", requestsPerSecond: 10000 }, ${secret} }
  - { id: tokenless, system: brevo, config: { baseUrl: "${o.brevo}/v3" }, secret: { apiKey: xkeysib-test } }
mappings:
  - { id: to-newsletter, name: People → newsletter, ${source}, target: { connectionId: newsletter, object: contacts }, matchKey: { target: email }, privacy: delete, ${fields} }
  - { id: to-events, name: People → events, ${source}, target: { connectionId: events, object: contacts }, matchKey: { target: email }, ${fields} }
tasks:
  - { id: newsletter, mapping: to-newsletter }
  - { id: events, mapping: to-events }
`;
}

for (const dialect of DIALECTS) {
  describe(`Brevo deletion webhooks (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let brevo: BrevoEmulator;
    let app: FastifyInstance;
    const people = generatePeople(10);
    const hook = (connectionId: string, body: unknown, authorization?: string) =>
      app.inject({
        method: 'POST',
        url: `/api/webhooks/${connectionId}`,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        payload: JSON.stringify(body),
      });
    const row = async (id: number) =>
      withBusinessDb(business, (db) =>
        db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst(),
      );

    before(async () => {
      business = await dialect.create();
      await createPeopleTable(business, people);
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      brevo = createBrevoEmulator({ apiKeys: ['xkeysib-test'] });
      await applyConfig(
        store,
        parseConfigText(config({ business: business.url, brevo: await brevo.listen() })),
      );
      await runTask('newsletter', { store, log });
      await runTask('events', { store, log });
      ({ app } = await createTestServer(store));
    });
    after(async () => {
      await store?.close();
      await brevo?.close();
      await business?.drop();
      await storeDb?.drop();
    });

    test('a call without the token, or with a wrong one, is refused and deletes nothing', async () => {
      const body = { event: 'contact_deleted', email: 'person.2@example.ch', id: 1, ts: 1_767_000_000 };
      assert.equal((await hook('newsletter', body)).statusCode, 401);
      assert.equal((await hook('newsletter', body, 'Bearer wrong-token-0123456789abcdef')).statusCode, 401);
      assert.ok(await row(2));
      assert.equal((await store.audit.list({ kind: 'privacy_deletion' })).length, 0);
    });

    test('a connection without a token, a call without one, a wrong one and an unknown receiver get the same 401', async () => {
      const body = { event: 'unsubscribed', email: 'person.6@example.ch', id: 9, ts: 1_767_000_009 };
      const answers = await Promise.all([
        hook('tokenless', body, 'Bearer guessed-token-0123456789abcdef'),
        hook('tokenless', body),
        hook('newsletter', body, 'Bearer wrong-token-0123456789abcdef'),
        hook('newsletter', body),
        hook('no-such-connection', body, 'Bearer guessed-token-0123456789abcdef'),
      ]);
      for (const a of answers) assert.equal(a.statusCode, 401, a.body);
      assert.deepEqual(new Set(answers.map((a) => a.body)).size, 1, answers.map((a) => a.body).join('\n'));
    });

    test('only events leave receipts: neither a refused call nor an accepted one writes a replay row', async () => {
      const sigRows = async () =>
        (
          await store.db
            .selectFrom('webhook_receipts')
            .select('receipt_key')
            .where('receipt_key', 'like', 'sig:%')
            .execute()
        ).length;
      const before = await sigRows();
      for (let i = 0; i < 3; i++) {
        const body = {
          event: 'unsubscribed',
          email: `person.${7 + i}@example.ch`,
          id: 20 + i,
          ts: 1_767_000_020 + i,
        };
        assert.equal((await hook('events', body, `Bearer ${TOKEN}`)).statusCode, 200);
        assert.equal((await hook('events', body, 'Bearer wrong-token-0123456789abcdef')).statusCode, 401);
      }
      assert.equal(await sigRows(), before);
    });

    test('a call with more events than Brevo batches, or naming too many contacts, is refused with 413 and takes none', async () => {
      const events = Array.from({ length: 501 }, (_, i) => ({
        event: 'unsubscribed',
        email: `bulk.${i}@example.ch`,
        ts: 1_767_100_000 + i,
      }));
      const many = await hook('events', events, `Bearer ${TOKEN}`);
      assert.equal(many.statusCode, 413, many.body);
      assert.equal(many.json().error.code, 'webhook_too_many_events');
      assert.match(many.json().error.message, /501 events; at most 500/);
      const emails = Array.from({ length: 10_001 }, (_, i) => `gone.${i}@example.ch`);
      const wide = await hook(
        'events',
        { event: 'contact_deleted', email: emails, ts: 1_767_200_000 },
        `Bearer ${TOKEN}`,
      );
      assert.equal(wide.statusCode, 413, wide.body);
      assert.equal(wide.json().error.code, 'webhook_too_many_events');
      // Nothing was claimed: the first 500 of them are taken when they come in a call of their own.
      const taken = await hook('events', events.slice(0, 500), `Bearer ${TOKEN}`);
      assert.equal(taken.statusCode, 200, taken.body);
      assert.equal((taken.json() as { received: number }).received, 500);
    });

    test('a contact deleted in a Brevo whose deletions are erasure requests, into a mapping with a privacy policy, erases the person everywhere, audited', async () => {
      const before = await row(3);
      assert.ok(before);
      const res = await hook(
        'newsletter',
        { event: 'contact_deleted', email: ['Person.3@example.ch'], id: 1, key: 'k', ts: 1_767_000_001 },
        `Bearer ${TOKEN}`,
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as { deletions: number }).deletions, 1);
      assert.equal(await row(3), undefined, 'the business record is erased (privacy: delete)');
      const [entry] = await store.audit.list({ kind: 'privacy_deletion' });
      assert.equal(entry?.connectionId, 'newsletter');
      assert.equal(JSON.stringify(entry).includes('person.3'), false);
      const links = await store.syncLinks.forSourceRecord('erp', 'people', '3');
      assert.deepEqual(
        links.map((l) => l.status),
        ['deleted', 'deleted'],
      );
    });

    test('a contact deleted in a Brevo without a privacy policy only unlinks it; the business row stays as it was (Basic auth)', async () => {
      const before = await row(4);
      const basic = `Basic ${Buffer.from(`brevo:${TOKEN}`).toString('base64')}`;
      const res = await hook(
        'events',
        { event: 'contact_deleted', email: 'person.4@example.ch', id: 2, ts: 1_767_000_002 },
        basic,
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(await row(4), before, 'every column unchanged');
      const links = await store.syncLinks.forSourceRecord('erp', 'people', '4');
      assert.deepEqual(Object.fromEntries(links.map((l) => [l.targetConnectionId, l.status])), {
        newsletter: 'ok',
        events: 'target_deleted',
      });
      assert.equal((await store.audit.list({ kind: 'deletion' })).length, 1);
    });

    test('an unsubscribe is a change, not a deletion; a redelivered event is taken once', async () => {
      const body = { event: 'unsubscribed', email: 'person.5@example.ch', id: 3, ts_event: 1_767_000_003 };
      const first = await hook('newsletter', body, `Bearer ${TOKEN}`);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json(), { received: 1, deletions: 0, runs: [] });
      const again = await hook('newsletter', body, `Bearer ${TOKEN}`);
      assert.equal((again.json() as { received: number }).received, 0);
      assert.ok(await row(5));
    });
  });
}
