/**
 * Change-driven sync end to end (issue 22), the parts change-driven.test.ts does not cover: a HubSpot change
 * delivered by the emulator's signed webhook reaches the business system; a change whose notification never
 * came is picked up by the task's interval (the safety net); a hub killed between a change and the run that
 * would write it loses nothing. The business system is a real PostgreSQL with Junction's triggers.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import type { Execution } from '../../src/core/types.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import { startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempPostgres, createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-change-delivery';
const APP_SECRET = 'change-delivery-app-secret';
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const log = pino({ level: 'silent' });

/** People → HubSpot contacts and HubSpot contacts → a CRM table, both in the PostgreSQL business system. */
function config(o: { businessUrl: string; hubspotUrl: string; schedule: string }) {
  return `
connections:
  - { id: erp, system: sql, config: { url: "${o.businessUrl}", pageSize: 250 } }
  - id: hubspot
    system: hubspot
    config: { baseUrl: "${o.hubspotUrl}", requestsPer10s: 1000 }
    secret: { accessToken: "${TOKEN}", clientSecret: "${APP_SECRET}" }
mappings:
  - id: people-to-contacts
    name: People → HubSpot contacts
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name }
    writeBack: { externalId: hubspot_id, status: sync_status }
  - id: contacts-to-crm
    name: HubSpot contacts → CRM table
    source: { connectionId: hubspot, object: contacts, key: hs_object_id, modifiedField: hs_lastmodifieddate }
    target: { connectionId: erp, object: crm_contacts }
    matchKey: { target: hubspot_id }
    fields:
      - { target: hubspot_id, from: hs_object_id }
      - { target: email, from: email }
      - { target: firstname, from: firstname }
tasks:
  - { id: people-sync, mapping: people-to-contacts, schedule: ${o.schedule} }
  - { id: contacts-from-hubspot, mapping: contacts-to-crm, schedule: ${o.schedule} }
`;
}

/** The business system: people (with Junction's change triggers, as `junction triggers install erp people`) and the CRM table. */
async function createBusiness(people = 4): Promise<TempDatabase> {
  const business = await createTempPostgres();
  await createPeopleTable(business, generatePeople(people));
  await withBusinessDb(business, (db) =>
    db.schema
      .createTable('crm_contacts')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('hubspot_id', 'text', (c) => c.unique())
      .addColumn('email', 'text')
      .addColumn('firstname', 'text')
      .execute(),
  );
  return business;
}

async function installTriggers(store: Store) {
  const erp = createConnector(await store.connections.get('erp'), {
    log,
    signal: new AbortController().signal,
  });
  await erp.installChangeNotifications?.('people');
  await erp.close?.();
}

let nextId = 5000;
const insertPerson = (business: TempDatabase, first: string) =>
  withBusinessDb(business, (db) =>
    db
      .insertInto('people')
      .values({
        id: ++nextId,
        first_name: first,
        last_name: 'Neu',
        email: `${first.toLowerCase()}.${nextId}@example.ch`,
        canton: 'ZH',
        status: 'active',
        modified_at: new Date() as never,
      })
      .execute(),
  );
const crmRow = (business: TempDatabase, hubspotId: string) =>
  withBusinessDb(business, (db) =>
    db.selectFrom('crm_contacts').selectAll().where('hubspot_id', '=', hubspotId).executeTakeFirst(),
  );
const contactNamed = (hs: HubSpotEmulator, first: string) =>
  hs.state.all('contacts').find((x) => x.properties.firstname === first);

/** Changes a contact through HubSpot's API (the emulator then delivers `contact.propertyChange`). */
async function renameContact(hubspotUrl: string, id: string, firstname: string) {
  const res = await fetch(`${hubspotUrl}/crm/v3/objects/contacts/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ properties: { firstname } }),
  });
  assert.equal(res.status, 200);
}

describe('(b) a contact changed in HubSpot reaches the business system by its signed webhook', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let hubspotUrl: string;
  let app: FastifyInstance;
  let runs: RunService;

  before(async () => {
    business = await createBusiness();
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({
      tokens: [TOKEN],
      rateLimit: { max: Number.POSITIVE_INFINITY },
      webhooks: { clientSecret: APP_SECRET },
    });
    hubspotUrl = await hs.listen();
    await applyConfig(
      store,
      parseConfigText(config({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true }' })),
    );
    ({ app, runs } = await createTestServer(store));
    const hub = await app.listen({ port: 0, host: '127.0.0.1' });
    // The generic receiver, named by the HubSpot connection's id.
    hs.webhooks?.setTarget(`${hub}/api/webhooks/hubspot`);
  });
  after(async () => {
    await runs?.idle();
    await app?.close();
    await runs?.stop();
    await store?.close();
    await hs?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('a contact created and a contact changed in HubSpot arrive in the CRM table, each by a webhook-started run', async () => {
    const created = await fetch(`${hubspotUrl}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: 'neu@example.ch', firstname: 'Neu' } }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    await eventually('the new contact in the CRM table', () => crmRow(business, id), { timeoutMs: 40_000 });

    await renameContact(hubspotUrl, id, 'Umbenannt');
    await eventually(
      'the changed name in the CRM table',
      async () => (await crmRow(business, id))?.firstname === 'Umbenannt',
      { timeoutMs: 40_000 },
    );

    const deliveries = hs.webhooks?.deliveries ?? [];
    const types = new Set(deliveries.flatMap((d) => d.events.map((e) => e.subscriptionType)));
    assert.ok(types.has('contact.creation') && types.has('contact.propertyChange'), [...types].join());
    assert.ok(
      deliveries.every((d) => d.status === 200),
      'every signed (v3) delivery was verified and taken',
    );
    await runs.idle();
    const executions = await store.executions.list({ taskId: 'contacts-from-hubspot' });
    assert.ok(executions.length >= 1);
    assert.ok(
      executions.every((e) => e.trigger === 'webhook'),
      `runs started by the webhooks only: ${executions.map((e) => e.trigger)}`,
    );
  });
});

describe('(c) a change whose notification never came is picked up by the interval (the safety net)', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let hubspotUrl: string;
  let service: RunService | undefined;
  let scheduler: ReturnType<typeof startEmbeddedScheduler> | undefined;
  const byTrigger = (list: Execution[], since: number) =>
    list.filter((e) => e.startedAt && e.startedAt.getTime() >= since).map((e) => e.trigger);

  before(async () => {
    business = await createBusiness();
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    // No webhook target: HubSpot's changes are never delivered.
    hs = createHubSpotEmulator({ tokens: [TOKEN], rateLimit: { max: Number.POSITIVE_INFINITY } });
    hubspotUrl = await hs.listen();
    // On changes, and every 3 s as the safety net (minutes are any positive number; the API's workspace
    // range is not involved for the instance's own tasks).
    await applyConfig(
      store,
      parseConfigText(
        config({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true, everyMinutes: 0.05 }' }),
      ),
    );
    await installTriggers(store);
    // Sources that notify are asked only at start: the poll (every 15 × 60 s) cannot be what finds the change.
    service = await createRunService({
      store,
      log,
      config: { tickMs: 100, changePollMs: 60_000, changeCoalesceMs: 300 },
    });
    // Both tasks caught up before the hub starts: from here on, only a change or the interval runs them.
    for (const taskId of ['people-sync', 'contacts-from-hubspot'])
      assert.equal((await service.run(taskId, { trigger: 'cli' })).status, 'succeeded');
    scheduler = startEmbeddedScheduler({ service, log });
    // The watch's look at start (before any notification) is over once the first interval run has been.
    await eventually(
      'the first interval run',
      async () =>
        (await store.executions.list({ taskId: 'people-sync', limit: 5 })).some(
          (e) => e.trigger === 'schedule' && e.finishedAt,
        ),
      { timeoutMs: 40_000 },
    );
  });
  after(async () => {
    await scheduler?.stop();
    await service?.stop();
    await store?.close();
    await hs?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('a row committed without a notification (triggers not fired) arrives by the interval run', async () => {
    const since = Date.now();
    // A bulk load with triggers off (session_replication_role = replica): the database sends no notification.
    await withBusinessDb(business, (db) =>
      db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await trx
          .insertInto('people')
          .values({
            id: ++nextId,
            first_name: 'Unnotified',
            last_name: 'Neu',
            email: `unnotified.${nextId}@example.ch`,
            canton: 'ZH',
            status: 'active',
            modified_at: new Date() as never,
          })
          .execute();
      }),
    );
    await eventually('the unnotified row in HubSpot', () => contactNamed(hs, 'Unnotified'), {
      timeoutMs: 40_000,
    });
    await service?.idle();
    const list = await store.executions.list({ taskId: 'people-sync', limit: 50 });
    const carrier = list.find((e) => e.startedAt && e.startedAt.getTime() >= since && e.counts.created > 0);
    assert.equal(carrier?.trigger, 'schedule', `runs since the insert: ${byTrigger(list, since)}`);
  });

  test('a HubSpot change whose webhook is not delivered arrives by the interval run', async () => {
    const contact = contactNamed(hs, 'Anna');
    assert.ok(contact);
    const since = Date.now();
    await renameContact(hubspotUrl, contact.id, 'Annalena');
    await eventually(
      'the undelivered change in the CRM table',
      async () => (await crmRow(business, contact.id))?.firstname === 'Annalena',
      { timeoutMs: 40_000 },
    );
    const list = await store.executions.list({ taskId: 'contacts-from-hubspot', limit: 50 });
    assert.ok(
      byTrigger(list, since).every((t) => t === 'schedule'),
      `runs since the change: ${byTrigger(list, since)}`,
    );
  });
});

describe('a row inserted by a transaction that commits late (stamped before the watermark) still wakes a run', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let service: RunService | undefined;
  let scheduler: ReturnType<typeof startEmbeddedScheduler> | undefined;

  before(async () => {
    business = await createBusiness();
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({ tokens: [TOKEN], rateLimit: { max: Number.POSITIVE_INFINITY } });
    const hubspotUrl = await hs.listen();
    await applyConfig(
      store,
      parseConfigText(config({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true }' })),
    );
    await installTriggers(store);
    // Only notifications run it: the poll (every 15 × 60 s) cannot be what finds the row.
    service = await createRunService({
      store,
      log,
      config: { tickMs: 100, changePollMs: 60_000, changeCoalesceMs: 300 },
    });
    assert.equal((await service.run('people-sync', { trigger: 'cli' })).status, 'succeeded');
    scheduler = startEmbeddedScheduler({ service, log });
  });
  after(async () => {
    await scheduler?.stop();
    await service?.stop();
    await store?.close();
    await hs?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('a row stamped with now() in a transaction that commits after the next run arrives in HubSpot', async () => {
    const slow = new pg.Client({ connectionString: business.url });
    await slow.connect();
    try {
      await slow.query('begin');
      // now() is the transaction's start: the row is stamped before the row inserted next.
      await slow.query(
        `insert into people (id, first_name, last_name, email, canton, status, modified_at)
         values (${++nextId}, 'Late', 'Neu', 'late.${nextId}@example.ch', 'ZH', 'active', now())`,
      );
      await insertPerson(business, 'Early');
      await eventually('the row inserted next, in HubSpot', () => contactNamed(hs, 'Early'));
      await eventually('its run closed', async () =>
        (await store.executions.list({ taskId: 'people-sync' })).every((e) => e.finishedAt),
      );
      await slow.query('commit');
    } finally {
      await slow.end();
    }
    await eventually('the late row in HubSpot', () => contactNamed(hs, 'Late'), { timeoutMs: 40_000 });
  });
});

describe('(d) a hub killed between a change and its run loses no change', () => {
  const KEY = randomBytes(32).toString('hex');
  let business: TempDatabase;
  let dataDir: string;
  let hs: HubSpotEmulator;
  let hubspotUrl: string;
  let port: number;
  let hub: ChildProcess | undefined;
  const requests: { at: number; url: string }[] = [];
  const openHubStore = () => openStore({ dataDir, secretBox: createSecretBox(Buffer.from(KEY, 'hex')) });

  /** `junction start` on a fixed port (the emulator's webhooks are addressed to it). */
  async function startHub() {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--no-demo'], {
      env: {
        ...process.env,
        JUNCTION_DATA_DIR: dataDir,
        JUNCTION_SECRET_KEY: KEY,
        DATABASE_URL: '',
        JUNCTION_DEMO: '',
        JUNCTION_ADMIN_PASSWORD: '',
        PORT: String(port),
        LOG_LEVEL: process.env.DEBUG_HUB ? 'debug' : 'warn',
        // Only a notification, a webhook or the start can bring a run; a change waits 1.5 s for company.
        JUNCTION_CHANGE_POLL_MS: '60000',
        JUNCTION_CHANGE_COALESCE_MS: '1500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    if (process.env.DEBUG_HUB) child.on('exit', () => console.error(`--- hub output\n${out}`));
    await eventually(
      'the hub to listen',
      () => out.includes('Junction is running on') || child.exitCode !== null,
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(child.exitCode, null, out);
    hub = child;
  }
  async function killHub() {
    const child = hub;
    hub = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  const executions = async (taskId: string) => {
    const store = await openHubStore();
    try {
      return await store.executions.list({ taskId, limit: 50 });
    } finally {
      await store.close();
    }
  };

  before(async () => {
    business = await createBusiness();
    dataDir = mkdtempSync(join(tmpdir(), 'junction-change-crash-'));
    hs = createHubSpotEmulator({
      tokens: [TOKEN],
      rateLimit: { max: Number.POSITIVE_INFINITY },
      webhooks: { clientSecret: APP_SECRET },
    });
    hubspotUrl = await hs.listen();
    hs.app.server.on('request', (req) => requests.push({ at: Date.now(), url: req.url ?? '' }));
    const free = createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    port = (free.address() as { port: number }).port;
    free.close();
    const store = await openHubStore();
    await applyConfig(
      store,
      parseConfigText(config({ businessUrl: business.url, hubspotUrl, schedule: '{ onChange: true }' })),
    );
    await installTriggers(store);
    await store.close();
    await startHub();
    await eventually('the catch-up run', () => contactNamed(hs, 'Anna'), { timeoutMs: 45_000 });
    // From now on HubSpot's changes are delivered to the hub.
    hs.webhooks?.setTarget(`http://127.0.0.1:${port}/api/webhooks/hubspot`);
  });
  after(async () => {
    hs?.resume();
    await killHub();
    await hs?.close();
    await business?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a row whose change-driven run was killed before it wrote arrives after the restart', async () => {
    await eventually('the catch-up run closed', async () =>
      (await executions('people-sync')).every((e) => e.finishedAt),
    );
    // HubSpot holds every call: the run that the notification starts cannot write before it is killed.
    hs.pause();
    const since = Date.now();
    await insertPerson(business, 'Crashy');
    await eventually('the change-driven run calling HubSpot', () => requests.some((r) => r.at > since), {
      timeoutMs: 40_000,
    });
    await killHub();
    hs.resume();
    assert.equal(contactNamed(hs, 'Crashy'), undefined, 'killed before the run wrote the row');
    const killed = (await executions('people-sync'))[0];
    assert.equal(killed?.trigger, 'change', 'the run was started by the notification');

    await startHub();
    await eventually('the row in HubSpot after the restart', () => contactNamed(hs, 'Crashy'), {
      timeoutMs: 45_000,
    });
  });

  test('a HubSpot change whose webhook was taken just before the hub was killed arrives after the restart', async () => {
    const contact = contactNamed(hs, 'Crashy');
    assert.ok(contact);
    // The contact's own creation (webhook) has been synced: the CRM table has it.
    await eventually('the contact in the CRM table', () => crmRow(business, contact.id), {
      timeoutMs: 45_000,
    });
    await eventually('the runs closed', async () =>
      (await executions('contacts-from-hubspot')).every((e) => e.finishedAt),
    );
    const delivered = hs.webhooks?.deliveries.length ?? 0;
    await renameContact(hubspotUrl, contact.id, 'Renamed');
    // Answered 200 (verified, its receipt written): HubSpot will not deliver it again. Killed inside the
    // coalescing window, before the run it asked for has started.
    await eventually('the change webhook answered', () =>
      hs.webhooks?.deliveries
        .slice(delivered)
        .some(
          (d) => d.status === 200 && d.events.some((e) => e.subscriptionType === 'contact.propertyChange'),
        ),
    );
    await killHub();
    assert.notEqual((await crmRow(business, contact.id))?.firstname, 'Renamed', 'killed before the run');

    await startHub();
    await eventually(
      'the change in the CRM table after the restart',
      async () => (await crmRow(business, contact.id))?.firstname === 'Renamed',
      { timeoutMs: 45_000 },
    );
  });
});
