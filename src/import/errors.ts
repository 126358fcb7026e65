import { JunctionError } from '../core/errors.ts';

/** Reasons an import stops before writing, apart from a bad file (SpreadsheetFileError). */
export const IMPORT_ERROR_CODES = [
  'import_mapping_invalid',
  'columns_missing',
  'import_has_invalid_rows',
  'import_already_run',
] as const;
/** One of IMPORT_ERROR_CODES. */
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

/** An import that cannot go ahead as asked; nothing has been written. */
export class ImportError extends JunctionError {
  override readonly code: ImportErrorCode;
  constructor(code: ImportErrorCode, message: string, options: { details?: Record<string, unknown> } = {}) {
    super(message, options);
    this.code = code;
  }
}

/** HTTP status of each import error code. */
export const IMPORT_ERROR_STATUS: Record<ImportErrorCode, number> = {
  import_mapping_invalid: 400,
  columns_missing: 422,
  import_has_invalid_rows: 422,
  import_already_run: 409,
};
