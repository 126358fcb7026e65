// The edges of an erasure: a record already gone is done, a broken connection fails only its own system
// (and the attempt is audited), the person's association rows and uploaded import files go too, the audit
// names the person only by a keyed hash, and HubSpot contacts are erased through HubSpot's GDPR delete.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { JunctionError } from '../../src/core/errors.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { createImportWorkspace, type ImportRecord } from '../../src/import/workspace.ts';
import { createAuditRepository } from '../../src/store/repositories/audit.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const TOKEN = 'pat-eu1-erasure-edges';

class BrokenConnectionError extends JunctionError {
  override readonly code = 'secret_unseal_failed';
}

function config(o: { business: string; hubspot: string; brevo: string }) {
  const source = 'source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }';
  return `
connections:
  - { id: erp, system: sql, config: { url: "${o.business}" } }
  - { id: hubspot, system: hubspot, config: { baseUrl: "${o.hubspot}", requestsPer10s: 100000 }, secret: { accessToken: ${TOKEN} } }
  - { id: brevo, system: brevo, config: { baseUrl: "${o.brevo}/v3", requestsPerSecond: 10000 }, secret: { apiKey: xkeysib-test } }
mappings:
  - { id: to-hubspot, name: People → HubSpot, ${source}, target: { connectionId: hubspot, object: contacts }, matchKey: { target: email }, privacy: delete,
      fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: lastname, from: last_name } ] }
  - { id: to-brevo, name: People → Brevo, ${source}, target: { connectionId: brevo, object: contacts }, matchKey: { target: email }, privacy: delete,
      fields: [ { target: email, from: email, transform: [{ type: email }] }, { target: attributes.LASTNAME, from: last_name } ] }
tasks:
  - { id: hubspot, mapping: to-hubspot }
  - { id: brevo, mapping: to-brevo }
`;
}

interface Outcome {
  complete: boolean;
  auditId: string;
  uploadsRemoved: number;
  actions: { connectionId: string; role: string; action: string; code?: string }[];
}

for (const dialect of DIALECTS) {
  describe(`erasure edges (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    let brevo: BrevoEmulator;
    let admin: Client;
    let brevoBroken = false;
    const importsDir = mkdtempSync(join(tmpdir(), 'junction-erasure-imports-'));
    const people = generatePeople(10);
    let firstRun = '';
    const erase = async (key: number) => {
      const res = await admin.send('POST', '/api/privacy/erasures', {
        connectionId: 'erp',
        object: 'people',
        key: String(key),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Outcome;
    };
    const brevoContact = (id: number) => brevo.state.all().find((c) => c.email === `person.${id}@example.ch`);
    const hubspotContact = (id: number) =>
      hs.state.all('contacts').find((c) => c.properties.email === `person.${id}@example.ch`);

    before(async () => {
      business = await dialect.create();
      await createPeopleTable(business, people);
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({ tokens: [TOKEN] });
      brevo = createBrevoEmulator({ apiKeys: ['xkeysib-test'] });
      const [h, b] = await Promise.all([hs.listen(), brevo.listen()]);
      await applyConfig(store, parseConfigText(config({ business: business.url, hubspot: h, brevo: b })));
      firstRun = (await runTask('hubspot', { store, log })).id;
      await runTask('brevo', { store, log });
      ({ admin } = await createTestServer(store, {
        importsDir,
        // A connection that cannot be opened (its secret no longer opens), switched on by a test.
        connectorFactory: (connection, rt) => {
          if (brevoBroken && connection.id === 'brevo')
            throw new BrokenConnectionError('a stored secret could not be decrypted');
          return createConnector(connection, rt);
        },
      }));
    });
    after(async () => {
      await store?.close();
      await Promise.all([hs?.close(), brevo?.close()]);
      await business?.drop();
      await storeDb?.drop();
      rmSync(importsDir, { recursive: true, force: true });
    });

    test('a contact already deleted in a target counts as erased there, not as failed', async () => {
      const contact = hubspotContact(1);
      assert.ok(contact);
      hs.state.store('contacts').purge(contact.id);
      const gone = brevoContact(1);
      assert.ok(gone);
      brevo.state.delete(gone.id);
      const outcome = await erase(1);
      assert.equal(outcome.complete, true, JSON.stringify(outcome));
      assert.deepEqual(
        outcome.actions.find((a) => a.connectionId === 'hubspot'),
        {
          connectionId: 'hubspot',
          object: 'contacts',
          role: 'target',
          action: 'deleted',
          code: 'already_gone',
        },
      );
    });

    test('HubSpot contacts are erased through the GDPR delete (gone for good, not archived)', async () => {
      const contact = hubspotContact(2);
      assert.ok(contact);
      const outcome = await erase(2);
      assert.equal(outcome.complete, true, JSON.stringify(outcome));
      assert.equal(hs.state.store('contacts').get(contact.id), undefined);
      assert.equal(
        hs.state.all('contacts', true).some((c) => c.id === contact.id),
        false,
        'an archive would keep it restorable for 90 days',
      );
    });

    test('a broken connection fails only its system; the attempt and each outcome are audited; a second request finishes', async () => {
      brevoBroken = true;
      let outcome: Outcome;
      try {
        outcome = await erase(3);
      } finally {
        brevoBroken = false;
      }
      assert.equal(outcome.complete, false);
      assert.deepEqual(outcome.actions.map((a) => `${a.connectionId}:${a.action}:${a.code ?? ''}`).sort(), [
        'brevo:failed:secret_unseal_failed',
        'erp:deleted:',
        'hubspot:deleted:',
      ]);
      assert.equal(hubspotContact(3), undefined);
      assert.ok(brevoContact(3), 'Brevo could not be reached');
      const subject = store.audit.subjectOf({ connectionId: 'erp', object: 'people', key: '3' });
      const entries = (await store.audit.list({ kind: 'erasure' })).filter((e) => e.subject === subject);
      assert.deepEqual(
        entries.map((e) => e.details.phase),
        ['finished', 'started'],
      );

      const again = await erase(3);
      assert.equal(again.complete, true, JSON.stringify(again));
      assert.equal(brevoContact(3), undefined);
    });

    test("the person's association rows and the uploaded import that held their row are removed", async () => {
      const other = people[6] as (typeof people)[number];
      const row = (sourceKey: string, toId: string | null) => ({
        mappingId: 'to-hubspot',
        sourceKey,
        toObject: 'companies',
        relatedKey: 'c-1',
        fromId: `from-${sourceKey}`,
        toId,
        status: 'ok' as const,
        remark: null,
      });
      const victimContact = hubspotContact(5);
      assert.ok(victimContact);
      await store.associations.upsert([
        row('5', 'co-1'),
        row(String(other.id), 'co-1'),
        row('9', victimContact.id),
      ]);
      const workspace = createImportWorkspace(importsDir);
      const upload = async (executionId: string) => {
        const { id } = await workspace.create();
        const record = { id, mappingId: 'to-hubspot', executionId, createdAt: new Date().toISOString() };
        await workspace.save(record as unknown as ImportRecord);
        return id;
      };
      const holding = await upload(firstRun);
      const unrelated = await upload((await runTask('brevo', { store, log })).id);

      const outcome = await erase(5);
      assert.equal(outcome.complete, true, JSON.stringify(outcome));
      assert.equal(outcome.uploadsRemoved, 1);
      assert.equal(existsSync(join(importsDir, holding)), false);
      assert.equal(existsSync(join(importsDir, unrelated)), true);
      assert.deepEqual(await store.associations.getMany('to-hubspot', ['5', '9']), []);
      assert.equal((await store.associations.getMany('to-hubspot', [String(other.id)])).length, 1);
    });

    test('the audit names the person by a keyed hash: not the key in clear, not a plain hash, not another installation’s', async () => {
      const entries = await store.audit.list({ kind: 'erasure' });
      assert.ok(entries.length > 0);
      const subject = store.audit.subjectOf({ connectionId: 'erp', object: 'people', key: '2' });
      assert.ok(entries.some((e) => e.subject === subject));
      const plain = createHash('sha256').update('erp:people:2').digest('hex');
      for (const e of entries) {
        assert.equal(plain.startsWith(e.subject), false);
        assert.equal(JSON.stringify(e).includes('example.ch'), false);
      }
      const elsewhere = createAuditRepository(store.db, createSecretBox(randomBytes(32)));
      assert.notEqual(elsewhere.subjectOf({ connectionId: 'erp', object: 'people', key: '2' }), subject);
    });
  });
}
