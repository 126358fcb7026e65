import type { mappingTable } from '../core/mapping-table.ts';
import { escapeCell } from '../import/error-file.ts';

type Table = ReturnType<typeof mappingTable>;

/** The table as an `.xlsx`: the settings on top, then one row per field under a bold heading. */
export async function mappingTableXlsx(t: Table, sheetName: string): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  // Excel refuses sheet names over 31 characters or with []:*?/\ in them.
  const sheet = book.addWorksheet(sheetName.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Mapping');
  for (const [label, value] of t.about) {
    const row = sheet.addRow([label, escapeCell(value)]);
    row.getCell(1).font = { bold: true };
  }
  sheet.addRow([]);
  sheet.addRow(t.heading).font = { bold: true };
  for (const r of t.rows) sheet.addRow(r.map(escapeCell));
  sheet.columns.forEach((c, i) => {
    c.width = [28, 40, 28, 10][i] ?? 20;
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}

const csvCell = (v: unknown) => {
  const s = String(escapeCell(v) ?? '');
  return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The table as CSV (`;`-separated with a BOM, as Excel in Switzerland opens it): settings, a blank line, the fields. */
export function mappingTableCsv(t: Table): string {
  const lines = [...t.about.map(([label, value]) => [label, value]), [], t.heading, ...t.rows].map((cells) =>
    cells.map(csvCell).join(';'),
  );
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
