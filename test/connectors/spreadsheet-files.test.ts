import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { type OpenSheetOptions, openSheet, type SheetRow } from '../../src/connectors/spreadsheet/sheet.ts';
import { escapeCell } from '../../src/import/error-file.ts';
import { writeXlsx } from '../import/fixtures.ts';
import { compoundFile, makeZip, workbookParts } from '../import/zip-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'junction-sheets-'));
let n = 0;
const file = (content: Buffer | string, ext = 'bin') => {
  const p = join(dir, `f${++n}.${ext}`);
  writeFileSync(p, content);
  return p;
};
async function rowsOf(path: string, o?: OpenSheetOptions): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const r of (await openSheet(path, o)).rows()) out.push(r);
  return out;
}
const refusedWith = (code: string) => (err: Error & { code?: string }) => {
  assert.equal(err.code, code, err.message);
  assert.ok(err.message.length > 10, 'the message says what is wrong');
  return true;
};
const sheetXml = (rows: string) =>
  `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
const HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>';

after(() => rmSync(dir, { recursive: true, force: true }));

describe('spreadsheet files: what is read', () => {
  test('a UTF-8 CSV with BOM and commas: header without BOM, quoted cells, Excel-style row numbers', async () => {
    const path = file(
      '\uFEFFName,Ort,Notiz\r\nMüller,Zürich,"zwei\r\nZeilen"\r\n\r\nKäser,"Bern, BE",\r\n',
      'csv',
    );
    const sheet = await openSheet(path);
    assert.deepEqual(
      [sheet.encoding, sheet.delimiter, sheet.header],
      ['utf-8', ',', ['Name', 'Ort', 'Notiz']],
    );
    const rows = await rowsOf(path);
    assert.deepEqual(
      rows.map((r) => [r.row, r.data]),
      [
        [2, { Name: 'Müller', Ort: 'Zürich', Notiz: 'zwei\r\nZeilen' }],
        [4, { Name: 'Käser', Ort: 'Bern, BE', Notiz: null }],
      ],
    );
  });

  test('a CSV that is not valid UTF-8 is read as Windows-1252', async () => {
    const path = file(iconv.encode("Name;Betrag\nJörg Bühler;1'234.50\n", 'windows-1252'), 'csv');
    assert.deepEqual((await rowsOf(path))[0]?.data, { Name: 'Jörg Bühler', Betrag: "1'234.50" });
  });

  test('xlsx cells: dates as ISO dates, formulas as their cached result, rich text as text, Excel errors as row issues', async () => {
    const path = join(dir, 'cells.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Data');
    ws.addRow(['Datum', 'Summe', 'Text', 'Fehler']);
    ws.addRow([
      new Date(Date.UTC(2025, 11, 31)),
      { formula: '1+1', result: 2 },
      { richText: [{ text: 'Hal' }, { text: 'lo' }] },
      { error: '#N/A' },
    ]);
    ws.getCell('A2').numFmt = 'dd.mm.yyyy';
    await wb.xlsx.writeFile(path);
    const [row] = await rowsOf(path);
    assert.deepEqual(row?.data, { Datum: '2025-12-31', Summe: 2, Text: 'Hallo', Fehler: null });
    assert.match(row?.issues[0] ?? '', /D2.*#N\/A/);
  });

  // Reading a workbook exceljs wrote, and skipping its first sheet, is where the ENOENT flake of full runs
  // came from: see spreadsheet-xlsx-race.test.ts, which reproduces it on every run.
  test('the worksheet named like the mapping object is read, else the first', async () => {
    const path = join(dir, 'two.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Info').addRow(['Hinweis']).commit();
    wb.getWorksheet('Info')?.addRow(['nur Info']);
    const data = wb.addWorksheet('Kunden');
    data.addRow(['Name']);
    data.addRow(['Anna']);
    await wb.xlsx.writeFile(path);
    assert.deepEqual(
      (await rowsOf(path, { sheet: 'Kunden' })).map((r) => r.data),
      [{ Name: 'Anna' }],
    );
    assert.deepEqual(
      (await rowsOf(path)).map((r) => r.data),
      [{ Hinweis: 'nur Info' }],
    );
  });

  test('formula-like text escaped by an error file is read back without the escape', async () => {
    const path = file("Name;Tel\n'=Anna;'+41 79 123 45 67\n", 'csv');
    assert.deepEqual((await rowsOf(path))[0]?.data, { Name: '=Anna', Tel: '+41 79 123 45 67' });
  });

  test('escapeCell prefixes = + - @ tab and CR with an apostrophe and leaves other values alone', () => {
    for (const s of ["=cmd|' /C calc'!A0", '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])
      assert.equal(escapeCell(s), `'${s}`);
    assert.equal(escapeCell('Anna'), 'Anna');
    assert.equal(escapeCell(-5), -5);
    assert.equal(escapeCell(null), null);
  });
});

describe('spreadsheet files: what is refused, each with a stable code', () => {
  test('a file over the size limit', async () => {
    await assert.rejects(
      openSheet(file('Name\nAnna\n', 'csv'), { limits: { maxFileBytes: 5 } }),
      refusedWith('file_too_large'),
    );
  });

  test('a PDF, a binary, a legacy .xls and a zip that is no workbook', async () => {
    await assert.rejects(openSheet(file('%PDF-1.4 …')), refusedWith('file_format_unsupported'));
    await assert.rejects(
      openSheet(file(Buffer.from([1, 2, 0, 3, 0, 4]))),
      refusedWith('file_format_unsupported'),
    );
    await assert.rejects(
      openSheet(file(compoundFile(['Root Entry', 'Workbook']))),
      refusedWith('file_format_unsupported'),
    );
    await assert.rejects(
      openSheet(file(makeZip([{ name: 'word/document.xml', data: Buffer.from('<w/>') }]))),
      refusedWith('file_format_unsupported'),
    );
  });

  test('a password-protected workbook', async () => {
    await assert.rejects(
      openSheet(file(compoundFile(['Root Entry', 'EncryptionInfo', 'EncryptedPackage']))),
      refusedWith('xlsx_encrypted'),
    );
  });

  test('a truncated xlsx and one with broken XML', async () => {
    const good = join(dir, 'good.xlsx');
    await writeXlsx(good, ['Name'], [['Anna']]);
    const bytes = readFileSync(good);
    await assert.rejects(
      openSheet(file(bytes.subarray(0, Math.floor(bytes.length / 2)))),
      refusedWith('xlsx_corrupt'),
    );
    await assert.rejects(
      openSheet(
        file(
          makeZip(workbookParts(`<worksheet><sheetData>${HEADER_ROW}<row r="2"><c r="A2"></row></sheet>`)),
        ),
      ),
      refusedWith('xlsx_corrupt'),
    );
  });

  test('zip bombs: an absurd ratio, a part inflating past its declared size, parts hidden from the directory', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024, 0x20);
    await assert.rejects(
      openSheet(file(makeZip(workbookParts(Buffer.concat([Buffer.from(sheetXml(HEADER_ROW)), zeros]))))),
      refusedWith('xlsx_zip_bomb'),
    );
    const lying = workbookParts(Buffer.alloc(4 * 1024 * 1024, 0x20));
    (lying[3] as { declaredSize?: number }).declaredSize = 1000;
    await assert.rejects(openSheet(file(makeZip(lying))), refusedWith('xlsx_zip_bomb'));
    await assert.rejects(
      openSheet(file(makeZip(workbookParts(sheetXml(HEADER_ROW)))), {
        limits: { maxUncompressedBytes: 200 },
      }),
      refusedWith('xlsx_zip_bomb'),
    );
    const hidden = makeZip(workbookParts(sheetXml(HEADER_ROW)));
    const padded = Buffer.concat([makeZip([{ name: 'x', data: Buffer.alloc(100) }]).subarray(0, 60), hidden]);
    await assert.rejects(openSheet(file(padded)), refusedWith('xlsx_corrupt'));
  });

  test('merged cells', async () => {
    const path = join(dir, 'merged.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Data');
    ws.addRow(['Name', 'Ort']);
    ws.addRow(['Anna', 'Bern']);
    ws.mergeCells('A2:B2');
    await wb.xlsx.writeFile(path);
    await assert.rejects(openSheet(path), refusedWith('xlsx_merged_cells'));
  });

  test('a formula without a cached result', async () => {
    const rows = `${HEADER_ROW}<row r="2"><c r="A2"><f>1+1</f></c></row>`;
    await assert.rejects(
      rowsOf(file(makeZip(workbookParts(sheetXml(rows))))),
      refusedWith('xlsx_formula_without_result'),
    );
  });

  test('empty files and sheets, header only', async () => {
    await assert.rejects(openSheet(file('', 'csv')), refusedWith('sheet_empty'));
    await assert.rejects(openSheet(file('\r\n\r\n;;\r\n', 'csv')), refusedWith('sheet_empty'));
    await assert.rejects(openSheet(file('Name;Ort\r\n', 'csv')), refusedWith('sheet_empty'));
    await assert.rejects(openSheet(file(makeZip(workbookParts(sheetXml(''))))), refusedWith('sheet_empty'));
  });

  test('a missing or broken header', async () => {
    await assert.rejects(
      openSheet(file('K000001;anna@example.ch;1200\nK000002;bea@example.ch;900\n', 'csv')),
      refusedWith('header_missing'),
    );
    await assert.rejects(openSheet(file('Name;;Ort\nAnna;x;Bern\n', 'csv')), refusedWith('header_missing'));
    await assert.rejects(
      openSheet(file('Name;Ort;Name\nAnna;Bern;A\n', 'csv')),
      refusedWith('header_duplicate'),
    );
  });

  test('too many rows (the limit is checked while streaming)', async () => {
    const path = file(`Name\n${Array.from({ length: 101 }, (_, i) => `P${i}`).join('\n')}\n`, 'csv');
    await assert.rejects(rowsOf(path, { limits: { maxRows: 100 } }), refusedWith('too_many_rows'));
    assert.equal((await rowsOf(path, { limits: { maxRows: 101 } })).length, 101);
  });

  test('a CSV with an unclosed quote', async () => {
    await assert.rejects(
      rowsOf(file('Name;Ort\n"Anna;Bern\nBea;Thun\n', 'csv'), { limits: { maxRecordChars: 10 } }),
      refusedWith('csv_malformed'),
    );
  });
});
