import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { eventually } from '../helpers/eventually.ts';

const KEY = 'xkeysib-test';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any Brevo answer
type Answer = { status: number; body: any; text: string };

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
    method,
    headers: { 'api-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : undefined;
  return { status: res.status, body: json, text };
}

describe('Brevo emulator: contact imports and processes', () => {
  let brevo: BrevoEmulator;
  let base: string;
  let list: number;
  const api = (method: string, path: string, body?: unknown) => call(base, method, path, body);
  const finished = (id: number) =>
    eventually(`process ${id} completed`, async () => {
      const p = await api('GET', `/v3/processes/${id}`);
      return p.body.status === 'completed' && p.body;
    });

  before(async () => {
    brevo = createBrevoEmulator({
      apiKeys: [KEY],
      rateLimit: { max: Number.POSITIVE_INFINITY },
      importTiming: { queuedMs: 400, processMs: 300, perRowMs: 0 },
    });
    base = await brevo.listen();
  });
  after(() => brevo.close());
  beforeEach(() => {
    brevo.reset();
    brevo.imports.timing = { queuedMs: 100, processMs: 100, perRowMs: 0 };
    list = brevo.state.createList('Newsletter').id;
  });

  test('an import answers 202 { processId } and its process goes queued → in_process → completed, then the contacts are there on the list', async () => {
    brevo.imports.timing = { queuedMs: 1500, processMs: 1000, perRowMs: 0 };
    const started = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      jsonBody: [
        { email: 'ada@example.com', attributes: { FIRSTNAME: 'Ada', UNKNOWN_ONE: 'ignored' } },
        { email: 'grace@example.com', attributes: { FIRSTNAME: 'Grace', EXT_ID: 'p-2' } },
      ],
    });
    assert.equal(started.status, 202);
    const id = started.body.processId;
    assert.equal(typeof id, 'number');
    const first = await api('GET', `/v3/processes/${id}`);
    assert.deepEqual(first.body, { id, name: 'IMPORTUSER', status: 'queued' });
    assert.equal(brevo.state.findByEmail('ada@example.com'), undefined, 'nothing is imported while queued');
    await eventually(
      'in_process',
      async () => (await api('GET', `/v3/processes/${id}`)).body.status === 'in_process',
    );
    const done = await finished(id);
    assert.equal(done.info, undefined, 'a clean import names no report');
    const ada = brevo.state.findByEmail('ada@example.com');
    assert.deepEqual(ada?.listIds, [list]);
    assert.deepEqual(ada?.attributes, { FIRSTNAME: 'Ada' }, 'an attribute the account lacks is ignored');
    assert.equal(brevo.state.findByEmail('grace@example.com')?.extId, 'p-2');
  });

  test('rows Brevo refuses are reported in CSV files named by the completed process, never dropped silently', async () => {
    brevo.state.insert({ email: 'taken@example.com', extId: 'p-9' });
    const started = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      jsonBody: [
        { email: 'ok@example.com' },
        { email: 'not-an-address' },
        { email: 'twice@example.com' },
        { email: 'TWICE@example.com' },
        { email: 'other@example.com', attributes: { EXT_ID: 'p-9' } },
      ],
    });
    const done = await finished(started.body.processId);
    const reports = done.info.import;
    assert.deepEqual(Object.keys(reports).sort(), [
      'duplicate_email_id',
      'duplicate_ext_id',
      'invalid_emails',
    ]);
    const invalid = await api('GET', reports.invalid_emails);
    assert.equal(invalid.status, 200);
    assert.equal(invalid.text, 'EMAIL;REASON\nnot-an-address;Invalid email address');
    const duplicates = (await api('GET', reports.duplicate_email_id)).text.split('\n');
    assert.equal(duplicates.length, 3, 'both rows of a duplicated address are reported');
    assert.match((await api('GET', reports.duplicate_ext_id)).text, /other@example\.com;EXT_ID/);
    assert.ok(brevo.state.findByEmail('ok@example.com'));
    assert.equal(brevo.state.findByEmail('twice@example.com'), undefined);
    assert.equal(brevo.state.findByEmail('other@example.com'), undefined);
  });

  test('updateExistingContacts decides whether an existing contact takes the imported attributes; it joins the lists either way', async () => {
    brevo.state.insert({ email: 'ada@example.com', attributes: { FIRSTNAME: 'Old' } });
    const kept = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      updateExistingContacts: false,
      jsonBody: [{ email: 'ada@example.com', attributes: { FIRSTNAME: 'New' } }],
    });
    await finished(kept.body.processId);
    assert.equal(brevo.state.findByEmail('ada@example.com')?.attributes.FIRSTNAME, 'Old');
    assert.deepEqual(brevo.state.findByEmail('ada@example.com')?.listIds, [list]);
    const updated = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      jsonBody: [{ email: 'ada@example.com', attributes: { FIRSTNAME: 'New', LASTNAME: '' } }],
    });
    await finished(updated.body.processId);
    assert.equal(brevo.state.findByEmail('ada@example.com')?.attributes.FIRSTNAME, 'New');
    assert.equal(brevo.state.all().length, 1);
  });

  test('a CSV fileBody imports like a JSON body', async () => {
    const started = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      fileBody: 'EMAIL;FIRSTNAME\nada@example.com;Ada\nbad@;Nobody',
    });
    const done = await finished(started.body.processId);
    assert.ok(done.info.import.invalid_emails);
    assert.equal(brevo.state.findByEmail('ada@example.com')?.attributes.FIRSTNAME, 'Ada');
  });

  test('an import without contacts, without lists or with an unknown list is refused with 400 before any process starts', async () => {
    assert.equal(
      (await api('POST', '/v3/contacts/import', { listIds: [list] })).body.code,
      'missing_parameter',
    );
    assert.equal(
      (await api('POST', '/v3/contacts/import', { jsonBody: [{ email: 'a@example.com' }] })).body.code,
      'missing_parameter',
    );
    const unknown = await api('POST', '/v3/contacts/import', {
      listIds: [999],
      jsonBody: [{ email: 'a@example.com' }],
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'invalid_parameter');
    assert.equal(brevo.imports.list().length, 0);
    const missing = await api('GET', '/v3/processes/4711');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'document_not_found');
  });

  test('a held process stays in_process until released (a client killed mid-import can find it again)', async () => {
    brevo.imports.hold();
    const started = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      jsonBody: [{ email: 'ada@example.com' }],
    });
    const id = started.body.processId;
    await eventually(
      'in_process',
      async () => (await api('GET', `/v3/processes/${id}`)).body.status === 'in_process',
    );
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await api('GET', `/v3/processes/${id}`)).body.status, 'in_process');
    brevo.imports.release();
    await finished(id);
    assert.equal((await api('GET', '/v3/processes?limit=50')).body.count, 1);
  });

  test('imports and processes share the rate limit and the fault injection of every other route', async () => {
    brevo.setFaults({ rateLimitStorm: true });
    const limited = await api('POST', '/v3/contacts/import', {
      listIds: [list],
      jsonBody: [{ email: 'a@example.com' }],
    });
    assert.equal(limited.status, 429);
    assert.equal((await api('GET', '/v3/processes/1')).status, 429);
    brevo.setFaults({ rateLimitStorm: false, errorRate: 1 });
    assert.ok(
      (await api('POST', '/v3/contacts/import', { listIds: [list], jsonBody: [{ email: 'a@example.com' }] }))
        .status >= 500,
    );
    assert.equal(brevo.imports.list().length, 0);
  });
});
