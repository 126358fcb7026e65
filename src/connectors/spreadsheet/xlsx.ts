import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { columnLetter, plainCellValue } from './cell-value.ts';
import { SpreadsheetFileError } from './errors.ts';
import type { XlsxInspection } from './zip-guard.ts';

/** One row as the file holds it: its 1-based row number and its cells from column A on. */
export interface RawRow {
  row: number;
  cells: unknown[];
}

/** Which worksheet an import reads: the one named `preferred` if the workbook has it, else the first. */
export function chooseSheet(inspection: XlsxInspection, preferred?: string): { name: string; part: string } {
  const sheet = inspection.sheets.find((s) => s.name === preferred) ?? inspection.sheets[0];
  if (!sheet) throw new SpreadsheetFileError('sheet_empty', 'the workbook has no worksheet');
  if (inspection.mergedParts.has(sheet.part)) {
    throw new SpreadsheetFileError(
      'xlsx_merged_cells',
      `worksheet '${sheet.name}' has merged cells; unmerge them (one value per cell) and upload the file again`,
      { details: { sheet: sheet.name } },
    );
  }
  return sheet;
}

/** What exceljs must have parsed before a worksheet, so it reads the worksheet straight from the stream. */
const FIRST_PARTS = [
  'xl/_rels/workbook.xml.rels',
  'xl/workbook.xml',
  'xl/sharedStrings.xml',
  'xl/styles.xml',
];

/**
 * The workbook as exceljs's one-pass reader needs it: the named parts' local zip entries, copied byte for
 * byte in this order, the other worksheets left out. exceljs 4.4 otherwise parks worksheets that come
 * before the shared strings (as Excel and exceljs store them) in temp files, and that path races on
 * Node ≥ 18 (exceljs#3064): the workbook part can arrive too late ("reading 'sheets'") and a skipped
 * worksheet's temp file is deleted while its read stream is still opening (an uncaught ENOENT).
 */
function orderedParts(path: string, names: string[], zip: Pick<XlsxInspection, 'parts' | 'directory'>) {
  const out = new PassThrough();
  // The directory goes last, unchanged: the streaming reader stops at its first record and checks no offset.
  const ranges = [...names.flatMap((n) => zip.parts.get(n) ?? []), zip.directory];
  (async () => {
    for (const r of ranges) {
      for await (const chunk of createReadStream(path, r)) {
        if (out.destroyed) return; // the reader stopped early: leaving the loop closes the file
        if (!out.write(chunk)) await new Promise((ok) => out.once('drain', ok).once('close', ok));
      }
    }
    out.end();
  })().catch((err) => out.destroy(err as Error));
  return out;
}

function wrap(err: unknown): Error {
  if (err instanceof SpreadsheetFileError) return err;
  return new SpreadsheetFileError(
    'xlsx_corrupt',
    `the xlsx file could not be read: ${(err as Error).message}`,
    { cause: err },
  );
}

/**
 * Streams the rows of one worksheet with exceljs's WorkbookReader: shared strings and styles (for date
 * cells) are cached, rows are never held. Stopping early closes the file.
 */
export async function* readXlsxRows(
  path: string,
  sheet: { name: string; part: string },
  zip: Pick<XlsxInspection, 'parts' | 'directory'>,
): AsyncGenerator<RawRow> {
  const sheetName = sheet.name;
  // exceljs is heavy to load; only runs that read an xlsx pay for it.
  const { default: ExcelJS } = await import('exceljs');
  const input = orderedParts(path, [...FIRST_PARTS, sheet.part], zip);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    for await (const worksheet of reader) {
      if ((worksheet as unknown as { name: string }).name !== sheetName) continue;
      for await (const row of worksheet) {
        const values = row.values as unknown[];
        const cells: unknown[] = [];
        for (let i = 1; i < values.length; i++) {
          cells.push(plainCellValue(values[i], () => `${columnLetter(i - 1)}${row.number}`));
        }
        yield { row: row.number, cells };
      }
      return;
    }
  } catch (err) {
    throw wrap(err);
  } finally {
    input.destroy();
  }
}
