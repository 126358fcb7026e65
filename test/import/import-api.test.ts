import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createRunService } from '../../src/runs/run-service.ts';
import type { Store } from '../../src/store/store.ts';
import { withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';
import { generateImportPeople, HEADER, readXlsxFile, writePeopleXlsx } from './fixtures.ts';
import { createCustomersTable, saveImportSetup } from './setup.ts';

function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }) {
  const boundary = `----junction${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
  );
  parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('imports over the API', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase & { dir: string };
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let work: string;

  const upload = (name: string, content: Buffer, mappingId = 'file-to-customers') => {
    const body = multipart({ mappingId }, { name, content });
    return app.inject({
      method: 'POST',
      url: '/api/imports',
      payload: body.payload,
      headers: { ...body.headers, cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    });
  };

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createCustomersTable(business);
    store = await openTestStore(storeDb);
    await saveImportSetup(store, { businessUrl: business.url });
    work = mkdtempSync(join(tmpdir(), 'junction-import-api-'));
    ({ app, admin } = await createTestServer(store, { importsDir: join(work, 'imports') }));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('upload validates and previews, refuses to run with invalid rows, runs the valid ones, serves an escaped error file', async () => {
    const people = generateImportPeople(50, new Map([[4, 'email']]));
    const evil = "=cmd|' /C calc'!A0";
    people[4] = { ...(people[4] as (typeof people)[number]), Vorname: evil, Nachname: '@SUM(1+1)' };
    const file = join(work, 'kunden.xlsx');
    await writePeopleXlsx(file, people);

    const res = await upload('kunden.xlsx', readFileSync(file));
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json();
    assert.equal(created.status, 'validated');
    assert.equal(created.file.format, 'xlsx');
    assert.deepEqual(created.file.header, [...HEADER]);
    assert.equal(created.validation.rows, 50);
    assert.equal(created.validation.invalid, 1);
    assert.equal(created.validation.problems[0].row, 6);
    assert.equal(created.validation.preview[0].payload.customer_no, 'K000001');
    assert.equal(created.errorFileUrl, `/api/imports/${created.id}/error-file`);

    const refused = await admin.send('POST', `/api/imports/${created.id}/run`, {});
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().error.code, 'import_has_invalid_rows');
    const none = await withBusinessDb(business, (db) => db.selectFrom('customers').selectAll().execute());
    assert.equal(none.length, 0, 'nothing is written');

    const download = await admin.get(created.errorFileUrl);
    assert.equal(download.statusCode, 200);
    assert.match(String(download.headers['content-type']), /spreadsheetml/);
    const errorPath = join(work, 'downloaded.xlsx');
    writeFileSync(errorPath, download.rawPayload);
    const rows = await readXlsxFile(errorPath);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]?.[1], `'${evil}`, 'a formula-like value is escaped with a leading apostrophe');
    assert.equal(rows[1]?.[2], "'@SUM(1+1)");
    assert.equal(rows[1]?.[HEADER.length], 6);
    assert.match(String(rows[1]?.[HEADER.length + 1]), /e-mail/);

    const started = await admin.send('POST', `/api/imports/${created.id}/run`, { validRowsOnly: true });
    assert.equal(started.statusCode, 202, started.body);
    const state = await eventually('the import finished', async () => {
      const s = (await admin.get(`/api/imports/${created.id}`)).json();
      return s.status === 'finished' && s;
    });
    assert.equal(state.execution.id, started.json().executionId);
    assert.equal(state.execution.trigger, 'import');
    assert.equal(state.execution.counts.created, 49);
    assert.equal(state.execution.counts.failed, 1);
    const again = await admin.send('POST', `/api/imports/${created.id}/run`, { validRowsOnly: true });
    assert.equal(again.json().error.code, 'import_already_run');
  });

  test("an import's task does not run by itself: run now (API), a run here and a change-driven run are refused", async () => {
    const importTask = (await store.tasks.list()).find((t) => t.id.startsWith('import-'));
    assert.ok(importTask, 'the import task exists after an earlier import');
    const api = await admin.send('POST', `/api/tasks/${importTask.id}/run`);
    assert.equal(api.statusCode, 400, api.body);
    assert.equal(api.json().error.code, 'import_task_not_runnable');
    const service = await createRunService({ store, log: pino({ level: 'silent' }) });
    try {
      for (const attempt of [service.run(importTask.id), service.runSoon(importTask.id, 'change')])
        await assert.rejects(attempt, { code: 'import_task_not_runnable' });
    } finally {
      await service.stop();
    }
  });

  test("an import's task takes no schedule: an interval or an enabled save is refused at its field", async () => {
    const importTask = (await store.tasks.list()).find((t) => t.id.startsWith('import-'));
    assert.ok(importTask, 'the import task exists after an earlier import');
    const interval = await admin.send('PATCH', `/api/tasks/${importTask.id}/schedule`, { everyMinutes: 30 });
    assert.equal(interval.statusCode, 400, interval.body);
    assert.equal(interval.json().error.code, 'import_task_not_runnable');
    assert.equal(interval.json().error.details.field, 'schedule');
    const { id: _id, ...body } = importTask;
    const enabled = await admin.send('PUT', `/api/tasks/${importTask.id}`, { ...body, enabled: true });
    assert.equal(enabled.json().error?.code, 'import_task_not_runnable', enabled.body);
    assert.equal(enabled.json().error.details.field, 'enabled');
    assert.ok(!(await store.tasks.get(importTask.id)).schedule, 'the task keeps no schedule');
  });

  test('an import whose process died mid-way is closed and can run again, without doubling rows', async () => {
    const file = join(work, 'wieder.xlsx');
    await writePeopleXlsx(file, generateImportPeople(12));
    const created = (await upload('wieder.xlsx', readFileSync(file))).json();
    // A run that began and whose process then died: its execution is left running under a dead owner.
    const importTask = (await store.tasks.list()).find((t) => t.id.startsWith('import-'));
    assert.ok(importTask, 'the import task exists after an earlier import');
    const dead = await store.executions.begin({
      taskId: importTask.id,
      trigger: 'import',
      owner: 'gone-host:1',
      staleAfterMs: 1,
    });
    const recordFile = join(work, 'imports', created.id, 'import.json');
    const record = JSON.parse(readFileSync(recordFile, 'utf8'));
    writeFileSync(
      recordFile,
      JSON.stringify({ ...record, status: 'running', executionId: dead.execution.id }),
    );
    const refused = await admin.send('POST', `/api/imports/${created.id}/run`, {});
    assert.equal(refused.statusCode, 409, 'while its run still holds the lease it is running');
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await store.executions.closeStale({ staleAfterMs: 1 }), [dead.execution.id]);
    const again = await admin.send('POST', `/api/imports/${created.id}/run`, {});
    assert.equal(again.statusCode, 202, again.body);
    const done = await eventually('the re-run to end', async () => {
      const e = await store.executions.get(again.json().executionId);
      return e.finishedAt ? e : undefined;
    });
    assert.equal(done.status, 'succeeded', done.error?.message);
    assert.equal(done.counts.created + done.counts.updated + done.counts.unchanged, 12);
  });

  test('a file that is not a spreadsheet is refused with its code and leaves nothing behind', async () => {
    const res = await upload('scan.pdf', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'));
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.code, 'file_format_unsupported');
  });

  test('an upload over 50 MB is refused with 413 file_too_large', async () => {
    const res = await upload('huge.csv', Buffer.alloc(50 * 1024 * 1024 + 10, 'a'));
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(res.json().error.code, 'file_too_large');
  });

  test('a mapping whose source is not a spreadsheet cannot import', async () => {
    await store.mappings.save({
      ...(await store.mappings.get('file-to-customers')),
      id: 'sql-to-sql',
      source: { connectionId: 'erp', object: 'customers', key: 'id' },
    });
    const res = await upload('k.csv', Buffer.from('Kundennummer;E-Mail\nK1;a@b.ch\n'), 'sql-to-sql');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'import_mapping_invalid');
  });
  test("an import counts against its workspace's concurrent-run limit: refused 409 workspace_busy while another run holds the only place, nothing written; it runs once the place is free", async () => {
    const file = join(work, 'voll.xlsx');
    await writePeopleXlsx(
      file,
      generateImportPeople(5).map((p, i) => ({
        ...p,
        Kundennummer: `V${i}`,
        'E-Mail': `voll.${i}@beispiel.ch`,
      })),
    );
    const res = await upload('voll.xlsx', readFileSync(file));
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id;
    await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: 1 } });
    // Another task's run holds the workspace's only place (begun by another process, its lease alive).
    await store.tasks.save({
      id: 'holder',
      name: 'holder',
      mappingId: 'file-to-customers',
      schedule: null,
      enabled: false,
      mode: 'incremental',
      notify: { on: [], to: [] },
      params: {},
    });
    const held = await store.executions.begin({
      taskId: 'holder',
      trigger: 'manual',
      owner: 'elsewhere:1',
      staleAfterMs: 600_000,
    });
    try {
      const before = (
        await withBusinessDb(business, (db) => db.selectFrom('customers').selectAll().execute())
      ).length;
      const refused = await admin.send('POST', `/api/imports/${id}/run`, {});
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'workspace_busy');
      assert.deepEqual(refused.json().error.details, { workspaceId: 'default', active: 1, max: 1 });
      const after = await withBusinessDb(business, (db) => db.selectFrom('customers').selectAll().execute());
      assert.equal(after.length, before, 'nothing is written');
      await store.executions.finish({
        executionId: held.execution.id,
        taskId: 'holder',
        status: 'succeeded',
        counts: held.execution.counts,
      });
      const started = await admin.send('POST', `/api/imports/${id}/run`, {});
      assert.equal(started.statusCode, 202, started.body);
      await eventually('the import finished', async () => {
        const s = (await admin.get(`/api/imports/${id}`)).json();
        return s.status === 'finished' && s;
      });
    } finally {
      await store.workspaces.save({ id: 'default', name: 'Default', limits: { maxConcurrentRuns: null } });
    }
  });
});
