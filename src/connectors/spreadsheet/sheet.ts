import { CellErrorValue, columnLetter } from './cell-value.ts';
import {
  type CsvDelimiter,
  type CsvEncoding,
  detectDelimiter,
  detectEncoding,
  firstLine,
  readCsvRows,
} from './csv.ts';
import { detectFormat, type SpreadsheetFormat } from './detect.ts';
import { SpreadsheetFileError } from './errors.ts';
import { type SpreadsheetLimits, type SpreadsheetLimitsInput, SpreadsheetLimitsSchema } from './schemas.ts';
import { chooseSheet, type RawRow, readXlsxRows } from './xlsx.ts';
import { inspectXlsx } from './zip-guard.ts';

/** One data row: its row number in the file (for remarks), its values by heading, and what is wrong with it. */
export interface SheetRow {
  row: number;
  data: Record<string, unknown>;
  /** Problems of the row itself (an Excel error value, a value under no heading). */
  issues: string[];
}

/** An opened, checked spreadsheet: its header is known; `rows()` streams the data from the start each time. */
export interface Sheet {
  format: SpreadsheetFormat;
  /** Worksheet name (xlsx) or the file's encoding and delimiter (csv). */
  sheetName: string | null;
  encoding: CsvEncoding | null;
  delimiter: CsvDelimiter | null;
  bytes: number;
  header: string[];
  /** Row number of the header line. */
  headerRow: number;
  rows(): AsyncGenerator<SheetRow>;
}

/** How to open a spreadsheet. */
export interface OpenSheetOptions {
  /** Worksheet to read (xlsx); the first one when absent or not found. */
  sheet?: string | undefined;
  delimiter?: CsvDelimiter | undefined;
  encoding?: CsvEncoding | undefined;
  limits?: SpreadsheetLimitsInput | undefined;
}

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
const looksLikeData = (v: unknown) =>
  typeof v !== 'string' || /^\S+@\S+\.\S+$/.test(v.trim()) || /^[\d'.,\s-]+$/.test(v.trim());

function checkHeader(raw: RawRow, limits: SpreadsheetLimits): string[] {
  const cells = [...raw.cells];
  while (cells.length && isBlank(cells[cells.length - 1])) cells.pop();
  if (cells.length > limits.maxColumns) {
    throw new SpreadsheetFileError(
      'too_many_columns',
      `the sheet has ${cells.length} columns; at most ${limits.maxColumns} are supported`,
    );
  }
  const header: string[] = [];
  const seen = new Map<string, string>();
  let dataLike = 0;
  for (const [i, cell] of cells.entries()) {
    const col = columnLetter(i);
    if (isBlank(cell)) {
      throw new SpreadsheetFileError(
        'header_missing',
        `row ${raw.row} is read as the header, but column ${col} has no heading`,
        {
          details: { row: raw.row, column: col },
        },
      );
    }
    if (looksLikeData(cell)) dataLike++;
    const name = String(cell).trim().normalize('NFC');
    const before = seen.get(name);
    if (before) {
      throw new SpreadsheetFileError(
        'header_duplicate',
        `columns ${before} and ${col} have the same heading '${name}'`,
        {
          details: { heading: name, columns: [before, col] },
        },
      );
    }
    seen.set(name, col);
    header.push(name);
  }
  if (dataLike > 0 && dataLike * 2 >= header.length) {
    throw new SpreadsheetFileError(
      'header_missing',
      `row ${raw.row} looks like data, not column headings; add a header row`,
      {
        details: { row: raw.row },
      },
    );
  }
  return header;
}

function toSheetRow(raw: RawRow, header: string[]): SheetRow | null {
  if (raw.cells.every(isBlank)) return null;
  const data: Record<string, unknown> = {};
  const issues: string[] = [];
  for (let i = 0; i < raw.cells.length; i++) {
    const v = raw.cells[i];
    const name = header[i];
    if (v instanceof CellErrorValue) {
      issues.push(`cell ${columnLetter(i)}${raw.row} holds the Excel error ${v.text}`);
      if (name !== undefined) data[name] = null;
    } else if (name !== undefined) {
      data[name] = typeof v === 'string' ? v.trim() || null : v;
    } else if (!isBlank(v)) {
      issues.push(`cell ${columnLetter(i)}${raw.row} has a value but its column has no heading`);
    }
  }
  for (let i = raw.cells.length; i < header.length; i++) data[header[i] as string] = null;
  return { row: raw.row, data, issues };
}

/**
 * Opens a `.xlsx` or `.csv` file for import: detects the format from its content, runs the file-level
 * checks (size, encryption, zip-bomb guard, merged cells, encoding, delimiter), reads and checks the
 * header, and makes sure there is at least one data row. Throws SpreadsheetFileError with a stable code.
 */
export async function openSheet(path: string, o: OpenSheetOptions = {}): Promise<Sheet> {
  const limits = SpreadsheetLimitsSchema.parse(o.limits ?? {});
  const { format, bytes } = await detectFormat(path, limits.maxFileBytes);
  let raw: () => AsyncGenerator<RawRow>;
  let sheetName: string | null = null;
  let encoding: CsvEncoding | null = null;
  let delimiter: CsvDelimiter | null = null;
  if (format === 'xlsx') {
    const inspection = await inspectXlsx(path, bytes, limits);
    const sheet = chooseSheet(inspection, o.sheet);
    sheetName = sheet.name;
    raw = () => readXlsxRows(path, sheet, inspection);
  } else {
    const detected = o.encoding ? { encoding: o.encoding, bomBytes: 0 } : await detectEncoding(path);
    const enc = detected.encoding;
    encoding = enc;
    const delim = o.delimiter ?? detectDelimiter(await firstLine(path, enc, detected.bomBytes));
    delimiter = delim;
    raw = () =>
      readCsvRows(path, {
        encoding: enc,
        bomBytes: detected.bomBytes,
        delimiter: delim,
        maxRecordChars: limits.maxRecordChars,
      });
  }

  let header: string[] | null = null;
  let headerRow = 0;
  let hasData = false;
  for await (const r of raw()) {
    if (!header) {
      if (r.cells.every(isBlank)) continue;
      header = checkHeader(r, limits);
      headerRow = r.row;
    } else if (!r.cells.every(isBlank)) {
      hasData = true;
      break;
    }
  }
  if (!header)
    throw new SpreadsheetFileError(
      'sheet_empty',
      `the ${sheetName ? `worksheet '${sheetName}'` : 'file'} is empty`,
    );
  if (!hasData)
    throw new SpreadsheetFileError('sheet_empty', 'the sheet has a header row but no data rows', {
      details: { header },
    });
  const columns = header;

  return {
    format,
    sheetName,
    encoding,
    delimiter,
    bytes,
    header: columns,
    headerRow,
    async *rows() {
      let count = 0;
      for await (const r of raw()) {
        if (r.row <= headerRow) continue;
        const row = toSheetRow(r, columns);
        if (!row) continue;
        if (++count > limits.maxRows) {
          throw new SpreadsheetFileError(
            'too_many_rows',
            `the sheet has more than ${limits.maxRows} data rows`,
            { details: { maxRows: limits.maxRows } },
          );
        }
        yield row;
      }
    },
  };
}
