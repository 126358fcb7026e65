import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { generateImportPeople, readXlsxFile, writePeopleCsv1252 } from './fixtures.ts';
import { createCustomersTable } from './setup.ts';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

describe('junction import <file> --mapping <id>', () => {
  let business: TempDatabase & { dir: string };
  let data: string;
  const junction = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, JUNCTION_DATA_DIR: data, DATABASE_URL: '', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });

  before(async () => {
    business = await createTempSqlite();
    await createCustomersTable(business);
    data = mkdtempSync(join(tmpdir(), 'junction-cli-import-'));
    const config = join(data, 'junction.yaml');
    writeFileSync(
      config,
      `connections:
  - { id: upload, name: Uploads, system: spreadsheet, config: {} }
  - { id: erp, name: ERP, system: sql, config: { url: "${business.url}" } }
mappings:
  - id: file-to-customers
    name: File to customers
    source: { connectionId: upload, object: Kunden, key: Kundennummer }
    target: { connectionId: erp, object: customers }
    matchKey: { target: customer_no }
    fields:
      - { target: customer_no, from: Kundennummer, required: true }
      - { target: email, from: E-Mail, transform: [{ type: email }], required: true }
      - { target: firstname, from: Vorname }
`,
    );
    const applied = junction('apply', config);
    assert.equal(applied.status, 0, applied.stderr);
  });
  after(async () => {
    await business?.drop();
    rmSync(data, { recursive: true, force: true });
  });

  test('refuses a file with invalid rows and writes the error file; --valid-rows-only imports the rest', async () => {
    const file = join(data, 'kunden.csv');
    writePeopleCsv1252(file, generateImportPeople(40, new Map([[3, 'email']])));
    const refused = junction('import', file, '--mapping', 'file-to-customers');
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stdout, /40 rows: 39 valid, 1 invalid/);
    assert.match(refused.stdout, /row 5: email: .*invalid_email/);
    assert.match(refused.stdout, /nothing imported/);
    const errorFile = join(data, 'kunden-errors.xlsx');
    assert.ok(existsSync(errorFile));
    assert.equal((await readXlsxFile(errorFile)).length, 2);
    assert.equal(
      (await withBusinessDb(business, (db) => db.selectFrom('customers').selectAll().execute())).length,
      0,
    );

    const imported = junction('import', file, '--mapping', 'file-to-customers', '--valid-rows-only');
    assert.equal(imported.status, 2, imported.stderr);
    assert.match(imported.stdout, /warning; created 39, updated 0, unchanged 0, failed 1/);
    assert.equal(
      (await withBusinessDb(business, (db) => db.selectFrom('customers').selectAll().execute())).length,
      39,
    );
  });

  test('a file that is not a spreadsheet ends with its error code', () => {
    const file = join(data, 'bild.png');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const res = junction('import', file, '--mapping', 'file-to-customers');
    assert.equal(res.status, 1);
    assert.match(res.stderr, /error \(file_format_unsupported\): the file is a PNG image/);
  });
});
