import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { executeImport, prepareImport } from '../../src/import/import-file.ts';
import type { Store } from '../../src/store/store.ts';
import { withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import {
  generateImportPeople,
  HEADER,
  readXlsxFile,
  writePeopleCsv1252,
  writePeopleXlsx,
} from './fixtures.ts';
import { createCustomersTable, importContext, saveImportSetup } from './setup.ts';

const log = pino({ level: 'silent' });
// 0-based indexes of the generated people that are broken, and how.
const BAD = new Map([
  [10, 'email'],
  [500, 'date'],
  [1234, 'number'],
  [4321, 'missing'],
  [9998, 'duplicate_key'],
] as const);
const badRows = () => [...BAD.keys()].map((i) => i + 2).sort((a, b) => a - b);
// Valid in the file, but its e-mail is taken (the table's UNIQUE constraint): fails only when written.
const CLASH = 7000;

describe('import a 10 000-row xlsx into the SQL business system', () => {
  let business: TempDatabase & { dir: string };
  let storeDb: TempDatabase;
  let store: Store;
  let file: string;
  const people = generateImportPeople(10_000, new Map([...BAD, [CLASH, 'duplicate' as const]]));

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await withBusinessDb(business, async () => {});
    await createCustomersTable(business);
    store = await openTestStore(storeDb);
    await saveImportSetup(store, { businessUrl: business.url });
    file = join(business.dir, 'kunden.xlsx');
    await writePeopleXlsx(file, people);
  });
  after(async () => {
    await store?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('validation finds exactly the broken rows and the error file holds them with reasons', async () => {
    const errorFilePath = join(business.dir, 'errors.xlsx');
    const prepared = await prepareImport(await importContext(store, log), {
      file,
      mappingId: 'file-to-customers',
      errorFilePath,
    });
    assert.equal(prepared.validation.rows, 10_000);
    assert.equal(prepared.validation.invalid, BAD.size);
    assert.deepEqual(
      [...prepared.reasons.keys()].sort((a, b) => a - b),
      badRows(),
    );
    assert.equal(prepared.validation.preview.length, 10);
    assert.deepEqual(prepared.validation.preview[0]?.payload, {
      customer_no: 'K000001',
      email: 'kunde.1@beispiel.ch',
      firstname: 'Anna',
      lastname: 'Müller',
      date_of_birth: '1950-01-01',
      revenue: 1000.5,
    });
    const rows = await readXlsxFile(errorFilePath);
    assert.deepEqual(rows[0], [...HEADER, 'Import row', 'Import error']);
    const body = rows.slice(1);
    assert.deepEqual(
      body.map((r) => r[HEADER.length]),
      badRows(),
    );
    const reasonOf = (row: number) => String(body.find((r) => r[HEADER.length] === row)?.[HEADER.length + 1]);
    assert.match(reasonOf(12), /e-mail/);
    assert.match(reasonOf(502), /date/i);
    assert.match(reasonOf(1236), /number/i);
    assert.match(reasonOf(4323), /required/);
    assert.match(reasonOf(10_000), /the same Kundennummer 'K000001' as row 2/);
    assert.equal(
      body.find((r) => r[HEADER.length] === 12)?.[0],
      'K000011',
      'the row keeps its original values',
    );
  });

  test('an import with invalid rows is refused as a whole and writes nothing', async () => {
    const prepared = await prepareImport(await importContext(store, log), {
      file,
      mappingId: 'file-to-customers',
    });
    await assert.rejects(
      executeImport(await importContext(store, log), prepared),
      (err: Error & { code?: string }) => err.code === 'import_has_invalid_rows',
    );
    const count = await withBusinessDb(business, (db) =>
      db
        .selectFrom('customers')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(count.n), 0);
  });

  test('"import valid rows" writes the valid rows as one execution with per-row results', async () => {
    const errorFilePath = join(business.dir, 'errors-after-run.xlsx');
    const prepared = await prepareImport(await importContext(store, log), {
      file,
      mappingId: 'file-to-customers',
    });
    const { execution, failedRows, errorFile } = await executeImport(
      await importContext(store, log),
      prepared,
      {
        validRowsOnly: true,
        errorFilePath,
      },
    );
    assert.equal(execution.trigger, 'import');
    assert.equal(execution.status, 'warning');
    assert.equal(execution.counts.read, 10_000);
    assert.equal(execution.counts.created, 10_000 - BAD.size - 1);
    assert.equal(execution.counts.failed, BAD.size + 1);
    assert.equal(failedRows, BAD.size + 1);
    assert.equal(errorFile, errorFilePath);

    const saved = await withBusinessDb(business, (db) =>
      db.selectFrom('customers').selectAll().orderBy('customer_no').execute(),
    );
    assert.equal(saved.length, 10_000 - BAD.size - 1);
    const first = saved[0] as Record<string, unknown>;
    assert.equal(first.customer_no, 'K000001');
    assert.equal(first.date_of_birth, '1950-01-01');
    assert.equal(first.revenue, 1000.5);

    const failed = await store.executions.items(execution.id, { action: 'fail', limit: 100 });
    const allFailed = [...badRows(), CLASH + 2].sort((a, b) => a - b);
    assert.deepEqual(
      failed.map((i) => Number(/^row (\d+):/.exec(i.message ?? '')?.[1])).sort((a, b) => a - b),
      allFailed,
    );
    assert.equal(failed.find((i) => i.message?.startsWith(`row ${CLASH + 2}:`))?.code, 'sql_constraint');
    const [created] = await store.executions.items(execution.id, { action: 'create', limit: 1 });
    assert.equal(created?.message, 'row 2', 'every result names its file row');
    assert.equal(created?.targetId, String(first.id), 'the primary key is the external id');
    const errorRows = (await readXlsxFile(errorFilePath)).slice(1);
    assert.deepEqual(
      errorRows.map((r) => r[HEADER.length]),
      allFailed,
      'the error file now also holds the row the target refused',
    );
  });

  test('importing the same file again changes nothing (hash diff against the sync links)', async () => {
    const prepared = await prepareImport(await importContext(store, log), {
      file,
      mappingId: 'file-to-customers',
    });
    const { execution } = await executeImport(await importContext(store, log), prepared, {
      validRowsOnly: true,
    });
    assert.equal(execution.counts.unchanged, 10_000 - BAD.size - 1);
    assert.equal(execution.counts.created + execution.counts.updated, 0);
  });
});

for (const dialect of DIALECTS) {
  describe(`import a ;-separated Windows-1252 CSV into a ${dialect.name} business system`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase & { dir: string };
    let store: Store;
    const people = generateImportPeople(300, new Map([[7, 'email']]));

    before(async () => {
      business = await dialect.create();
      storeDb = await createTempSqlite();
      await createCustomersTable(business);
      store = await openTestStore(storeDb);
      await saveImportSetup(store, { businessUrl: business.url });
    });
    after(async () => {
      await store?.close();
      await business?.drop();
      await storeDb?.drop();
    });

    test('detects encoding and delimiter, keeps umlauts, upserts by the match key', async () => {
      const file = join(storeDb.dir, 'kunden.csv');
      writePeopleCsv1252(file, people);
      const prepared = await prepareImport(await importContext(store, log), {
        file,
        mappingId: 'file-to-customers',
      });
      assert.equal(prepared.sheet.encoding, 'windows-1252');
      assert.equal(prepared.sheet.delimiter, ';');
      assert.deepEqual([...prepared.reasons.keys()], [9]);
      const { execution } = await executeImport(await importContext(store, log), prepared, {
        validRowsOnly: true,
      });
      assert.equal(execution.counts.created, 299);
      assert.equal(execution.counts.failed, 1);
      const joerg = await withBusinessDb(business, (db) =>
        db.selectFrom('customers').selectAll().where('customer_no', '=', 'K000002').executeTakeFirstOrThrow(),
      );
      assert.equal(joerg.firstname, 'Jörg');
      assert.equal(joerg.lastname, 'Käser');

      // A second file with a changed name for an existing customer updates that row in place.
      const changed = people.map((p, i) => (i === 1 ? { ...p, Vorname: 'Jürg' } : p));
      writePeopleCsv1252(file, changed);
      const again = await executeImport(
        await importContext(store, log),
        await prepareImport(await importContext(store, log), { file, mappingId: 'file-to-customers' }),
        { validRowsOnly: true },
      );
      assert.equal(again.execution.counts.updated, 1);
      assert.equal(again.execution.counts.unchanged, 298);
      const rows = await withBusinessDb(business, (db) =>
        db.selectFrom('customers').select(['customer_no', 'firstname']).execute(),
      );
      assert.equal(rows.length, 299);
      assert.equal(rows.find((r) => r.customer_no === 'K000002')?.firstname, 'Jürg');
    });
  });
}
