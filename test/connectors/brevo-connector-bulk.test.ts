import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import type { Connector, WriteJournal, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { CancelledError } from '../../src/core/errors.ts';
import { eventually } from '../helpers/eventually.ts';

const KEY = 'xkeysib-test';
const log = pino({ level: 'silent' });

function connect(base: string, signal = new AbortController().signal): Connector {
  return createConnector(
    {
      id: `brevo-${randomUUID()}`,
      name: 'Brevo',
      system: 'brevo',
      config: { baseUrl: `${base}/v3`, requestsPerSecond: 200 },
      secret: { apiKey: KEY },
    },
    { log, signal },
  );
}

/** The journal as the engine keeps it, in memory. */
function memoryJournal(): WriteJournal & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  return {
    entries,
    get: async (key) => entries.get(key) ?? null,
    put: async (key, value) => {
      entries.set(key, value);
    },
  };
}

const person = (i: number, list: number, email = `p${i}@example.com`): WriteOp => ({
  kind: 'upsert',
  ref: `p${i}`,
  match: { property: 'email', value: email },
  properties: { email, listIds: [list], attributes: { FIRSTNAME: `P${i}` } },
});

const failed = (r: WriteResult | undefined) => {
  assert.ok(r && !r.ok, `expected a failure, got ${JSON.stringify(r)}`);
  return r as Extract<WriteResult, { ok: false }>;
};
const calls = (brevo: BrevoEmulator, route: string) => brevo.stats.byRoute[route] ?? 0;

describe('Brevo connector: bulk writes (imports and batch updates)', () => {
  let brevo: BrevoEmulator;
  let base: string;
  let list: number;

  before(async () => {
    brevo = createBrevoEmulator({
      apiKeys: [KEY],
      rateLimit: { max: Number.POSITIVE_INFINITY },
      importTiming: { queuedMs: 20, processMs: 50, perRowMs: 0 },
    });
    base = await brevo.listen();
  });
  after(() => brevo.close());
  beforeEach(() => {
    brevo.reset();
    list = brevo.state.createList('Newsletter').id;
  });

  test('a page of new contacts goes through one import: every record created with its Brevo id and on the list', async () => {
    const ops = Array.from({ length: 300 }, (_, i) => person(i, list));
    const results = await connect(base).write('contacts', ops);
    assert.equal(calls(brevo, 'POST /v3/contacts/import'), 1);
    assert.equal(calls(brevo, 'POST /v3/contacts'), 0, 'no single create');
    assert.equal(calls(brevo, 'GET /v3/contacts'), 1, 'ids read back 1 000 a call');
    for (const [i, r] of results.entries()) {
      const contact = brevo.state.findByEmail(`p${i}@example.com`);
      assert.deepEqual(r, { ref: `p${i}`, ok: true, externalId: String(contact?.id), created: true });
      assert.deepEqual(contact?.listIds, [list]);
    }
    assert.ok(brevo.stats.total < 15, `${brevo.stats.total} calls for 300 contacts`);
  });

  test('invalid e-mails in an import fail alone with Brevo’s reason; existing contacts count as updated; a second row of one address updates after the import', async () => {
    const known = brevo.state.insert({ email: 'p1@example.com', attributes: { FIRSTNAME: 'Old' } });
    // Existing contacts were made before the import: not in the very millisecond it starts.
    await sleep(5);
    const ops = Array.from({ length: 40 }, (_, i) => person(i, list));
    ops[5] = person(5, list, 'not-an-address');
    ops[6] = person(6, list, 'also@invalid');
    ops.push(person(99, list, 'p2@example.com'));
    const results = await connect(base).write('contacts', ops);
    const bad = failed(results[5]);
    assert.equal(bad.code, 'brevo_import_invalid_emails');
    assert.match(bad.message, /not-an-address: Invalid email address/);
    assert.equal(bad.retryable, false);
    assert.equal(failed(results[6]).code, 'brevo_import_invalid_emails');
    const updated = results[1];
    assert.deepEqual(updated, { ref: 'p1', ok: true, externalId: String(known.id), created: false });
    assert.equal(brevo.state.get(known.id)?.attributes.FIRSTNAME, 'P1');
    const again = results[40];
    assert.ok(again?.ok && !again.created);
    assert.equal(again.externalId, String(brevo.state.findByEmail('p2@example.com')?.id));
    assert.equal(results.filter((r) => r.ok).length, 39);
    assert.equal(brevo.state.all().length, 38);
  });

  test('a batch update Brevo refuses is split in halves: only the refused contacts fail, with Brevo’s code', async () => {
    const ids = Array.from({ length: 64 }, (_, i) => brevo.state.insert({ email: `u${i}@example.com` }).id);
    const ops: WriteOp[] = ids.map((id, i) => ({
      kind: 'update',
      ref: `u${i}`,
      externalId: String(id),
      properties: { attributes: { FIRSTNAME: `U${i}` } },
    }));
    ops[10] = { kind: 'update', ref: 'u10', externalId: String(ids[10]), properties: { email: 'broken@' } };
    ops[50] = {
      kind: 'update',
      ref: 'u50',
      externalId: '987654',
      properties: { attributes: { FIRSTNAME: 'X' } },
    };
    const results = await connect(base).write('contacts', ops);
    assert.equal(failed(results[10]).code, 'brevo_invalid_parameter');
    assert.match(failed(results[10]).message, /Invalid email address/);
    assert.equal(failed(results[50]).code, 'brevo_document_not_found');
    assert.equal(results.filter((r) => r.ok).length, 62);
    assert.equal(brevo.state.findByEmail('u11@example.com')?.attributes.FIRSTNAME, 'U11');
    assert.equal(calls(brevo, 'PUT /v3/contacts/{identifier}'), 0, 'no single update');
    assert.ok(calls(brevo, 'POST /v3/contacts/batch') <= 1 + 2 * 2 * 6, 'halvings, not one call per contact');
  });

  test('a run killed while its import process runs picks the process up again: no second import, no duplicate, no contact lost', async () => {
    const journal = memoryJournal();
    const ops = Array.from({ length: 50 }, (_, i) => person(i, list));
    brevo.imports.hold();
    const killed = new AbortController();
    const first = connect(base, killed.signal).write('contacts', ops, { journal });
    await eventually('the import process is in the journal', () => journal.entries.size === 1);
    killed.abort(new CancelledError('killed'));
    await assert.rejects(first, CancelledError);
    assert.equal(brevo.state.all().length, 0, 'Brevo is still importing');

    brevo.imports.release();
    const results = await connect(base).write('contacts', ops, { journal });
    assert.equal(calls(brevo, 'POST /v3/contacts/import'), 1, 'the process was picked up, not started again');
    assert.equal(results.filter((r) => r.ok && r.created).length, 50);
    assert.equal(brevo.state.all().length, 50);
  });

  test('a journal entry naming a process Brevo does not know starts the import afresh', async () => {
    const journal = memoryJournal();
    const ops = Array.from({ length: 25 }, (_, i) => person(i, list));
    await connect(base).write('contacts', ops, { journal });
    brevo.imports.reset();
    brevo.state.reset();
    list = brevo.state.createList('Newsletter').id;
    const results = await connect(base).write('contacts', ops, { journal });
    assert.equal(calls(brevo, 'POST /v3/contacts/import'), 2);
    assert.equal(results.filter((r) => r.ok).length, 25);
  });

  test('a few new contacts, contacts without a list and deletes still go one call each', async () => {
    const gone = brevo.state.insert({ email: 'gone@example.com' }).id;
    const ops: WriteOp[] = [
      ...Array.from({ length: 3 }, (_, i) => person(i, list)),
      {
        kind: 'upsert',
        ref: 'nolist',
        match: { property: 'email', value: 'n@example.com' },
        properties: { email: 'n@example.com' },
      },
      { kind: 'delete', ref: 'gone', externalId: String(gone) },
    ];
    const results = await connect(base).write('contacts', ops);
    assert.ok(results.every((r) => r.ok));
    assert.equal(calls(brevo, 'POST /v3/contacts/import'), 0);
    assert.equal(calls(brevo, 'POST /v3/contacts'), 4);
    assert.equal(brevo.state.get(gone), undefined);
  });
});
