import { JunctionError } from '../../core/errors.ts';

/** Every reason a spreadsheet file as a whole is refused; each is a stable `code` of SpreadsheetFileError. */
export const SPREADSHEET_ERROR_CODES = [
  'file_too_large',
  'file_format_unsupported',
  'xlsx_encrypted',
  'xlsx_corrupt',
  'xlsx_zip_bomb',
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
