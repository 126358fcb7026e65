/**
 * The flake seen in full runs of spreadsheet-files.test.ts (ENOENT on /tmp/tmp-…, now and then
 * "Cannot read properties of undefined (reading 'sheets')" or a worksheet read as empty), pinned down:
 * exceljs 4.4's streaming WorkbookReader reads the zip in one pass (unzipper.Parse) and parks worksheets
 * that come before xl/sharedStrings.xml in temp files. On Node ≥ 18 that pass races (exceljs#3064): the
 * last entry (xl/workbook.xml in files exceljs writes) can arrive too late, and a temp file is deleted as
 * soon as the next worksheet is asked for while its read stream is still opening — when
 * src/connectors/spreadsheet/xlsx.ts skips an unread worksheet, that ENOENT is an uncaught error that ends
 * the process. Excel itself stores worksheets before the shared strings, so uploads of real workbooks take
 * the same path. src/connectors/spreadsheet/xlsx.ts therefore hands exceljs only the parts it needs, in a
 * safe order (workbook, shared strings, styles, then the chosen worksheet); this test holds it there. It
 * reads in a child process because the race ends a process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';

const READS = 100;

test(`a two-sheet workbook read ${READS} times, second sheet by name: every read gives its rows, none crashes`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-xlsx-race-'));
  try {
    const path = join(dir, 'two.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Info').addRow(['Hinweis']);
    wb.getWorksheet('Info')?.addRow(['nur Info']);
    const data = wb.addWorksheet('Kunden');
    data.addRow(['Name']);
    data.addRow(['Anna']);
    await wb.xlsx.writeFile(path);
    const sheetModule = new URL('../../src/connectors/spreadsheet/sheet.ts', import.meta.url).href;
    const script = `
      const { openSheet } = await import(${JSON.stringify(sheetModule)});
      for (let i = 0; i < ${READS}; i++) {
        const rows = [];
        for await (const r of (await openSheet(${JSON.stringify(path)}, { sheet: 'Kunden' })).rows()) rows.push(r.data);
        if (JSON.stringify(rows) !== '[{"Name":"Anna"}]') throw new Error('read ' + i + ' gave ' + JSON.stringify(rows));
      }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(
      r.status,
      0,
      r.stderr.split('\n').find((l) => /ENOENT|Cannot read properties|read \d+ gave/.test(l)) ??
        r.stderr.slice(-500),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
