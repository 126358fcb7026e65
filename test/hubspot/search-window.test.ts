import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import type { Connector, Cursor } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';

const TOKEN = 'pat-window-test';
const BASE = Date.parse('2025-03-01T00:00:00.000Z');

describe('HubSpot incremental read past the 10 000-result search cap', () => {
  let hs: HubSpotEmulator;
  let hubspot: Connector;
  let searches = 0;

  /** Gives contact `id` the modification time `at` (epoch ms), as if it had changed then. */
  const touch = (id: string, at: number) => {
    const r = hs.state.store('contacts').get(id);
    assert.ok(r);
    r.properties.hs_lastmodifieddate = new Date(at).toISOString();
  };

  async function readAll(after?: Cursor) {
    const keys: string[] = [];
    let cursor: Cursor | null = null;
    for await (const page of hubspot.read('contacts', {
      keyField: 'id',
      modifiedField: 'hs_lastmodifieddate',
      after,
      pageSize: 200,
      fields: ['email'],
    })) {
      keys.push(...page.records.map((r) => r.key));
      if (page.cursor) cursor = page.cursor;
    }
    return { keys, cursor };
  }

  before(async () => {
    hs = createHubSpotEmulator({ tokens: [TOKEN], rateLimit: { max: Number.POSITIVE_INFINITY } });
    const baseUrl = await hs.listen();
    hubspot = createConnector(
      {
        id: 'hs-window',
        name: 'HubSpot',
        system: 'hubspot',
        config: { baseUrl },
        secret: { accessToken: TOKEN },
      },
      {
        log: pino({ level: 'silent' }),
        signal: new AbortController().signal,
        onCall: (i) => void (i.path.endsWith('/search') && searches++),
      },
    );
  });
  after(() => hs?.close());

  test('12 500 contacts with shared timestamps are each read exactly once, and a resumed read sees only later changes', async () => {
    for (let i = 0; i < 12_500; i++) {
      const c = hs.state.insert('contacts', { email: `p${i}@example.ch` });
      // Three records per millisecond: the window boundary falls inside a tie.
      touch(c.id, BASE + Math.floor(i / 3));
    }
    searches = 0;
    const first = await readAll();
    assert.equal(first.keys.length, 12_500, 'no record twice');
    assert.equal(new Set(first.keys).size, 12_500, 'no record lost');
    assert.ok(searches <= 66, `about one search per 200 records (${searches})`);
    assert.ok(first.cursor);

    const changed = ['17', '5000', '12400'];
    for (const id of changed) touch(id, BASE + 10_000_000);
    const next = await readAll(first.cursor ?? undefined);
    assert.deepEqual(next.keys.sort(), [...changed].sort());
  });

  test('more than 10 000 contacts changed in the same millisecond are drained by id, none twice', async () => {
    hs.reset();
    const at = BASE + 50_000_000;
    for (let i = 0; i < 10_450; i++)
      touch(hs.state.insert('contacts', { email: `same${i}@example.ch` }).id, at);
    touch(hs.state.insert('contacts', { email: 'later@example.ch' }).id, at + 1);
    const { keys } = await readAll();
    assert.equal(keys.length, 10_451);
    assert.equal(new Set(keys).size, 10_451);
    assert.equal(keys.at(-1), '10451', 'the later record comes last');
  });
});
