import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { signatureV3 } from '../../emulators/hubspot/index.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { createTestServer } from '../helpers/server.ts';
import { APP_SECRET, log, openScenario, PEOPLE, rows, type Scenario, TOKEN } from './fixture.ts';

describe('HubSpot webhooks: signature v3, replay guard, privacy deletion, early runs', () => {
  let s: Scenario;
  let app: FastifyInstance;
  let runs: RunService;
  let hookUrl: string;
  let victim: { personId: number; contactId: string; email: string };

  /** Posts events to the receiver, signed with `secret` at `timestamp` (defaults: genuine and fresh). */
  async function post(
    events: unknown[],
    o: {
      secret?: string;
      timestamp?: number;
      replay?: { body: string; headers: Record<string, string> };
    } = {},
  ) {
    const body = o.replay?.body ?? JSON.stringify(events);
    const timestamp = String(o.timestamp ?? Date.now());
    const headers = o.replay?.headers ?? {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signatureV3(o.secret ?? APP_SECRET, 'POST', hookUrl, body, timestamp),
      'x-hubspot-request-timestamp': timestamp,
    };
    const res = await fetch(hookUrl, { method: 'POST', body, headers });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown>,
      sent: { body, headers },
    };
  }
  const privacyEvent = (id: string, eventId: number) => ({
    eventId,
    subscriptionId: 1,
    portalId: 62515,
    appId: 1,
    occurredAt: Date.now(),
    subscriptionType: 'contact.privacyDeletion',
    attemptNumber: 0,
    objectId: Number(id),
  });
  const snapshot = async () => ({
    people: await rows(s, 'people'),
    crm: await rows(s, 'crm_contacts'),
    audit: await s.store.audit.list(),
  });

  before(async () => {
    s = await openScenario({ webhooks: true });
    for (const t of ['orgs-sync', 'people-sync', 'contacts-from-hubspot'])
      assert.equal((await runTask(t, { store: s.store, log })).status, 'succeeded');
    ({ app, runs } = await createTestServer(s.store));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    hookUrl = `http://127.0.0.1:${address.port}/api/webhooks/hubspot/hubspot`;
    s.hs.webhooks?.setTarget(hookUrl);
    const person = (await rows(s, 'people'))[1] as { id: number; hubspot_id: string; email: string };
    victim = { personId: person.id, contactId: person.hubspot_id, email: person.email };
  });
  after(async () => {
    await runs?.idle();
    await app?.close();
    await s?.close();
  });

  test('a wrong signature, a stale timestamp and a replay are each refused with 401 and change nothing', async () => {
    const before = await snapshot();
    const events = [privacyEvent(victim.contactId, 1)];
    const forged = await post(events, { secret: 'not-the-app-secret' });
    assert.equal(forged.status, 401);
    assert.equal((forged.json.error as { code: string }).code, 'webhook_signature_invalid');
    assert.equal(
      (await post(events, { timestamp: Date.now() - 6 * 60_000 })).status,
      401,
      'older than 5 minutes',
    );
    assert.equal((await post(events, { timestamp: Date.now() + 6 * 60_000 })).status, 401, 'from the future');

    // A genuine request with an event Junction ignores, then the very same bytes again.
    const genuine = await post([{ eventId: 2, subscriptionType: 'contact.associationChange', objectId: 1 }]);
    assert.equal(genuine.status, 200);
    const replay = await post([], { replay: genuine.sent });
    assert.equal(replay.status, 401);
    assert.match(String((replay.json.error as { message: string }).message), /replay/);
    assert.equal(
      (
        await fetch(hookUrl.replace(/hubspot$/, 'nope'), {
          method: 'POST',
          body: '[]',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      401,
    );
    assert.deepEqual(await snapshot(), before);
  });

  test('a GDPR delete in HubSpot anonymises the person in the source, deletes the CRM copy and audits without personal data', async () => {
    const crmBefore = (await rows(s, 'crm_contacts')).length;
    const res = await fetch(`${s.baseUrl}/crm/v3/objects/contacts/gdpr-delete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ objectId: victim.email, idProperty: 'email' }),
    });
    assert.equal(res.status, 204);
    const deliveries = (await s.hs.webhooks?.flush()) ?? [];
    assert.equal(deliveries.length, 1, 'privacyDeletion and deletion travel in one batch');
    assert.deepEqual(
      deliveries[0]?.events.map((e) => e.subscriptionType),
      ['contact.privacyDeletion', 'contact.deletion'],
    );
    assert.equal(deliveries[0]?.status, 200);

    const person = (await rows(s, 'people')).find((p) => p.id === victim.personId);
    assert.ok(person, 'policy anonymise keeps the row');
    assert.deepEqual([person.first_name, person.last_name, person.email], [null, null, null]);
    const crm = await rows(s, 'crm_contacts');
    assert.equal(crm.length, crmBefore - 1);
    assert.equal(
      crm.some((r) => r.hubspot_id === victim.contactId),
      false,
      'policy delete removes the CRM row',
    );

    const links = await s.store.syncLinks.forSourceRecord('erp', 'people', String(victim.personId));
    assert.deepEqual(
      links.map((l) => l.status),
      ['deleted'],
    );
    const [entry, ...more] = await s.store.audit.list({ kind: 'privacy_deletion' });
    assert.equal(more.length, 0, 'one audit entry for the two events of one deletion');
    assert.ok(entry);
    assert.equal(entry.kind, 'privacy_deletion');
    const actions = (entry.details.actions as { connectionId: string; object: string; action: string }[])
      .map((a) => `${a.connectionId}/${a.object}:${a.action}`)
      .sort();
    assert.deepEqual(actions, ['erp/crm_contacts:deleted', 'erp/people:anonymised']);
    const text = JSON.stringify(entry);
    for (const personal of [victim.email, 'First2', 'Last2', `"${victim.contactId}"`])
      assert.equal(text.includes(personal), false, `audit holds no ${personal}`);

    // The sync never brings the person back, even on a full re-read.
    const task = await s.store.tasks.get('people-sync');
    await s.store.tasks.save({ ...task, mode: 'full' });
    const full = await runTask('people-sync', { store: s.store, log });
    assert.equal(full.counts.created + full.counts.updated, 0);
    assert.equal(full.counts.failed, 0, 'the deleted person is skipped, not tried again and failed');
    assert.equal(s.hs.state.all('contacts').length, PEOPLE - 1);
  });

  test('an ordinary delete in HubSpot (a clean-up, not GDPR) leaves the business record as it is and only cuts the link', async () => {
    const person = (await rows(s, 'people')).find((p) => p.email === 'person3@example.ch');
    assert.ok(person);
    const [link] = await s.store.syncLinks.forSourceRecord('erp', 'people', String(person.id));
    assert.ok(link?.externalId);
    const auditBefore = (await s.store.audit.list()).length;
    const res = await fetch(`${s.baseUrl}/crm/v3/objects/contacts/${link.externalId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 204);
    const deliveries = (await s.hs.webhooks?.flush()) ?? [];
    assert.deepEqual(
      deliveries.flatMap((d) => d.events.map((e) => e.subscriptionType)),
      ['contact.deletion'],
    );
    assert.equal(deliveries[0]?.status, 200);

    const after = (await rows(s, 'people')).find((p) => p.id === person.id);
    assert.deepEqual(after, person, 'every column of the business record unchanged');
    const [cut] = await s.store.syncLinks.forSourceRecord('erp', 'people', String(person.id));
    assert.equal(cut?.status, 'target_deleted');
    assert.match(cut?.remark ?? '', /deleted in .* \(contacts\) on \d{4}-/);
    const audit = await s.store.audit.list();
    assert.equal(audit.length, auditBefore + 1);
    assert.equal(audit[0]?.kind, 'deletion');
    assert.deepEqual(
      (audit[0]?.details.actions as { action: string }[] | undefined)?.map((a) => a.action),
      ['unlinked'],
    );
    // The mapping says unlink (the default): the next full run does not bring the contact back.
    const full = await runTask('people-sync', { store: s.store, log });
    assert.equal(full.counts.created, 0);
    assert.equal(
      s.hs.state.all('contacts').some((c) => c.properties.email === 'person3@example.ch'),
      false,
    );
  });

  test('a property change delivered by HubSpot starts the tasks reading from it at once', async () => {
    const contact = s.hs.state.all('contacts').find((c) => c.properties.email === 'person5@example.ch');
    assert.ok(contact);
    const res = await fetch(`${s.baseUrl}/crm/v3/objects/contacts/${contact.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { firstname: 'Renamed' } }),
    });
    assert.equal(res.status, 200);
    const [delivery] = (await s.hs.webhooks?.flush()) ?? [];
    assert.equal(delivery?.status, 200);
    assert.equal(delivery?.events[0]?.subscriptionType, 'contact.propertyChange');
    await runs.idle();
    const row = (await rows(s, 'crm_contacts')).find((r) => r.hubspot_id === contact.id);
    assert.equal(row?.firstname, 'Renamed');
  });
});
