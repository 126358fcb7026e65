import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { generatePeople } from '../helpers/business-db.ts';
import { openPeopleToHubSpot, type PeopleToHubSpot } from '../helpers/people-to-hubspot.ts';

const TOKEN = 'pat-na1-matching';
const log = pino({ level: 'silent' });

describe('initial matching: existing HubSpot contacts are adopted by e-mail, not duplicated', () => {
  let s: PeopleToHubSpot;
  let store: Store;
  let hs: HubSpotEmulator;
  const people = generatePeople(1000).map((p) => ({ ...p, status: 'active' as const }));
  const existing = new Map<string, string>();

  before(async () => {
    s = await openPeopleToHubSpot({
      people,
      token: TOKEN,
      mode: 'full',
      // Every 5th person (400 of 1000) and a stranger are in HubSpot already, under differently cased addresses.
      seed: (emulator) => {
        for (const p of people.filter((_, i) => i % 5 < 2)) {
          existing.set(
            String(p.id),
            emulator.state.insert('contacts', { email: p.email.trim().toLowerCase(), firstname: 'Old' }).id,
          );
        }
        emulator.state.insert('contacts', { email: 'stranger@example.ch' });
      },
      mapping: {
        source: { connectionId: 'erp', object: 'people', key: 'id' },
        initialMatching: { property: 'email' },
        fields: [
          { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
          { target: 'firstname', formula: 'trim(first_name)' },
        ],
      },
    });
    ({ store, hs } = s);
  });
  after(() => s?.close());

  test('the first run adopts the 400 existing contacts and creates the other 600', async () => {
    const execution = await runTask('people-sync', { store, log });
    assert.equal(execution.status, 'succeeded', JSON.stringify(execution.error));
    assert.equal(execution.counts.created, 600);
    assert.equal(execution.counts.updated, 400);
    const items = await store.executions.items(execution.id, { limit: 2000 });
    const adopted = items.filter((i) => /adopted/.test(i.message ?? ''));
    assert.equal(adopted.length, 400);
    for (const item of adopted)
      assert.equal(
        item.targetId,
        existing.get(item.sourceKey),
        `person ${item.sourceKey} took over its contact's id`,
      );

    const contacts = hs.state.all('contacts');
    assert.equal(contacts.length, 1001, 'no duplicates: 1 000 people and the stranger');
    assert.equal(new Set(contacts.map((c) => c.properties.email)).size, 1001);
    assert.equal(
      contacts.filter((c) => c.properties.firstname === 'Old').length,
      0,
      'adopted contacts were updated',
    );
  });

  test('the second run matches nothing again: every record is linked and unchanged', async () => {
    const execution = await runTask('people-sync', { store, log });
    assert.equal(execution.counts.unchanged, 1000);
    assert.equal(execution.counts.created + execution.counts.updated, 0);
  });
});
