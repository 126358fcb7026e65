/**
 * Brevo's official Node client (`@getbrevo/brevo`) drives the Brevo emulator as a new user's integration
 * would drive api.brevo.com: only `baseUrl` points elsewhere. Contacts, attributes, lists with their
 * contacts, folders, batch updates and `modifiedSince` paging; a call the SDK cannot make fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrevoClient, BrevoError } from '@getbrevo/brevo';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';

const KEY = 'xkeysib-sdk-test';

async function brevoError(call: Promise<unknown>): Promise<BrevoError> {
  try {
    await call;
  } catch (error) {
    assert.ok(
      error instanceof BrevoError,
      `the SDK threw something other than a BrevoError: ${String(error)}`,
    );
    return error;
  }
  assert.fail('the SDK call succeeded where it should have failed');
}

describe('Brevo emulator through the official SDK (@getbrevo/brevo)', () => {
  let emulator: BrevoEmulator;
  let brevo: BrevoClient;
  let base: string;
  before(async () => {
    emulator = createBrevoEmulator({ apiKeys: [KEY], rateLimit: { max: Number.POSITIVE_INFINITY } });
    base = await emulator.listen();
    // No retries: each SDK call is exactly one request.
    brevo = new BrevoClient({ apiKey: KEY, baseUrl: `${base}/v3`, maxRetries: 0 });
  });
  after(() => emulator.close());

  test('contacts: create, read by e-mail, update, duplicate refused, attributes listed and created', async () => {
    await brevo.contacts.createAttribute({
      attributeCategory: 'normal',
      attributeName: 'CITY',
      type: 'text',
    });
    const attributes = await brevo.contacts.getAttributes();
    assert.ok(attributes.attributes.some((a) => a.name === 'CITY'));

    const created = await brevo.contacts.createContact({
      email: 'anna@example.com',
      attributes: { FIRSTNAME: 'Anna', CITY: 'Bern' },
    });
    assert.equal(typeof created?.id, 'number');
    const read = await brevo.contacts.getContactInfo({ identifier: 'anna@example.com' });
    assert.equal(read.id, created?.id);
    assert.equal((read.attributes as Record<string, unknown>).CITY, 'Bern');
    await brevo.contacts.updateContact({ identifier: 'anna@example.com', attributes: { CITY: 'Thun' } });
    const again = await brevo.contacts.getContactInfo({ identifier: String(created?.id) });
    assert.equal((again.attributes as Record<string, unknown>).CITY, 'Thun');

    const duplicate = await brevoError(brevo.contacts.createContact({ email: 'anna@example.com' }));
    assert.equal(duplicate.statusCode, 400);
    assert.equal((duplicate.body as { code: string }).code, 'duplicate_parameter');
    const missing = await brevoError(brevo.contacts.getContactInfo({ identifier: 'nobody@example.com' }));
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.body as { code: string }).code, 'document_not_found');
  });

  test('folders and lists: create, read, rename, move, list a folder’s lists, delete', async () => {
    const folder = await brevo.contacts.createFolder({ name: 'Kurse' });
    assert.equal(typeof folder.id, 'number');
    const folders = await brevo.contacts.getFolders({ limit: 10, offset: 0 });
    assert.ok(folders.folders?.some((f) => f.id === folder.id && f.name === 'Kurse'));
    assert.equal((await brevo.contacts.getFolder({ folderId: folder.id as number })).name, 'Kurse');

    const list = await brevo.contacts.createList({ name: 'Newsletter', folderId: folder.id as number });
    const one = await brevo.contacts.getList({ listId: list.id as number });
    assert.equal(one.name, 'Newsletter');
    assert.equal(one.folderId, folder.id);
    await brevo.contacts.updateList({ listId: list.id as number, name: 'Newsletter DE' });
    assert.equal((await brevo.contacts.getList({ listId: list.id as number })).name, 'Newsletter DE');
    const inFolder = await brevo.contacts.getFolderLists({ folderId: folder.id as number });
    assert.deepEqual(
      inFolder.lists?.map((l) => l.name),
      ['Newsletter DE'],
    );
    const lists = await brevo.contacts.getLists({ limit: 10, offset: 0 });
    assert.ok(lists.lists?.some((l) => l.id === list.id));

    await brevo.contacts.updateFolder({ folderId: folder.id as number, body: { name: 'Kurse 2027' } });
    assert.equal((await brevo.contacts.getFolder({ folderId: folder.id as number })).name, 'Kurse 2027');
    await brevo.contacts.deleteList({ listId: list.id as number });
    assert.equal((await brevoError(brevo.contacts.getList({ listId: list.id as number }))).statusCode, 404);
    await brevo.contacts.deleteFolder({ folderId: folder.id as number });
    assert.equal(
      (await brevoError(brevo.contacts.getFolder({ folderId: folder.id as number }))).statusCode,
      404,
    );
  });

  test('a list’s contacts: added by e-mail, read back with modifiedSince paging, removed', async () => {
    const list = await brevo.contacts.createList({ name: 'Kunden', folderId: 1 });
    const emails = ['l1@example.com', 'l2@example.com', 'l3@example.com'];
    for (const email of emails) await brevo.contacts.createContact({ email });
    const added = await brevo.contacts.addContactToList({ listId: list.id as number, body: { emails } });
    assert.deepEqual([...(added.contacts.success ?? [])].sort(), emails);

    const page1 = await brevo.contacts.getContactsFromList({
      listId: list.id as number,
      limit: 2,
      offset: 0,
      sort: 'asc',
    });
    assert.equal(page1.count, 3);
    assert.deepEqual(
      page1.contacts.map((c) => c.email),
      ['l1@example.com', 'l2@example.com'],
    );
    const page2 = await brevo.contacts.getContactsFromList({
      listId: list.id as number,
      limit: 2,
      offset: 2,
      sort: 'asc',
    });
    assert.deepEqual(
      page2.contacts.map((c) => c.email),
      ['l3@example.com'],
    );

    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await brevo.contacts.updateBatchContacts({
      contacts: [{ email: 'l2@example.com', attributes: { FIRSTNAME: 'Zwei' } }],
    });
    const changed = await brevo.contacts.getContactsFromList({
      listId: list.id as number,
      modifiedSince: since,
    });
    assert.deepEqual(
      changed.contacts.map((c) => c.email),
      ['l2@example.com'],
    );
    const everywhere = await brevo.contacts.getContacts({ modifiedSince: since, limit: 50, offset: 0 });
    assert.deepEqual(
      everywhere.contacts.map((c) => c.email),
      ['l2@example.com'],
    );

    await brevo.contacts.removeContactFromList({
      listId: list.id as number,
      body: { emails: ['l1@example.com'] },
    });
    const left = await brevo.contacts.getContactsFromList({ listId: list.id as number });
    assert.equal(left.count, 2);
  });

  test('401 for a key the account does not know', async () => {
    const stranger = new BrevoClient({ apiKey: 'xkeysib-unknown', baseUrl: `${base}/v3`, maxRetries: 0 });
    const denied = await brevoError(stranger.contacts.getLists());
    assert.equal(denied.statusCode, 401);
    assert.equal((denied.body as { code: string }).code, 'unauthorized');
  });

  test('429 too_many_requests with x-sib-ratelimit-reset once the key’s window is spent', async () => {
    const limited = createBrevoEmulator({ apiKeys: [KEY], rateLimit: { max: 2, intervalMs: 60_000 } });
    try {
      const client = new BrevoClient({ apiKey: KEY, baseUrl: `${await limited.listen()}/v3`, maxRetries: 0 });
      await client.contacts.getLists();
      await client.contacts.getLists();
      const refused = await brevoError(client.contacts.getLists());
      assert.equal(refused.statusCode, 429);
      assert.equal((refused.body as { code: string }).code, 'too_many_requests');
      assert.equal(refused.rawResponse?.headers.get('x-sib-ratelimit-remaining'), '0');
      assert.ok(Number(refused.rawResponse?.headers.get('x-sib-ratelimit-reset')) > 0);
    } finally {
      await limited.close();
    }
  });
});
