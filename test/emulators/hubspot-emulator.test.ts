import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ApiObject, type Harness, startEmulator, UUID } from './hubspot-helpers.ts';

describe('HubSpot emulator: auth, objects and batches', () => {
  let h: Harness;
  before(async () => {
    h = await startEmulator({ rateLimit: { max: Number.POSITIVE_INFINITY } });
  });
  after(() => h.close());
  beforeEach(() => h.emulator.reset());

  test('answers 401 with an INVALID_AUTHENTICATION body when the token is missing or unknown', async () => {
    for (const token of [null, 'not-a-known-token']) {
      const res = await h.call('GET', '/crm/v3/objects/contacts', undefined, token);
      assert.equal(res.status, 401);
      assert.equal(res.body.status, 'error');
      assert.equal(res.body.category, 'INVALID_AUTHENTICATION');
      assert.match(res.body.correlationId, UUID);
      assert.equal(typeof res.body.message, 'string');
    }
    assert.equal((await h.call('GET', '/crm/v3/objects/contacts')).status, 200);
  });

  test('batch upsert by email creates a contact, then updates the same one with new: false', async () => {
    const first = await h.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 'ada@example.com', idProperty: 'email', properties: { firstname: 'Ada' } }],
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.status, 'COMPLETE');
    assert.equal(first.body.results[0].new, true);
    assert.equal(first.body.results[0].properties.email, 'ada@example.com');
    const id = first.body.results[0].id;
    assert.equal(typeof id, 'string');

    const second = await h.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 'ADA@example.com', idProperty: 'email', properties: { firstname: 'Augusta' } }],
    });
    assert.equal(second.status, 200);
    assert.equal(second.body.results[0].new, false);
    assert.equal(second.body.results[0].id, id);
    const all = h.emulator.state.all('contacts');
    assert.equal(all.length, 1);
    assert.equal(all[0]?.properties.firstname, 'Augusta');
  });

  test("rejects a batch of 101 inputs with HubSpot's VALIDATION_ERROR and writes nothing", async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { email: `p${i}@example.com` } }));
    const res = await h.call('POST', '/crm/v3/objects/contacts/batch/create', { inputs });
    assert.equal(res.status, 400);
    assert.equal(res.body.category, 'VALIDATION_ERROR');
    assert.equal(h.emulator.state.all('contacts').length, 0);
    const ok = await h.call('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: inputs.slice(0, 100),
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.results.length, 100);
  });

  test('a batch with a rejected e-mail answers 207 and applies only the valid inputs', async () => {
    h.emulator.setFaults({ rejectEmails: ['bounce@example.com'] });
    const res = await h.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { id: 'one@example.com', idProperty: 'email', properties: { firstname: 'One' } },
        {
          id: 'bounce@example.com',
          idProperty: 'email',
          properties: { firstname: 'Bounce' },
          objectWriteTraceId: 't2',
        },
        { id: 'three@example.com', idProperty: 'email', properties: { firstname: 'Three' } },
      ],
    });
    assert.equal(res.status, 207);
    assert.equal(res.body.numErrors, 1);
    assert.equal(res.body.errors[0].status, 'error');
    assert.deepEqual(res.body.errors[0].context.ids, ['bounce@example.com']);
    assert.deepEqual(res.body.errors[0].context.objectWriteTraceId, ['t2']);
    assert.deepEqual(res.body.results.map((r: ApiObject) => r.properties.email).sort(), [
      'one@example.com',
      'three@example.com',
    ]);
    const stored = h.emulator.state
      .all('contacts')
      .map((c) => c.properties.email)
      .sort();
    assert.deepEqual(stored, ['one@example.com', 'three@example.com']);
  });

  test('batch read reports missing ids as one OBJECT_NOT_FOUND error in a 207', async () => {
    const a = h.emulator.state.insert('contacts', { email: 'a@example.com' });
    const res = await h.call('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: [{ id: a.id }, { id: '999999' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    assert.equal(res.status, 207);
    assert.equal(res.body.results[0].properties.email, 'a@example.com');
    assert.equal(res.body.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.deepEqual(res.body.errors[0].context.ids, ['999999']);
  });

  test('rejects writes naming an unknown property with PROPERTY_DOESNT_EXIST and the property name', async () => {
    const single = await h.call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'x@example.com', shoe_size: '42' },
    });
    assert.equal(single.status, 400);
    assert.equal(single.body.category, 'VALIDATION_ERROR');
    assert.match(single.body.message, /shoe_size/);
    assert.match(single.body.message, /PROPERTY_DOESNT_EXIST/);
    const batch = await h.call('POST', '/crm/v3/objects/companies/batch/create', {
      inputs: [{ properties: { name: 'Acme' } }, { properties: { name: 'Bad', colour: 'red' } }],
    });
    assert.equal(batch.status, 400);
    assert.match(batch.body.message, /colour/);
    assert.equal(h.emulator.state.all('contacts').length + h.emulator.state.all('companies').length, 0);
  });

  test('rejects an invalid e-mail with INVALID_EMAIL and a duplicate one with 409 CONFLICT', async () => {
    const bad = await h.call('POST', '/crm/v3/objects/contacts', { properties: { email: 'not-an-email' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /INVALID_EMAIL/);
    const first = await h.call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'dup@example.com' },
    });
    assert.equal(first.status, 201);
    const dup = await h.call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'Dup@Example.com' },
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.category, 'CONFLICT');
    assert.match(dup.body.message, new RegExp(`Existing ID: ${first.body.id}`));
  });

  test('list paging with limit and after visits every contact exactly once', async () => {
    for (let i = 0; i < 25; i++) h.emulator.state.insert('contacts', { email: `p${i}@example.com` });
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const res = await h.call(
        'GET',
        `/crm/v3/objects/contacts?limit=10&properties=email${after ? `&after=${after}` : ''}`,
      );
      assert.equal(res.status, 200);
      seen.push(...res.body.results.map((r: ApiObject) => r.id));
      after = res.body.paging?.next?.after;
      pages++;
    } while (after);
    assert.equal(pages, 3);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    assert.equal((await h.call('GET', '/crm/v3/objects/contacts?limit=101')).status, 400);
  });

  test('single GET by idProperty, PATCH and DELETE (archive) behave like HubSpot', async () => {
    const created = await h.call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'g@example.com', firstname: 'G' },
    });
    const byEmail = await h.call(
      'GET',
      '/crm/v3/objects/contacts/g%40example.com?idProperty=email&properties=firstname',
    );
    assert.equal(byEmail.status, 200);
    assert.equal(byEmail.body.id, created.body.id);
    assert.equal(byEmail.body.properties.firstname, 'G');
    const patched = await h.call('PATCH', `/crm/v3/objects/contacts/${created.body.id}`, {
      properties: { firstname: '' },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.properties.firstname, undefined);
    assert.equal((await h.call('DELETE', `/crm/v3/objects/contacts/${created.body.id}`)).status, 204);
    assert.equal((await h.call('GET', `/crm/v3/objects/contacts/${created.body.id}`)).status, 404);
    const archived = await h.call('GET', `/crm/v3/objects/contacts/${created.body.id}?archived=true`);
    assert.equal(archived.body.archived, true);
  });

  test('upserts by a custom unique property and refuses a non-unique idProperty', async () => {
    const prop = await h.call('POST', '/crm/v3/properties/contacts', {
      name: 'erp_id',
      label: 'ERP id',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
      hasUniqueValue: true,
    });
    assert.equal(prop.status, 201);
    assert.equal(prop.body.hasUniqueValue, true);
    assert.equal((await h.call('GET', '/crm/v3/properties/contacts/erp_id')).body.name, 'erp_id');
    const up = await h.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 'E-1', idProperty: 'erp_id', properties: { firstname: 'Eve' } }],
    });
    assert.equal(up.status, 200);
    assert.equal(up.body.results[0].properties.erp_id, 'E-1');
    const nonUnique = await h.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 'Eve', idProperty: 'firstname', properties: {} }],
    });
    assert.equal(nonUnique.status, 400);
    assert.equal(nonUnique.body.category, 'VALIDATION_ERROR');
  });

  test('gdpr-delete removes the contact for good and counts as a write', async () => {
    const c = h.emulator.state.insert('contacts', { email: 'forget@example.com' });
    const res = await h.call('POST', '/crm/v3/objects/contacts/gdpr-delete', {
      objectId: 'forget@example.com',
      idProperty: 'email',
    });
    assert.equal(res.status, 204);
    assert.equal(h.emulator.state.all('contacts').length, 0);
    assert.equal(h.emulator.state.all('contacts', true).length, 0);
    assert.equal(h.emulator.state.store('contacts').get(c.id), undefined);
    assert.equal(h.emulator.stats.writes, 1);
    assert.equal(h.emulator.stats.byRoute['POST /crm/v3/objects/contacts/gdpr-delete'], 1);
  });

  test('stats count requests per route and write calls only for writes', async () => {
    await h.call('GET', '/crm/v3/objects/contacts');
    await h.call('POST', '/crm/v3/objects/contacts/search', {});
    await h.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 's@example.com', idProperty: 'email', properties: {} }],
    });
    await h.call('GET', '/crm/v3/objects/contacts/1');
    const { stats } = h.emulator;
    assert.equal(stats.total, 4);
    assert.equal(stats.writes, 1);
    assert.equal(stats.byRoute['POST /crm/v3/objects/contacts/batch/upsert'], 1);
    assert.equal(stats.byRoute['GET /crm/v3/objects/contacts/{objectId}'], 1);
  });
});
