import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runTask } from '../../src/engine/run-task.ts';
import { log, ORGS, openScenario, PEOPLE, rows, type Scenario, TOKEN } from './fixture.ts';

describe('HubSpot both ways: SQL → contacts, companies and their associations; HubSpot → SQL', () => {
  let s: Scenario;
  const run = (task: string) => runTask(task, { store: s.store, log });
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${s.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    s = await openScenario();
  });
  after(() => s?.close());

  test('contacts synced before their companies get associated once the companies exist', async () => {
    const people = await run('people-sync');
    assert.equal(people.status, 'succeeded');
    assert.equal(people.counts.created, PEOPLE);
    assert.equal(
      (await s.store.associations.pending('people-to-contacts')).length,
      PEOPLE,
      'no company yet: every association waits',
    );

    const orgs = await run('orgs-sync');
    assert.equal(orgs.counts.created, ORGS);
    const again = await run('people-sync');
    // The SQL read overlaps the last run by a minute: those people are read again, unchanged, and cost nothing.
    assert.equal(again.counts.created + again.counts.updated, 0, 'no person changed');
    assert.equal((await s.store.associations.pending('people-to-contacts')).length, 0);

    const companies = new Map(s.hs.state.all('companies').map((c) => [c.properties.erp_org_id, c.id]));
    for (const p of await rows(s, 'people')) {
      assert.equal(p.sync_status, 'ok');
      const contactId = String(p.hubspot_id);
      const companyId = companies.get(String(p.org_id));
      assert.ok(companyId);
      assert.deepEqual(
        s.hs.state.associations.of('contacts', contactId, 'companies').map((a) => a.toId),
        [companyId],
      );
      assert.ok(
        s.hs.state.associations.of('companies', companyId, 'contacts').some((a) => a.toId === contactId),
        'visible from the company too',
      );
    }
  });

  test('moving a person to another organisation re-associates the contact', async () => {
    const { withBusinessDb } = await import('../helpers/business-db.ts');
    await withBusinessDb(s.business, (db) =>
      db
        .updateTable('people')
        .set({ org_id: 4, first_name: 'Moved', modified_at: new Date().toISOString() })
        .where('id', '=', 1)
        .execute(),
    );
    const e = await run('people-sync');
    assert.equal(e.counts.updated, 1);
    const [p1] = await rows(s, 'people');
    const company4 = s.hs.state.all('companies').find((c) => c.properties.erp_org_id === '4')?.id;
    assert.ok(
      s.hs.state.associations
        .of('contacts', String(p1?.hubspot_id), 'companies')
        .some((a) => a.toId === company4),
    );
  });

  test('HubSpot → SQL reads every contact into the CRM table and marks them in HubSpot', async () => {
    const e = await run('contacts-from-hubspot');
    assert.equal(e.status, 'succeeded', JSON.stringify(e.error));
    assert.equal(e.counts.read, PEOPLE);
    assert.equal(e.counts.created, PEOPLE);
    const crm = await rows(s, 'crm_contacts');
    assert.equal(crm.length, PEOPLE);
    const contacts = new Map(s.hs.state.all('contacts').map((c) => [c.id, c]));
    for (const r of crm) {
      const c = contacts.get(String(r.hubspot_id));
      assert.ok(c, 'each row carries its HubSpot id');
      assert.equal(r.email, c.properties.email);
      assert.equal(r.firstname, c.properties.firstname);
      assert.equal(c.properties.erp_sync_status, 'ok', 'the mark is written back onto the contact');
    }
  });

  test('changes made in HubSpot arrive incrementally with exact counts', async () => {
    // The marks of the last run touched every contact: that run's writes are seen once more, unchanged.
    const settle = await run('contacts-from-hubspot');
    assert.equal(settle.counts.unchanged, PEOPLE);
    assert.equal(settle.counts.created + settle.counts.updated, 0);
    const quiet = await run('contacts-from-hubspot');
    assert.equal(quiet.counts.read, 0, 'nothing changed since');

    const ids = s.hs.state
      .all('contacts')
      .slice(0, 3)
      .map((c) => c.id);
    for (const id of ids)
      assert.equal(
        (await api('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { phone: '+41441234567' } }))
          .status,
        200,
      );
    assert.equal(
      (
        await api('POST', '/crm/v3/objects/contacts', {
          properties: { email: 'new.lead@example.ch', firstname: 'New' },
        })
      ).status,
      201,
    );

    const e = await run('contacts-from-hubspot');
    assert.equal(e.counts.read, 4);
    assert.equal(e.counts.updated, 3);
    assert.equal(e.counts.created, 1);
    assert.equal(e.counts.failed, 0);
    const crm = await rows(s, 'crm_contacts');
    assert.equal(crm.length, PEOPLE + 1);
    for (const id of ids) assert.equal(crm.find((r) => r.hubspot_id === id)?.phone, '+41441234567');
    assert.equal(crm.find((r) => r.email === 'new.lead@example.ch')?.firstname, 'New');
  });
});
