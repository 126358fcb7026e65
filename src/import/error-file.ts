import { createWriteStream } from 'node:fs';
import type { Sheet } from '../connectors/spreadsheet/sheet.ts';

/** Characters that make spreadsheet programs (and CSV consumers) read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Escapes a value for a file a person will open: text that starts like a formula gets a leading `'`
 * (OWASP's CSV-injection advice), so `=HYPERLINK(…)` or `=cmd|…` shows as text and never runs.
 * Numbers, booleans and empty cells are left alone.
 */
export function escapeCell(value: unknown): unknown {
  if (typeof value === 'string') return FORMULA_START.test(value) ? `'${value}` : value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return escapeCell(String(value));
}

/** Headings of the added columns, made unique against the file's own headings. */
function addedHeadings(header: string[]): [string, string] {
  const free = (name: string) => {
    let n = name;
    for (let i = 2; header.includes(n); i++) n = `${name} (${i})`;
    return n;
  };
  return [free('Import row'), free('Import error')];
}

/**
 * Writes the rows named in `reasons` (row number → reason) as an `.xlsx`: the file's own columns in
 * their order, then the row number and the reason, every cell escaped. Fix the rows, delete the two
 * added columns or not (an import ignores unmapped columns), and import the file again. Streams both the
 * source and the output; returns how many rows it wrote.
 */
export async function writeErrorFile(
  sheet: Sheet,
  reasons: ReadonlyMap<number, string>,
  outPath: string,
): Promise<number> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    // Customer data: only Junction's user may read the file.
    stream: createWriteStream(outPath, { mode: 0o600 }),
    useSharedStrings: false,
    useStyles: false,
  });
  const ws = wb.addWorksheet('Errors');
  ws.addRow([...sheet.header, ...addedHeadings(sheet.header)].map(escapeCell)).commit();
  let written = 0;
  for await (const row of sheet.rows()) {
    const reason = reasons.get(row.row);
    if (reason === undefined) continue;
    ws.addRow([...sheet.header.map((h) => escapeCell(row.data[h])), row.row, escapeCell(reason)]).commit();
    if (++written === reasons.size) break;
  }
  ws.commit();
  await wb.commit();
  return written;
}
