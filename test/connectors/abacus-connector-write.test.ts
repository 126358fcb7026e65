import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import pino from 'pino';
import { type AbacusEmulator, createAbacusEmulator } from '../../emulators/abacus/index.ts';
import { swissToday } from '../../src/connectors/abacus/subject-sync.ts';
import type { Connector, WriteOp } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';

const SECRET = { clientId: 'junction-test', clientSecret: 'abacus-secret' };

function connect(baseUrl: string, mandant: number, extra: Record<string, unknown> = {}): Connector {
  return createConnector(
    {
      id: `abacus-${randomUUID()}`,
      name: `Abacus ${mandant}`,
      system: 'abacus',
      config: { baseUrl, mandant, requestsPer10s: 10_000, ...extra },
      secret: SECRET,
    },
    { log: pino({ level: 'silent' }), signal: new AbortController().signal },
  );
}

const anna = {
  Name: 'Muster',
  FirstName: 'Anna',
  Language: 'de',
  SalutationId: 2,
  Address: { Street: 'Bahnhofstrasse 1', PostCode: '8001', City: 'Zürich', CountryId: 'CH' },
  EMail: 'Anna.Muster@example.ch',
};
const upsert = (ref: string, reference: string, properties: Record<string, unknown>): WriteOp => ({
  kind: 'upsert',
  ref,
  match: { property: 'Reference', value: reference },
  properties,
});

describe('Abacus connector: writes', () => {
  let emulator: AbacusEmulator;
  let baseUrl: string;
  let abacus: Connector;
  const subjects = (m = 7777) => emulator.state.mandant(m)?.all('Subjects') ?? [];
  const children = (set: 'Addresses' | 'Communications', m = 7777) =>
    emulator.state.mandant(m)?.all(set) ?? [];

  before(async () => {
    emulator = createAbacusEmulator({ clients: [SECRET], rateLimit: { max: Infinity } });
    baseUrl = await emulator.listen();
  });
  after(() => emulator.close());
  beforeEach(() => {
    emulator.reset();
    abacus = connect(baseUrl, 7777);
  });

  test('upsert by Reference creates subject, address and e-mail, then updates the same subject', async () => {
    const [first] = await abacus.write('subjects', [upsert('src-1', 'P-100', anna)]);
    assert.deepEqual(first, { ref: 'src-1', ok: true, externalId: '1', created: true });
    assert.equal(subjects()[0]?.Name, 'Muster');
    assert.deepEqual(subjects()[0]?.UserFields, {
      UserField1: 'P-100',
      UserField2: '',
      UserField3: '',
      UserField4: '',
      UserField5: '',
    });
    assert.deepEqual(
      children('Addresses').map((a) => [a.Street, a.PostCode, a.City, a.CountryId, a.ValidFrom]),
      [['Bahnhofstrasse 1', '8001', 'Zürich', 'CH', swissToday()]],
    );
    assert.deepEqual(
      children('Communications').map((c) => [c.Type, c.Value]),
      [['EMail', 'anna.muster@example.ch']],
    );

    // The address has been valid for a while; a move makes a new one and keeps the old.
    (children('Addresses')[0] as { ValidFrom: string }).ValidFrom = '2020-01-01';
    const moved = {
      ...anna,
      FirstName: 'Anne',
      Address: { ...anna.Address, City: 'Winterthur', PostCode: '8400' },
      EMail: 'anne@example.ch',
    };
    const [second] = await abacus.write('subjects', [upsert('src-1', 'P-100', moved)]);
    assert.deepEqual(second, { ref: 'src-1', ok: true, externalId: '1', created: false });
    assert.equal(subjects().length, 1);
    assert.equal(subjects()[0]?.FirstName, 'Anne');
    assert.deepEqual(
      children('Addresses').map((a) => [a.City, a.ValidFrom]),
      [
        ['Zürich', '2020-01-01'],
        ['Winterthur', swissToday()],
      ],
    );
    assert.deepEqual(
      children('Communications').map((c) => c.Value),
      ['anne@example.ch'],
    );
  });

  test('a second change on the same day corrects today’s address instead of adding one', async () => {
    await abacus.write('subjects', [upsert('a', 'P-1', anna)]);
    await abacus.write('subjects', [
      upsert('a', 'P-1', { ...anna, Address: { ...anna.Address, Street: 'Bahnhofstrasse 2' } }),
    ]);
    assert.deepEqual(
      children('Addresses').map((a) => a.Street),
      ['Bahnhofstrasse 2'],
    );
  });

  test('replaying an upsert creates no second subject and, when nothing changed, writes nothing', async () => {
    const [first] = await abacus.write('subjects', [upsert('a', 'P-7', anna)]);
    const writesBefore = emulator.stats.writes;
    const [replay] = await abacus.write('subjects', [upsert('a', 'P-7', anna)]);
    assert.deepEqual(replay, { ...first, created: false });
    assert.equal(subjects().length, 1);
    assert.equal(emulator.stats.writes, writesBefore);
  });

  test('a replay after a crash behind the subject POST finds the subject and adds what is missing', async () => {
    await abacus.write('subjects', [upsert('a', 'P-8', anna)]);
    // As if the process died right after the subject was created: no address, no e-mail, no result.
    const m = emulator.state.mandant(7777);
    for (const set of ['Addresses', 'Communications'] as const)
      for (const row of children(set)) m?.delete(set, String(row.Id));
    const [replay] = await abacus.write('subjects', [upsert('a', 'P-8', anna)]);
    assert.deepEqual(replay, { ref: 'a', ok: true, externalId: '1', created: false });
    assert.equal(subjects().length, 1);
    assert.equal(children('Addresses').length, 1);
    assert.equal(children('Communications').length, 1);
  });

  test('upsert by EMail finds the subject through its communication, whatever the case', async () => {
    const byMail = (ref: string, props: Record<string, unknown>): WriteOp => ({
      kind: 'upsert',
      ref,
      match: { property: 'EMail', value: 'ANNA.muster@example.ch' },
      properties: props,
    });
    const [created] = await abacus.write('subjects', [byMail('a', anna)]);
    const [updated] = await abacus.write('subjects', [byMail('a', { ...anna, Name: 'Muster-Keller' })]);
    assert.equal(created?.ok && created.created, true);
    assert.deepEqual(updated, { ref: 'a', ok: true, externalId: '1', created: false });
    assert.equal(subjects()[0]?.Name, 'Muster-Keller');
  });

  test('the same person in two mandants gets two different subject Ids', async () => {
    // Mandant 2 already holds a subject, so its number range is further on.
    const m2 = emulator.state.mandant(2);
    await connect(baseUrl, 2).write('subjects', [upsert('x', 'OTHER', { Name: 'Vorhanden' })]);
    const [one] = await connect(baseUrl, 1).write('subjects', [upsert('p', 'P-100', anna)]);
    const [two] = await connect(baseUrl, 2).write('subjects', [upsert('p', 'P-100', anna)]);
    assert.ok(one?.ok && two?.ok);
    assert.equal(one.externalId, '1');
    assert.equal(two.externalId, '2');
    assert.equal(subjects(1).length, 1);
    assert.equal(
      m2?.all('Subjects').filter((s) => (s.UserFields as Record<string, string>).UserField1 === 'P-100')
        .length,
      1,
    );
  });

  test('an invalid record fails alone with a non-retryable abacus_ code; its neighbours are written', async () => {
    const results = await abacus.write('subjects', [
      upsert('ok-1', 'P-1', anna),
      upsert('too-long', 'P-2', { ...anna, Name: 'x'.repeat(101) }),
      upsert('no-name', 'P-3', { FirstName: 'Nameless' }),
      upsert('ok-2', 'P-4', { ...anna, EMail: 'other@example.ch' }),
    ]);
    assert.deepEqual(
      results.map((r) => [r.ref, r.ok]),
      [
        ['ok-1', true],
        ['too-long', false],
        ['no-name', false],
        ['ok-2', true],
      ],
    );
    const [, tooLong, noName] = results;
    assert.ok(tooLong && !tooLong.ok && noName && !noName.ok);
    assert.equal(tooLong.code, 'abacus_bad_request');
    assert.equal(tooLong.retryable, false);
    assert.match(tooLong.message, /Name/);
    assert.equal(noName.code, 'abacus_invalid_record');
    assert.equal(noName.retryable, false);
    assert.equal(subjects().length, 2);
  });

  test('update by externalId changes the subject; an unknown Id fails as abacus_not_found', async () => {
    await abacus.write('subjects', [upsert('a', 'P-1', anna)]);
    const results = await abacus.write('subjects', [
      { kind: 'update', ref: 'a', externalId: '1', properties: { ...anna, FirstName: 'Annette' } },
      { kind: 'update', ref: 'b', externalId: '99', properties: anna },
    ]);
    assert.deepEqual(results[0], { ref: 'a', ok: true, externalId: '1', created: false });
    assert.deepEqual(results[1] && !results[1].ok && [results[1].code, results[1].retryable], [
      'abacus_not_found',
      false,
    ]);
    assert.equal(subjects()[0]?.FirstName, 'Annette');
  });

  test('delete removes the subject and a replayed delete still succeeds', async () => {
    await abacus.write('subjects', [upsert('a', 'P-1', anna)]);
    const op: WriteOp = { kind: 'delete', ref: 'a', externalId: '1' };
    assert.deepEqual(await abacus.write('subjects', [op]), [
      { ref: 'a', ok: true, externalId: '1', created: false },
    ]);
    assert.equal(subjects().length, 0);
    assert.equal((await abacus.write('subjects', [op]))[0]?.ok, true);
  });

  test('a 429 storm that outlasts the retries fails the record as retryable abacus_too_many_requests', async () => {
    await abacus.check();
    emulator.setFaults({ rateLimitStorm: true });
    const [res] = await abacus.write('subjects', [upsert('a', 'P-1', anna)]);
    emulator.setFaults({ rateLimitStorm: false });
    assert.ok(res && !res.ok);
    assert.equal(res.code, 'abacus_too_many_requests');
    assert.equal(res.retryable, true);
    assert.equal(subjects().length, 0);
  });
});
