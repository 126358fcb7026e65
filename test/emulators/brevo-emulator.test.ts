import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';

const KEY = 'xkeysib-test';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any Brevo answer
type Answer = { status: number; headers: Headers; body: any };

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = KEY,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key !== null) headers['api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('Brevo emulator: contacts contract', () => {
  let brevo: BrevoEmulator;
  let base: string;
  const api = (method: string, path: string, body?: unknown, key?: string | null) =>
    call(base, method, path, body, key);

  before(async () => {
    brevo = createBrevoEmulator({ apiKeys: [KEY], rateLimit: { max: Number.POSITIVE_INFINITY } });
    base = await brevo.listen();
  });
  after(() => brevo.close());
  beforeEach(() => brevo.reset());

  test('creates a contact with 201 { id }, and refuses the same e-mail without updateEnabled with 400 duplicate_parameter', async () => {
    const created = await api('POST', '/v3/contacts', {
      email: 'ada@example.com',
      attributes: { FIRSTNAME: 'Ada' },
    });
    assert.equal(created.status, 201);
    assert.equal(typeof created.body.id, 'number');

    const again = await api('POST', '/v3/contacts', {
      email: 'ADA@example.com',
      attributes: { FIRSTNAME: 'Other' },
    });
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 'duplicate_parameter');
    assert.equal(typeof again.body.message, 'string');
    assert.equal(brevo.state.all().length, 1);
    assert.equal(brevo.state.all()[0]?.attributes.FIRSTNAME, 'Ada');
  });

  test('with updateEnabled an existing e-mail is updated in place and answered 204 without a body', async () => {
    const { body } = await api('POST', '/v3/contacts', {
      email: 'ada@example.com',
      attributes: { FIRSTNAME: 'Ada' },
    });
    const updated = await api('POST', '/v3/contacts', {
      email: 'ada@example.com',
      updateEnabled: true,
      attributes: { LASTNAME: 'Lovelace' },
    });
    assert.equal(updated.status, 204);
    assert.equal(updated.body, undefined);
    const [only, ...rest] = brevo.state.all();
    assert.equal(rest.length, 0);
    assert.equal(only?.id, body.id);
    assert.deepEqual(only?.attributes, { FIRSTNAME: 'Ada', LASTNAME: 'Lovelace' });
  });

  test('rejects an invalid e-mail, an unknown attribute and an unknown list with 400 invalid_parameter', async () => {
    for (const payload of [
      { email: 'not-an-address' },
      { email: 'a@example.com', attributes: { NOPE: 'x' } },
      { email: 'a@example.com', listIds: [99] },
    ]) {
      const res = await api('POST', '/v3/contacts', payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.equal(res.body.code, 'invalid_parameter');
    }
    const missing = await api('POST', '/v3/contacts', { attributes: { FIRSTNAME: 'Nobody' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'missing_parameter');
    assert.equal(brevo.state.all().length, 0);
  });

  test('reads a contact by e-mail, id or ext_id, shows EXT_ID among the attributes, and answers 404 document_not_found', async () => {
    const { body } = await api('POST', '/v3/contacts', {
      email: 'ada@example.com',
      ext_id: 'P-1',
      attributes: { FIRSTNAME: 'Ada' },
    });
    for (const path of [
      '/v3/contacts/ada%40example.com',
      `/v3/contacts/${body.id}`,
      `/v3/contacts/${body.id}?identifierType=contact_id`,
      '/v3/contacts/P-1?identifierType=ext_id',
    ]) {
      const res = await api('GET', path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body.id, body.id);
      assert.equal(res.body.email, 'ada@example.com');
      assert.equal(res.body.attributes.EXT_ID, 'P-1');
      assert.equal(res.body.emailBlacklisted, false);
    }
    const missing = await api('GET', '/v3/contacts/nobody%40example.com');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'document_not_found');
    assert.equal((await api('GET', '/v3/contacts/x?identifierType=bogus')).body.code, 'invalid_parameter');
  });

  test('PUT updates by contact_id with 204; a new address goes through attributes.EMAIL and lifts the blocklisting', async () => {
    const { body } = await api('POST', '/v3/contacts', {
      email: 'ada@example.com',
      attributes: { FIRSTNAME: 'Ada' },
    });
    brevo.state.unsubscribe('ada@example.com');
    const put = await api('PUT', `/v3/contacts/${body.id}?identifierType=contact_id`, {
      attributes: { FIRSTNAME: 'Augusta' },
    });
    assert.equal(put.status, 204);
    assert.equal(
      brevo.state.get(body.id)?.emailBlacklisted,
      true,
      'an attribute change keeps the unsubscribe',
    );

    const moved = await api('PUT', `/v3/contacts/${body.id}?identifierType=contact_id`, {
      attributes: { EMAIL: 'augusta@example.com' },
    });
    assert.equal(moved.status, 204);
    const contact = brevo.state.get(body.id);
    assert.equal(contact?.email, 'augusta@example.com');
    assert.equal(contact?.attributes.FIRSTNAME, 'Augusta');
    assert.equal(contact?.emailBlacklisted, false);
    assert.equal(brevo.state.findByEmail('ada@example.com'), undefined);

    const gone = await api('PUT', '/v3/contacts/999?identifierType=contact_id', {
      attributes: { FIRSTNAME: 'X' },
    });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'document_not_found');
  });

  test('PUT refuses an address another contact holds with 400 duplicate_parameter', async () => {
    await api('POST', '/v3/contacts', { email: 'a@example.com' });
    const { body } = await api('POST', '/v3/contacts', { email: 'b@example.com' });
    const res = await api('PUT', `/v3/contacts/${body.id}`, { attributes: { EMAIL: 'a@example.com' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'duplicate_parameter');
  });

  test('DELETE answers 204, then 404 for the same contact', async () => {
    const { body } = await api('POST', '/v3/contacts', { email: 'ada@example.com' });
    assert.equal((await api('DELETE', `/v3/contacts/${body.id}`)).status, 204);
    const again = await api('DELETE', `/v3/contacts/${body.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'document_not_found');
  });

  test('lists contacts by offset in creation order with a total count, newest first unless sort=asc', async () => {
    for (let i = 1; i <= 5; i++) brevo.state.insert({ email: `p${i}@example.com` });
    const first = await api('GET', '/v3/contacts?limit=2&offset=0&sort=asc');
    assert.equal(first.status, 200);
    assert.equal(first.body.count, 5);
    assert.deepEqual(
      first.body.contacts.map((c: { email: string }) => c.email),
      ['p1@example.com', 'p2@example.com'],
    );
    const last = await api('GET', '/v3/contacts?limit=2&offset=4&sort=asc');
    assert.deepEqual(
      last.body.contacts.map((c: { email: string }) => c.email),
      ['p5@example.com'],
    );
    const desc = await api('GET', '/v3/contacts?limit=1');
    assert.equal(desc.body.contacts[0].email, 'p5@example.com');
    const tooMany = await api('GET', '/v3/contacts?limit=1001');
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.code, 'out_of_range');
  });

  test('modifiedSince returns only contacts modified after the given time, and counts only those', async () => {
    brevo.state.insert({ email: 'old@example.com' });
    const changed = brevo.state.insert({ email: 'changed@example.com' });
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    brevo.state.update(changed, { attributes: { FIRSTNAME: 'New' } });
    brevo.state.insert({ email: 'new@example.com' });
    const res = await api('GET', `/v3/contacts?modifiedSince=${encodeURIComponent(since)}&sort=asc`);
    assert.equal(res.status, 200);
    assert.equal(res.body.count, 2);
    assert.deepEqual(
      res.body.contacts.map((c: { email: string }) => c.email),
      ['changed@example.com', 'new@example.com'],
    );
    assert.equal((await api('GET', '/v3/contacts?modifiedSince=yesterday')).body.code, 'invalid_parameter');
  });

  test('describes attributes and takes new ones; lists are created with 201 and contacts added and removed', async () => {
    const attrs = await api('GET', '/v3/contacts/attributes');
    assert.deepEqual(
      attrs.body.attributes.map((a: { name: string }) => a.name),
      ['FIRSTNAME', 'LASTNAME', 'SMS'],
    );
    assert.equal((await api('POST', '/v3/contacts/attributes/normal/CANTON', { type: 'text' })).status, 201);
    assert.ok(brevo.state.attribute('CANTON'));

    const list = await api('POST', '/v3/contacts/lists', { name: 'Newsletter', folderId: 1 });
    assert.equal(list.status, 201);
    await api('POST', '/v3/contacts', { email: 'a@example.com' });
    const added = await api('POST', `/v3/contacts/lists/${list.body.id}/contacts/add`, {
      emails: ['a@example.com', 'nobody@example.com'],
    });
    assert.equal(added.status, 201);
    assert.deepEqual(added.body.contacts, { success: ['a@example.com'], failure: ['nobody@example.com'] });
    assert.deepEqual(brevo.state.findByEmail('a@example.com')?.listIds, [list.body.id]);
    const lists = await api('GET', '/v3/contacts/lists');
    assert.equal(lists.body.lists[0].uniqueSubscribers, 1);
    await api('POST', `/v3/contacts/lists/${list.body.id}/contacts/remove`, { emails: ['a@example.com'] });
    assert.deepEqual(brevo.state.findByEmail('a@example.com')?.listIds, []);
    assert.equal(
      (await api('POST', '/v3/contacts/lists/77/contacts/add', { emails: ['a@example.com'] })).status,
      404,
    );
  });

  test('batch update answers 204 and applies all, or applies none when one entry names an unknown contact', async () => {
    const a = brevo.state.insert({ email: 'a@example.com' });
    brevo.state.insert({ email: 'b@example.com' });
    const ok = await api('POST', '/v3/contacts/batch', {
      contacts: [
        { id: a.id, attributes: { FIRSTNAME: 'A' } },
        { email: 'b@example.com', attributes: { FIRSTNAME: 'B' } },
      ],
    });
    assert.equal(ok.status, 204);
    assert.deepEqual(
      brevo.state.all().map((c) => c.attributes.FIRSTNAME),
      ['A', 'B'],
    );

    const bad = await api('POST', '/v3/contacts/batch', {
      contacts: [
        { id: a.id, attributes: { FIRSTNAME: 'changed' } },
        { id: 999, attributes: { FIRSTNAME: 'X' } },
      ],
    });
    assert.equal(bad.status, 404);
    assert.equal(bad.body.code, 'document_not_found');
    assert.equal(brevo.state.get(a.id)?.attributes.FIRSTNAME, 'A');
  });

  test('answers 401 unauthorized without an api-key or with an unknown one, and GET /v3/account with a good one', async () => {
    for (const key of [null, 'wrong']) {
      const res = await api('GET', '/v3/contacts', undefined, key);
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'unauthorized');
    }
    const account = await api('GET', '/v3/account');
    assert.equal(account.status, 200);
    assert.equal(typeof account.body.email, 'string');
    assert.equal(brevo.stats.total, 3);
  });
});
