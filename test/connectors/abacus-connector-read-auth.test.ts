import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { type AbacusEmulator, createAbacusEmulator } from '../../emulators/abacus/index.ts';
import { swissToday } from '../../src/connectors/abacus/subject-sync.ts';
import type { Connector, Cursor, Page, WriteOp } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { AuthenticationError } from '../../src/core/errors.ts';

const SECRET = { clientId: 'junction-test', clientSecret: 'abacus-secret' };

function connect(
  baseUrl: string,
  config: Record<string, unknown> = {},
  secret: Record<string, unknown> = SECRET,
): Connector {
  return createConnector(
    {
      id: `abacus-${randomUUID()}`,
      name: 'Abacus',
      system: 'abacus',
      config: { baseUrl, mandant: 7777, requestsPer10s: 10_000, ...config },
      secret,
    },
    { log: pino({ level: 'silent' }), signal: new AbortController().signal },
  );
}

const person = (i: number, firstName = 'Test'): WriteOp => ({
  kind: 'upsert',
  ref: `src-${i}`,
  match: { property: 'Reference', value: `P-${i}` },
  properties: {
    Name: `Name ${i}`,
    FirstName: firstName,
    EMail: `p${i}@example.ch`,
    Address: { Street: `Weg ${i}`, PostCode: '3000', City: 'Bern' },
  },
});

async function collect(pages: AsyncIterable<Page>): Promise<Page[]> {
  const out: Page[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('Abacus connector: tokens', () => {
  let emulator: AbacusEmulator;
  let baseUrl: string;
  before(async () => {
    emulator = createAbacusEmulator({ clients: [SECRET], rateLimit: { max: Infinity }, tokenTtlSeconds: 1 });
    baseUrl = await emulator.listen();
  });
  after(() => emulator.close());
  beforeEach(() => emulator.reset());

  test('a token the server ended mid-run is replaced once on the 401 and the write goes through', async () => {
    const abacus = connect(baseUrl);
    await abacus.write('subjects', [person(1)]);
    emulator.expireTokens();
    const [res] = await abacus.write('subjects', [person(2)]);
    assert.equal(res?.ok, true);
    assert.equal(emulator.stats.unauthorized, 1);
    assert.equal(emulator.stats.tokensIssued, 2);
    assert.equal(emulator.state.mandant(7777)?.all('Subjects').length, 2);
  });

  test('a token near its expires_in is renewed before the next call, without a 401', async () => {
    const abacus = connect(baseUrl);
    await abacus.write('subjects', [person(1)]);
    await sleep(1_000);
    const [res] = await abacus.write('subjects', [person(2)]);
    assert.equal(res?.ok, true);
    assert.equal(emulator.stats.unauthorized, 0);
    assert.equal(emulator.stats.tokensIssued, 2);
  });

  test('parallel batches share one token request', async () => {
    const abacus = connect(baseUrl);
    const results = await Promise.all([1, 2, 3].map((i) => abacus.write('subjects', [person(i)])));
    assert.ok(results.flat().every((r) => r.ok));
    assert.equal(emulator.stats.tokensIssued, 1);
    assert.equal(emulator.stats.byRoute['GET /.well-known/openid-configuration'], 1);
  });

  test('wrong client credentials fail check() and end a write with AuthenticationError', async () => {
    const abacus = connect(baseUrl, {}, { ...SECRET, clientSecret: 'wrong' });
    const check = await abacus.check();
    assert.equal(check.ok, false);
    assert.match(check.message, /refused the client credentials \(401 invalid_client/);
    await assert.rejects(abacus.write('subjects', [person(1)]), AuthenticationError);
    assert.equal(emulator.state.mandant(7777)?.all('Subjects').length, 0);
  });

  test('check() fetches a token and reads one subject', async () => {
    const check = await connect(baseUrl).check();
    assert.deepEqual(check, { ok: true, message: 'Abacus mandant 7777 accepted the service user' });
    assert.equal(emulator.stats.byRoute['GET /api/entity/v1/mandants/{mandant}/Subjects'], 1);
  });
});

describe('Abacus connector: reads and description', () => {
  let emulator: AbacusEmulator;
  let baseUrl: string;
  before(async () => {
    emulator = createAbacusEmulator({ clients: [SECRET], rateLimit: { max: Infinity } });
    baseUrl = await emulator.listen();
    const results = await connect(baseUrl).write(
      'subjects',
      [1, 2, 3, 4, 5].map((i) => person(i)),
    );
    assert.ok(results.every((r) => r.ok));
  });
  after(() => emulator.close());

  test('read() follows @odata.nextLink and yields subjects with address, e-mail and reference', async () => {
    const pages = await collect(connect(baseUrl, { pageSize: 2 }).read('subjects', { keyField: 'Id' }));
    assert.deepEqual(
      pages.map((p) => p.records.length),
      [2, 2, 1],
    );
    assert.equal(pages[2]?.cursor, null);
    const first = pages[0]?.records[0];
    assert.equal(first?.key, '1');
    assert.equal(first?.data.Reference, 'P-1');
    assert.equal(first?.data.EMail, 'p1@example.ch');
    assert.deepEqual(first?.data.Address, {
      Street: 'Weg 1',
      HouseNumber: '',
      PostCode: '3000',
      City: 'Bern',
      CountryId: 'CH',
      ValidFrom: swissToday(),
    });
  });

  test('a read resumed from a page cursor continues after that page', async () => {
    const abacus = connect(baseUrl, { pageSize: 2 });
    const [firstPage] = await collect(abacus.read('subjects', { keyField: 'Id' }));
    const rest = await collect(
      abacus.read('subjects', { keyField: 'Id', after: firstPage?.cursor ?? undefined }),
    );
    assert.deepEqual(
      rest.flatMap((p) => p.records.map((r) => r.key)),
      ['3', '4', '5'],
    );
  });

  test('an incremental read from a cursor yields only subjects changed since', async () => {
    const abacus = connect(baseUrl, { pageSize: 2 });
    const full = await collect(abacus.read('subjects', { keyField: 'Id', modifiedField: 'ChangedOn' }));
    assert.equal(full.flatMap((p) => p.records).length, 5);
    const cursor = full[full.length - 1]?.cursor as Cursor;
    await sleep(5);
    await abacus.write('subjects', [person(2, 'Changed')]);
    const changed = await collect(
      abacus.read('subjects', { keyField: 'Id', modifiedField: 'ChangedOn', after: cursor }),
    );
    assert.deepEqual(
      changed.flatMap((p) => p.records.map((r) => [r.key, r.data.FirstName])),
      [['2', 'Changed']],
    );
  });

  test('describe() lists the subject fields, the reference and the address parts', async () => {
    const [subjects] = await connect(baseUrl).describe();
    assert.equal(subjects?.name, 'subjects');
    const names = subjects?.fields.map((f) => f.name) ?? [];
    for (const name of [
      'Id',
      'Reference',
      'Name',
      'FirstName',
      'EMail',
      'Address.Street',
      'Address.City',
      'Address.CountryId',
    ])
      assert.ok(names.includes(name), name);
    assert.equal(subjects?.fields.find((f) => f.name === 'Name')?.required, true);
  });
});
