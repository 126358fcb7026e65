import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { REDACT_PATHS } from '../../src/cli/runtime.ts';
import type { Execution } from '../../src/core/types.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import { buildServer } from '../../src/server/app.ts';
import { createMetrics } from '../../src/server/metrics.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { ADMIN, type Client, createTestServer, login } from '../helpers/server.ts';
import { SYNCED_CANTONS } from '../helpers/spine-config.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-api-workflow-TOKEN';
const people = generatePeople(300);
const expected = people.filter((p) => p.status === 'active' && SYNCED_CANTONS.has(p.canton));

const MAPPING = {
  name: 'People → HubSpot',
  source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: 'hubspot', object: 'contacts' },
  matchKey: { target: 'email' },
  filter: "status = 'active' and canton in ('ZH', 'BE', 'LU', 'BS', 'SG', 'TI')",
  fields: [
    { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
    { target: 'firstname', from: 'first_name' },
    { target: 'lastname', from: 'last_name' },
  ],
};

/** One server-sent event; `progress` and `end` both carry the execution's status and counts. */
type ExecutionEvent = { event: string; data: Pick<Execution, 'status' | 'counts'> };

/** Reads an SSE stream until the `end` event; returns every event. */
async function readEvents(url: string, cookie: string): Promise<ExecutionEvent[]> {
  const res = await fetch(url, { headers: { cookie } });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const events: ExecutionEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      events.push({ event, data });
      if (event === 'end') return events;
    }
  }
  return events;
}

describe('a full workflow through the HTTP API alone', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let app: FastifyInstance;
  let admin: Client;
  let viewer: Client;
  let base: string;
  let hubspotUrl: string;

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, people);
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({ tokens: [TOKEN] });
    hubspotUrl = await hs.listen();
    ({ app, admin, viewer } = await createTestServer(store));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await hs?.close();
    await store?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('connections are created, tested, and never show their secret', async () => {
    let res = await admin.send('PUT', '/api/connections/erp', {
      name: 'ERP',
      system: 'sql',
      config: { url: business.url },
    });
    assert.equal(res.statusCode, 200, res.body);
    res = await admin.send('PUT', '/api/connections/hubspot', {
      name: 'HubSpot',
      system: 'hubspot',
      config: { baseUrl: hubspotUrl },
      secret: { accessToken: TOKEN },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().secret, { accessToken: 'set' });
    for (const client of [admin, viewer]) {
      const all = await client.get('/api/connections');
      assert.equal(all.statusCode, 200);
      assert.ok(!all.body.includes(TOKEN));
      assert.ok(!(await client.get('/api/connections/hubspot')).body.includes(TOKEN));
    }
    const bad = await admin.send('PUT', '/api/connections/hs2', {
      name: 'x',
      system: 'hubspot',
      config: { baseUrl: 'not a url' },
      secret: { accessToken: 'x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.details.issues[0].field, 'config.baseUrl');
    const check = await admin.send('POST', '/api/connections/hubspot/test');
    assert.deepEqual(check.json().ok, true);
    const describe = await admin.get('/api/connections/erp/describe');
    const peopleTable = describe.json().objects.find((o: { name: string }) => o.name === 'people');
    assert.ok(peopleTable.fields.some((f: { name: string }) => f.name === 'modified_at'));
  });

  test('an invalid filter is refused with the field and the position', async () => {
    const res = await admin.send('PUT', '/api/mappings/people', {
      ...MAPPING,
      filter: "status = 'active' and (canton = 'ZH'",
    });
    assert.equal(res.statusCode, 400);
    const issue = res.json().error.details.issues[0];
    assert.equal(issue.field, 'filter');
    assert.equal(typeof issue.position, 'number');
  });

  test('preview, dry run, run now with live progress, then the execution and its items', async () => {
    assert.equal((await admin.send('PUT', '/api/mappings/people', MAPPING)).statusCode, 200);
    const preview = await admin.send('POST', '/api/mappings/preview', {
      mapping: { id: 'people', ...MAPPING },
      limit: 5,
    });
    assert.equal(preview.statusCode, 200, preview.body);
    const rows = preview.json().rows;
    assert.equal(rows.length, 5);
    assert.equal(rows[0].payload.email, 'person.1@example.ch');
    assert.equal(rows[4].selected, false, 'person 5 is inactive');

    assert.equal(
      (
        await admin.send('PUT', '/api/tasks/people-sync', {
          name: 'People',
          mappingId: 'people',
          schedule: { everyMinutes: 15 },
        })
      ).statusCode,
      200,
    );
    const dry = await admin.send('POST', '/api/tasks/people-sync/dry-run', {});
    assert.equal(dry.statusCode, 200, dry.body);
    assert.equal(dry.json().counts.created, expected.length);
    assert.equal(hs.stats.writes, 0, 'a dry run writes nothing');

    const run = await admin.send('POST', '/api/tasks/people-sync/run');
    assert.equal(run.statusCode, 202, run.body);
    const executionId = run.json().executionId as string;
    const events = await readEvents(`${base}/api/executions/${executionId}/events`, viewer.cookie);
    const end = events.at(-1);
    assert.equal(end?.event, 'end');
    assert.equal(end?.data.status, 'succeeded');
    assert.equal(end?.data.counts.created, expected.length);

    const detail = await viewer.get(`/api/executions/${executionId}`);
    assert.equal(detail.json().counts.created, expected.length);
    const items = await viewer.get(`/api/executions/${executionId}/items?limit=10&action=create`);
    assert.equal(items.json().items.length, 10);
    assert.equal(items.json().total, expected.length);
    assert.ok(items.json().items[0].payload.email);
    const history = await viewer.get('/api/executions?taskId=people-sync');
    assert.equal(history.json().executions.length, 1);
    const tasks = await viewer.get('/api/tasks');
    assert.equal(tasks.json().tasks[0].lastExecution.id, executionId);
    assert.ok(tasks.json().tasks[0].nextRunAt);
    const links = await viewer.get('/api/records/1/links');
    assert.equal(links.json().links[0].status, 'ok');
    assert.ok(links.json().links[0].externalId);
  });

  test('a viewer reads the error log with payloads; retry failed marks and re-runs them', async () => {
    hs.setFaults({ rejectEmails: ['person.1@example.ch'] });
    // Change person 1 in the business system so the next run sends it (and the emulator rejects it).
    await withBusinessDb(business, (db) =>
      db
        .updateTable('people')
        .set({ first_name: 'Anna-Maria', modified_at: new Date().toISOString() })
        .where('id', '=', 1)
        .execute(),
    );
    const run = await admin.send('POST', '/api/tasks/people-sync/run');
    const executionId = run.json().executionId as string;
    await readEvents(`${base}/api/executions/${executionId}/events`, admin.cookie);
    const errors = await viewer.get('/api/errors');
    assert.equal(errors.statusCode, 200);
    const [item] = errors.json().errors;
    assert.equal(item.sourceKey, '1');
    assert.equal(item.payload.firstname, 'Anna-Maria');
    assert.equal(errors.json().codes[0].count, 1);

    hs.setFaults({ rejectEmails: [] });
    const retry = await admin.send('POST', `/api/executions/${executionId}/retry`);
    assert.equal(retry.statusCode, 202, retry.body);
    assert.equal(retry.json().marked, 1);
    const events = await readEvents(
      `${base}/api/executions/${retry.json().executionId}/events`,
      admin.cookie,
    );
    assert.equal(events.at(-1)?.data.counts.updated, 1);
  });

  test('a run with a rejected token fails clearly and its logs never contain the token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    const metrics = createMetrics();
    const logged = await buildServer({
      store,
      log,
      metrics,
      runs: await createRunService({ store, log }),
    });
    const client = await login(logged, ADMIN);
    const wrong = 'pat-na1-WRONG-SECRET-TOKEN-42';
    await client.send('PUT', '/api/connections/hubspot', {
      name: 'HubSpot',
      system: 'hubspot',
      config: { baseUrl: hubspotUrl },
      secret: { accessToken: wrong },
    });
    await withChangedPerson(business);
    const run = await client.send('POST', '/api/tasks/people-sync/run');
    const executionId = run.json().executionId as string;
    const execution = await eventually('the run ended', async () => {
      const e = (await client.get(`/api/executions/${executionId}`)).json();
      return e.status !== 'running' && e;
    });
    assert.equal(execution.status, 'failed');
    assert.equal(execution.error.code, 'authentication_failed');
    assert.ok(lines.length > 0, 'the run logged something');
    assert.ok(!lines.join('').includes(wrong), 'no log line holds the token');
    assert.ok(!execution.error.message.includes(wrong));
    await logged.close();
  });
});

async function withChangedPerson(business: TempDatabase) {
  await withBusinessDb(business, (db) =>
    db
      .updateTable('people')
      .set({ last_name: 'Neu', modified_at: new Date().toISOString() })
      .where('id', '=', 2)
      .execute(),
  );
}
