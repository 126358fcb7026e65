import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { type AbacusEmulator, createAbacusEmulator } from '../../emulators/abacus/index.ts';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const people = generatePeople(500);
const TASKS = ['to-abacus-zh', 'to-abacus-be', 'to-brevo'];

function config(businessUrl: string, abacusUrl: string, brevoUrl: string) {
  const person = (target: string) => `
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: ${target}, object: ${target === 'brevo' ? 'contacts' : 'subjects'} }`;
  const abacusFields = `
    matchKey: { target: Reference }
    fields:
      - { target: Reference, from: id }
      - { target: Name, from: last_name }
      - { target: FirstName, from: first_name }
      - { target: EMail, from: email, transform: [{ type: email }] }`;
  return `
connections:
  - { id: erp, system: sql, config: { url: "${businessUrl}" } }
  - { id: abacus-zh, system: abacus, config: { baseUrl: "${abacusUrl}", mandant: 7777, requestsPer10s: 100000, concurrency: 4 }, secret: { clientId: junction, clientSecret: junction-secret } }
  - { id: abacus-be, system: abacus, config: { baseUrl: "${abacusUrl}", mandant: 8888, requestsPer10s: 100000, concurrency: 4 }, secret: { clientId: junction, clientSecret: junction-secret } }
  - { id: brevo, system: brevo, config: { baseUrl: "${brevoUrl}/v3", requestsPerSecond: 10000, concurrency: 8 }, secret: { apiKey: xkeysib-test } }
mappings:
  - id: people-abacus-zh
    name: People → Abacus Zürich${person('abacus-zh')}${abacusFields}
  - id: people-abacus-be
    name: People → Abacus Bern${person('abacus-be')}${abacusFields}
  - id: people-brevo
    name: People → Brevo${person('brevo')}
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: attributes.FIRSTNAME, from: first_name }
      - { target: attributes.LASTNAME, from: last_name }
tasks:
  - { id: to-abacus-zh, mapping: people-abacus-zh }
  - { id: to-abacus-be, mapping: people-abacus-be }
  - { id: to-brevo, mapping: people-brevo }
`;
}

describe('one business record in several systems and tenants', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let abacus: AbacusEmulator;
  let brevo: BrevoEmulator;
  const writes = () => ({ abacus: abacus.stats.writes, brevo: brevo.stats.writes });
  const runAll = () => Promise.all(TASKS.map((t) => runTask(t, { store, log })));

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, people);
    store = await openTestStore(storeDb);
    abacus = createAbacusEmulator({
      mandants: { '7777': { firstSubjectId: 10_001 }, '8888': { firstSubjectId: 50_001 } },
      rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
    });
    brevo = createBrevoEmulator({
      apiKeys: ['xkeysib-test'],
      rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 1000 },
    });
    await applyConfig(
      store,
      parseConfigText(config(business.url, await abacus.listen(), await brevo.listen())),
    );
  });
  after(async () => {
    await store?.close();
    await abacus?.close();
    await brevo?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('500 people synced into two Abacus tenants and Brevo in one go have three links with three different keys each', async () => {
    const runs = await runAll();
    for (const run of runs) {
      assert.equal(run.status, 'succeeded', `${run.taskId}: ${run.error?.message}`);
      assert.equal(run.counts.created, 500, run.taskId);
    }
    assert.equal(abacus.state.mandant(7777)?.all('Subjects').length, 500);
    assert.equal(abacus.state.mandant(8888)?.all('Subjects').length, 500);
    assert.equal(brevo.state.all().length, 500);
    for (const p of people) {
      const links = await store.syncLinks.forSourceKey(String(p.id));
      assert.equal(links.length, 3, `person ${p.id}`);
      assert.deepEqual(links.map((l) => l.targetConnectionId).sort(), ['abacus-be', 'abacus-zh', 'brevo']);
      assert.equal(
        new Set(links.map((l) => l.externalId)).size,
        3,
        `person ${p.id} has three different keys`,
      );
      assert.ok(links.every((l) => l.status === 'ok' && l.lastSuccessAt));
    }
    const zh = (await store.syncLinks.forSourceKey('1')).find((l) => l.targetConnectionId === 'abacus-zh');
    const subject = abacus.state
      .mandant(7777)
      ?.all('Subjects')
      .find((s) => String(s.Id) === zh?.externalId);
    assert.equal(subject?.FirstName, people[0]?.first_name);
  });

  test('an unchanged person costs no write call in any system', async () => {
    const before = writes();
    const runs = await runAll();
    assert.deepEqual(writes(), before);
    for (const run of runs) assert.equal(run.counts.created + run.counts.updated, 0);
  });

  test('a change to one person updates it in all three systems and nowhere else', async () => {
    await withBusinessDb(business, (db) =>
      db
        .updateTable('people')
        .set({ last_name: 'Zürcher-Berner', modified_at: new Date().toISOString() })
        .where('id', '=', 42)
        .execute(),
    );
    const before = writes();
    const runs = await runAll();
    for (const run of runs) {
      assert.equal(run.counts.updated, 1, run.taskId);
      assert.equal(run.counts.created, 0, run.taskId);
    }
    const links = await store.syncLinks.forSourceKey('42');
    const idIn = (c: string) => links.find((l) => l.targetConnectionId === c)?.externalId;
    assert.equal(
      abacus.state
        .mandant(7777)
        ?.all('Subjects')
        .find((s) => String(s.Id) === idIn('abacus-zh'))?.Name,
      'Zürcher-Berner',
    );
    assert.equal(
      abacus.state
        .mandant(8888)
        ?.all('Subjects')
        .find((s) => String(s.Id) === idIn('abacus-be'))?.Name,
      'Zürcher-Berner',
    );
    assert.equal(
      brevo.state.all().find((c) => String(c.id) === idIn('brevo'))?.attributes.LASTNAME,
      'Zürcher-Berner',
    );
    const after = writes();
    assert.ok(
      after.abacus - before.abacus >= 2 && after.abacus - before.abacus <= 4,
      `abacus writes ${after.abacus - before.abacus}`,
    );
    assert.equal(after.brevo - before.brevo, 1);
  });

  test('500s from Brevo fail only the Brevo links of the changed people; the next run retries only those', async () => {
    const changed = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109];
    await withBusinessDb(business, (db) =>
      db
        .updateTable('people')
        .set({ first_name: 'Geändert', modified_at: new Date().toISOString() })
        .where('id', 'in', changed)
        .execute(),
    );
    brevo.setFaults({ errorRate: 1 });
    const [zh, be, br] = await runAll();
    assert.equal(zh?.counts.updated, 10);
    assert.equal(be?.counts.updated, 10);
    assert.equal(br?.counts.failed, 10);
    assert.equal(br?.status, 'warning');
    for (const id of changed) {
      const links = await store.syncLinks.forSourceKey(String(id));
      const status = Object.fromEntries(links.map((l) => [l.targetConnectionId, l.status]));
      assert.deepEqual(status, { 'abacus-zh': 'ok', 'abacus-be': 'ok', brevo: 'retry' }, `person ${id}`);
    }
    const [failed] = await store.executions.items(br?.id ?? '', { action: 'fail' });
    assert.match(failed?.code ?? '', /5\d\d|server|internal/i);

    brevo.setFaults({ errorRate: 0 });
    const before = writes();
    const [zh2, be2, br2] = await runAll();
    assert.equal((zh2?.counts.updated ?? 0) + (be2?.counts.updated ?? 0), 0, 'Abacus has nothing left to do');
    assert.equal(br2?.counts.updated, 10, 'Brevo retries exactly the ten');
    assert.equal(writes().abacus, before.abacus);
    for (const id of changed) {
      const link = (await store.syncLinks.forSourceKey(String(id))).find(
        (l) => l.targetConnectionId === 'brevo',
      );
      assert.equal(link?.status, 'ok');
      assert.equal(
        brevo.state.all().find((c) => String(c.id) === link?.externalId)?.attributes.FIRSTNAME,
        'Geändert',
      );
    }
  });
});
