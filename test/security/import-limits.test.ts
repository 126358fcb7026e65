import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openSheet } from '../../src/connectors/spreadsheet/sheet.ts';
import { createValidationQueue, type ValidationQueue } from '../../src/import/validation-queue.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';
import { generateImportPeople, writePeopleXlsx } from '../import/fixtures.ts';
import { createCustomersTable, saveImportSetup } from '../import/setup.ts';
import { makeZip, workbookParts } from '../import/zip-helpers.ts';

/**
 * Finding 5: a 5 MB .xlsx whose shared strings expand to 1 GB passed the zip guard (ratio 205); one
 * upload took ~2.7 GB RSS and four at once ended the whole hub with "heap out of memory".
 */
const SHEET = '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>';

/** The attack: ~5 MB on disk, shared strings declared at 1 GB (ratio about 200, under the bomb ratio). */
function sharedStringsBomb(): Buffer {
  const text = randomBytes(5_000_000).toString('base64');
  return makeZip([
    ...workbookParts(SHEET),
    {
      name: 'xl/sharedStrings.xml',
      data: Buffer.from(`<sst><si><t>${text}</t></si></sst>`),
      declaredSize: 1_000_000_000,
    },
  ]);
}

/** 1.1 million tiny shared strings (5.5 MB inflated): too many to cache, small enough for every other check. */
const manyStrings = () =>
  makeZip([
    ...workbookParts(SHEET),
    { name: 'xl/sharedStrings.xml', data: Buffer.from(`<sst>${'<si/>'.repeat(1_100_000)}</sst>`) },
  ]);

describe('xlsx shared strings and rows are bounded before the reader caches them', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'junction-xlsx-limits-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the 5 MB file whose shared strings expand to 1 GB is refused with xlsx_shared_strings_limit, cheaply', async () => {
    const file = join(dir, 'bomb.xlsx');
    const bytes = sharedStringsBomb();
    assert.ok(bytes.length > 4_500_000 && bytes.length < 6_000_000, `${bytes.length} bytes`);
    writeFileSync(file, bytes);
    const heap = process.memoryUsage().heapUsed;
    await assert.rejects(openSheet(file), { code: 'xlsx_shared_strings_limit' });
    assert.ok(process.memoryUsage().heapUsed - heap < 100 * 1024 * 1024, 'nothing large was held');
  });

  test('more shared strings than the limit are refused while counting them', async () => {
    const file = join(dir, 'many.xlsx');
    writeFileSync(file, manyStrings());
    await assert.rejects(openSheet(file), { code: 'xlsx_shared_strings_limit', message: /1000000 distinct/ });
  });

  test('a sheet with more rows than allowed is refused before it is parsed', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`,
    );
    const file = join(dir, 'rows.xlsx');
    writeFileSync(
      file,
      makeZip(workbookParts(`<worksheet><sheetData>${rows.join('')}</sheetData></worksheet>`)),
    );
    await assert.rejects(openSheet(file, { limits: { maxRows: 10 } }), { code: 'too_many_rows' });
  });

  test('a real 2 000-row customer file still opens', async () => {
    const file = join(dir, 'real.xlsx');
    await writePeopleXlsx(file, generateImportPeople(2000));
    const sheet = await openSheet(file);
    let n = 0;
    for await (const _ of sheet.rows()) n++;
    assert.equal(n, 2000);
  });
});

test('the validation queue runs at most two at a time and lets the rest wait in order', async () => {
  const q = createValidationQueue(2);
  const started: number[] = [];
  const release: (() => void)[] = [];
  const runs = [0, 1, 2, 3, 4].map((i) =>
    q.run(
      () =>
        new Promise<number>((resolve) => {
          started.push(i);
          release[i] = () => resolve(i);
        }),
    ),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.equal(q.waiting, 3);
  release[1]?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  for (const i of [0, 2, 3, 4]) {
    await new Promise((r) => setImmediate(r));
    release[i]?.();
  }
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
  assert.equal(q.active, 0);
});

for (const dialect of DIALECTS) {
  describe(`uploads over the API (${dialect.name})`, () => {
    let business: TempDatabase;
    let db: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let most = 0;

    before(async () => {
      business = await createTempSqlite();
      db = await dialect.create();
      await createCustomersTable(business);
      store = await openTestStore(db);
      await saveImportSetup(store, { businessUrl: business.url });
      // The server's queue, observed: how many validations ever ran at once.
      const queue = createValidationQueue();
      let now = 0;
      const observed: ValidationQueue = {
        run: (validate) =>
          queue.run(async () => {
            most = Math.max(most, ++now);
            try {
              return await validate();
            } finally {
              now--;
            }
          }),
        get active() {
          return queue.active;
        },
        get waiting() {
          return queue.waiting;
        },
      };
      ({ app, admin } = await createTestServer(store, { importValidation: observed }));
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
      await business?.drop();
    });

    const upload = (name: string, content: Buffer) => {
      const boundary = 'junctionlimits';
      return app.inject({
        method: 'POST',
        url: '/api/imports',
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="mappingId"\r\n\r\nfile-to-customers\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          ),
          content,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: admin.cookie,
          'x-csrf-token': admin.csrf,
        },
      });
    };

    test('four shared-strings bombs at once are each refused with 422 and a stable code; the hub stays up', async () => {
      const bomb = sharedStringsBomb();
      const answers = await Promise.all([1, 2, 3, 4].map((i) => upload(`bomb-${i}.xlsx`, bomb)));
      for (const res of answers) {
        assert.equal(res.statusCode, 422, res.body);
        assert.equal(res.json().error.code, 'xlsx_shared_strings_limit');
      }
      assert.ok(most <= 2, `${most} validations ran at once`);
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    });

    test('several good uploads at once are validated two at a time and all succeed', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'junction-limits-')), 'kunden.xlsx');
      await writePeopleXlsx(file, generateImportPeople(300));
      const content = (await import('node:fs')).readFileSync(file);
      most = 0;
      const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => upload(`kunden-${i}.xlsx`, content)));
      for (const res of answers) assert.equal(res.statusCode, 201, res.body);
      assert.ok(most >= 1 && most <= 2, `${most} validations ran at once`);
    });
  });
}
