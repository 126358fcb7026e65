import { JunctionError } from '../../core/errors.ts';
import {
  type Connector,
  defineConnector,
  type Page,
  type ReadOptions,
  type SourceRecord,
} from '../connector.ts';
import {
  SPREADSHEET_ERROR_CODES,
  SpreadsheetFileError,
  spreadsheetErrorStatus,
  withoutContent,
} from './errors.ts';
import { SpreadsheetConfigSchema, SpreadsheetSecretSchema } from './schemas.ts';
import { openSheet, type Sheet } from './sheet.ts';

export { SPREADSHEET_ERROR_CODES, type SpreadsheetErrorCode, SpreadsheetFileError } from './errors.ts';
export { type OpenSheetOptions, openSheet, type Sheet, type SheetRow } from './sheet.ts';

/** The cell text of a key (numbers from Excel as their plain text: 1001, not 1001.0). */
export function keyOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}

/**
 * A `.xlsx` or `.csv` file as a read-only source: its header row gives the fields, each data row is a
 * record keyed by the mapping's key column. Imports use the same reader on an uploaded file.
 */
export const spreadsheetConnector = defineConnector({
  system: 'spreadsheet',
  label: { de: 'Excel-/CSV-Datei', en: 'Excel/CSV file' },
  name: 'Excel/CSV',
  mark: { short: 'XL', color: '#217346' },
  auth: 'none',
  uploads: true,
  errorStatus: (code) =>
    (SPREADSHEET_ERROR_CODES as readonly string[]).includes(code)
      ? spreadsheetErrorStatus(code as (typeof SPREADSHEET_ERROR_CODES)[number])
      : undefined,
  configSchema: SpreadsheetConfigSchema,
  secretSchema: SpreadsheetSecretSchema,
  localFiles: (config) => (config.file ? [config.file] : []),
  create(ctx): Connector {
    const open = async (object?: string): Promise<Sheet> => {
      const file = ctx.config.file;
      if (!file)
        throw new JunctionError(
          `connection '${ctx.connectionId}' names no file; spreadsheets without one are for imports only`,
        );
      try {
        return await openSheet(ctx.files.resolve(file), {
          sheet: object,
          delimiter: ctx.config.delimiter,
          encoding: ctx.config.encoding,
          limits: ctx.config.limits,
        });
      } catch (err) {
        throw err instanceof SpreadsheetFileError ? withoutContent(err, file) : err;
      }
    };

    async function* contentFree<T>(rows: AsyncGenerator<T>): AsyncGenerator<T> {
      try {
        yield* rows;
      } catch (err) {
        throw err instanceof SpreadsheetFileError ? withoutContent(err, ctx.config.file ?? '') : err;
      }
    }

    async function* read(object: string, o: ReadOptions): AsyncIterable<Page> {
      const sheet = await open(object);
      const pageSize = o.pageSize ?? 500;
      let records: SourceRecord[] = [];
      for await (const row of contentFree(sheet.rows())) {
        ctx.signal.throwIfAborted();
        const key = keyOf(row.data[o.keyField]);
        if (key === null) {
          ctx.log.warn({ row: row.row, keyField: o.keyField }, 'spreadsheet row without a key is skipped');
          continue;
        }
        records.push({ key, data: row.data });
        if (records.length >= pageSize) {
          yield { records, cursor: null };
          records = [];
        }
      }
      if (records.length) yield { records, cursor: null };
    }

    return {
      system: 'spreadsheet',
      limits: { batchSize: 500 },
      async describe() {
        const sheet = await open();
        return [
          {
            name: sheet.sheetName ?? 'rows',
            fields: sheet.header.map((name) => ({ name, type: 'string' as const })),
          },
        ];
      },
      read,
      async write() {
        throw new JunctionError('a spreadsheet is a source only; Junction does not write into files');
      },
      async check() {
        try {
          const sheet = await open();
          return { ok: true, message: `${sheet.format} file with columns ${sheet.header.join(', ')}` };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
    };
  },
});
