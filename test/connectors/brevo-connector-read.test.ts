import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import type { Connector, Cursor, Page, ReadOptions } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';

const KEY = 'xkeysib-test';
const log = pino({ level: 'silent' });

function connect(base: string, apiKey = KEY): Connector {
  return createConnector(
    {
      id: `brevo-${randomUUID()}`,
      name: 'Brevo',
      system: 'brevo',
      config: { baseUrl: `${base}/v3`, requestsPerSecond: 200 },
      secret: { apiKey },
    },
    { log, signal: new AbortController().signal },
  );
}

async function readAll(
  conn: Connector,
  options: Partial<ReadOptions> = {},
): Promise<{ pages: Page[]; keys: string[]; cursor: Cursor | null }> {
  const pages: Page[] = [];
  for await (const page of conn.read('contacts', { keyField: 'id', modifiedField: 'modifiedAt', ...options }))
    pages.push(page);
  return {
    pages,
    keys: pages.flatMap((p) => p.records.map((r) => r.key)),
    cursor: pages.at(-1)?.cursor ?? null,
  };
}

describe('Brevo connector: read, describe, check', () => {
  let brevo: BrevoEmulator;
  let base: string;

  before(async () => {
    brevo = createBrevoEmulator({ apiKeys: [KEY], rateLimit: { max: Number.POSITIVE_INFINITY } });
    base = await brevo.listen();
  });
  after(() => brevo.close());
  beforeEach(() => brevo.reset());

  test('a first read returns every contact with its fields and flattened attributes', async () => {
    const ada = brevo.state.insert({
      email: 'ada@example.com',
      extId: 'P-1',
      attributes: { FIRSTNAME: 'Ada', LASTNAME: 'Lovelace' },
    });
    brevo.state.insert({ email: 'bob@example.com' });
    const { keys, pages } = await readAll(connect(base));
    assert.deepEqual(keys, [String(ada.id), String(ada.id + 1)]);
    const data = pages[0]?.records[0]?.data;
    assert.equal(data?.email, 'ada@example.com');
    assert.equal(data?.ext_id, 'P-1');
    assert.equal(data?.emailBlacklisted, false);
    assert.deepEqual(data?.listIds, []);
    assert.equal(data?.['attributes.FIRSTNAME'], 'Ada');
    assert.equal((data?.attributes as Record<string, unknown> | undefined)?.LASTNAME, 'Lovelace');
  });

  test('an incremental read from the last cursor returns only the contacts changed since, then nothing', async () => {
    const conn = connect(base);
    const a = brevo.state.insert({ email: 'a@example.com' });
    brevo.state.insert({ email: 'b@example.com' });
    const c = brevo.state.insert({ email: 'c@example.com' });
    const first = await readAll(conn);
    assert.equal(first.keys.length, 3);

    await sleep(3);
    brevo.state.update(c, { attributes: { FIRSTNAME: 'Cy' } });
    brevo.state.update(a, { attributes: { FIRSTNAME: 'Al' } });
    const d = brevo.state.insert({ email: 'd@example.com' });
    const second = await readAll(conn, { after: first.cursor ?? undefined });
    assert.deepEqual(new Set(second.keys), new Set([a.id, c.id, d.id].map(String)));

    const third = await readAll(conn, { after: second.cursor ?? undefined });
    assert.deepEqual(third.keys, []);
  });

  test('a contact that unsubscribed in Brevo comes back in the next incremental read with emailBlacklisted true', async () => {
    const conn = connect(base);
    brevo.state.insert({ email: 'stay@example.com' });
    const leaving = brevo.state.insert({ email: 'leave@example.com' });
    const first = await readAll(conn);
    await sleep(3);
    brevo.state.unsubscribe('leave@example.com');
    const second = await readAll(conn, { after: first.cursor ?? undefined });
    assert.equal(second.pages.flatMap((p) => p.records).length, 1);
    const record = second.pages[0]?.records[0];
    assert.equal(record?.key, String(leaving.id));
    assert.equal(record?.data.emailBlacklisted, true);
  });

  test('pages by offset, and a read resumed from a mid-pass cursor continues without repeats or gaps', async () => {
    const conn = connect(base);
    for (let i = 0; i < 5; i++) brevo.state.insert({ email: `p${i}@example.com` });
    const full = await readAll(conn, { pageSize: 2 });
    assert.deepEqual(
      full.pages.map((p) => p.records.length),
      [2, 2, 1],
    );

    const firstPage = full.pages[0];
    assert.ok(firstPage?.cursor);
    const resumed = await readAll(conn, { pageSize: 2, after: firstPage.cursor });
    assert.deepEqual([...firstPage.records.map((r) => r.key), ...resumed.keys], full.keys);
    assert.deepEqual(resumed.cursor, full.cursor);
  });

  test('readByKeys finds contacts by the keys read gave them (their ids), whatever key the mapping names, and leaves unknown keys out', async () => {
    const conn = connect(base);
    const a = brevo.state.insert({ email: 'a@example.com' });
    const byId = await conn.readByKeys?.('contacts', 'id', [String(a.id), '999']);
    assert.deepEqual(
      byId?.map((r) => r.key),
      [String(a.id)],
    );
    // A mapping keyed by e-mail still holds the records' keys from read: contact ids.
    const keyedByEmail = await conn.readByKeys?.('contacts', 'email', [String(a.id), '998']);
    assert.deepEqual(
      keyedByEmail?.map((r) => [r.key, r.data.email]),
      [[String(a.id), 'a@example.com']],
    );
  });

  test('describe lists the contact fields and one attributes.<NAME> field per writable attribute, with options', async () => {
    brevo.state.defineAttribute({
      name: 'CANTON',
      category: 'category',
      type: 'category',
      enumeration: [{ value: 1, label: 'ZH' }],
    });
    brevo.state.defineAttribute({ name: 'SCORE', category: 'calculated', type: 'float' });
    const [contacts] = await connect(base).describe();
    assert.equal(contacts?.name, 'contacts');
    const names = contacts?.fields.map((f) => f.name) ?? [];
    for (const n of [
      'email',
      'ext_id',
      'listIds',
      'emailBlacklisted',
      'attributes.FIRSTNAME',
      'attributes.LASTNAME',
      'attributes.CANTON',
    ]) {
      assert.ok(names.includes(n), `has ${n}`);
    }
    assert.ok(!names.includes('attributes.SCORE'), 'calculated attributes cannot be written');
    const canton = contacts?.fields.find((f) => f.name === 'attributes.CANTON');
    assert.equal(canton?.type, 'enum');
    assert.deepEqual(canton?.options, [{ value: '1', label: 'ZH' }]);
  });

  test('check succeeds with a good API key and reports the rejection of a bad one', async () => {
    assert.equal((await connect(base).check()).ok, true);
    const bad = await connect(base, 'wrong').check();
    assert.equal(bad.ok, false);
    assert.match(bad.message, /API key/);
  });

  test('contacts deleted during a paged read skip no one: every remaining contact is read exactly once', async () => {
    const contacts = Array.from({ length: 100 }, (_, i) =>
      brevo.state.insert({ email: `c${i}@example.com` }),
    );
    const keys: string[] = [];
    let pages = 0;
    for await (const page of connect(base).read('contacts', { keyField: 'id', pageSize: 10 })) {
      keys.push(...page.records.map((r) => r.key));
      pages++;
      // After page 1 a few contacts already read go (fewer than the overlap); after page 3, 35 (more).
      if (pages === 1) for (const c of contacts.slice(0, 3)) brevo.state.delete(c.id);
      if (pages === 3) for (const c of contacts.slice(3, 38)) brevo.state.delete(c.id);
    }
    const ids = keys.map(Number);
    assert.ok(
      ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)),
      'in creation order, nobody twice',
    );
    const remaining = brevo.state.all().map((c) => c.id);
    assert.deepEqual(
      remaining.filter((id) => !ids.includes(id)),
      [],
      'every contact still there was read',
    );
    assert.ok(pages > 10, 'it did page');
  });
});
