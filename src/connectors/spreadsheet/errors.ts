import { JunctionError } from '../../core/errors.ts';

/** Every reason a spreadsheet file as a whole is refused; each is a stable `code` of SpreadsheetFileError. */
export const SPREADSHEET_ERROR_CODES = [
  'file_too_large',
  'file_format_unsupported',
  'xlsx_encrypted',
  'xlsx_corrupt',
  'xlsx_zip_bomb',
  'xlsx_shared_strings_limit',
  'xlsx_merged_cells',
  'xlsx_formula_without_result',
  'csv_malformed',
  'sheet_empty',
  'header_missing',
  'header_duplicate',
  'too_many_rows',
  'too_many_columns',
] as const;
/** One of SPREADSHEET_ERROR_CODES. */
export type SpreadsheetErrorCode = (typeof SPREADSHEET_ERROR_CODES)[number];

/** A file that cannot be imported at all (as opposed to single rows that fail validation). */
export class SpreadsheetFileError extends JunctionError {
  override readonly code: SpreadsheetErrorCode;
  constructor(
    code: SpreadsheetErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options);
    this.code = code;
  }
}

/** HTTP status for each file error: too large is 413, everything else is a bad upload (422). */
export function spreadsheetErrorStatus(code: SpreadsheetErrorCode): number {
  return code === 'file_too_large' ? 413 : 422;
}

/** What each refusal means, in words that quote nothing of the file. */
const REASONS: Record<SpreadsheetErrorCode, string> = {
  file_too_large: 'it is larger than allowed',
  file_format_unsupported: 'it is neither .xlsx nor .csv (or a variant Junction does not read)',
  xlsx_encrypted: 'the workbook is encrypted',
  xlsx_corrupt: 'the workbook is damaged',
  xlsx_zip_bomb: 'it was refused as a possible zip bomb',
  xlsx_shared_strings_limit: 'its shared strings exceed the limit',
  xlsx_merged_cells: 'the sheet has merged cells',
  xlsx_formula_without_result: 'a formula has no stored result',
  csv_malformed: 'the CSV cannot be parsed',
  sheet_empty: 'the sheet is empty or has no data rows',
  header_missing: 'the header row is missing or incomplete',
  header_duplicate: 'two columns have the same heading',
  too_many_rows: 'it has too many rows',
  too_many_columns: 'it has too many columns',
};

/**
 * The same refusal without anything read from the file (headings, cell text, parser excerpts): for
 * files a connection names on the hub's disk, whose content must not leak through an error. Only
 * numbers (row, line, limits) stay in the details.
 */
export function withoutContent(err: SpreadsheetFileError, file: string): SpreadsheetFileError {
  const numbers = Object.fromEntries(
    Object.entries(err.details ?? {}).filter(([, v]) => typeof v === 'number'),
  );
  return new SpreadsheetFileError(err.code, `the file '${file}' cannot be read: ${REASONS[err.code]}`, {
    ...(Object.keys(numbers).length ? { details: numbers } : {}),
  });
}
