import { z } from 'zod';

/** Guards against hostile and oversized files; every limit has a default that fits real customer files. */
export const SpreadsheetLimitsSchema = z.object({
  /** Largest file accepted, in bytes (50 MB). */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Most data rows a sheet may have. */
  maxRows: z.number().int().positive().default(1_000_000),
  /** Most header columns. */
  maxColumns: z.number().int().positive().default(1000),
  /** Most bytes all parts of an xlsx may inflate to together (1 GiB). */
  maxUncompressedBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  /**
   * Most shared strings (distinct cell texts) an xlsx may have: the reader keeps them all in memory.
   * A 200 000-row customer file has about 400 000.
   */
  maxSharedStrings: z.number().int().positive().default(1_000_000),
  /** Most bytes the shared-strings part may inflate to (64 MB; a 200 000-row customer file has 13 MB). */
  maxSharedStringsBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Highest inflate ratio a large xlsx part may have (real sheets stay well below; bombs go to 1000+). */
  maxCompressionRatio: z.number().positive().default(250),
  /** Longest CSV record, in characters (an unclosed quote otherwise swallows the whole file). */
  maxRecordChars: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
});
/** Limits with defaults filled. */
export type SpreadsheetLimits = z.infer<typeof SpreadsheetLimitsSchema>;
/** Limits as a caller may give them (any subset). */
export type SpreadsheetLimitsInput = z.input<typeof SpreadsheetLimitsSchema>;

/** Connection config of a spreadsheet source: a file on disk that tasks read (imports bring their own file). */
export const SpreadsheetConfigSchema = z.object({
  /** Path of a `.xlsx` or `.csv` file; optional because uploads name their file per import. */
  file: z
    .string()
    .min(1)
    .optional()
    .meta({
      label: { de: 'Datei', en: 'File' },
      help: {
        // "The allowed folder" left a workspace's people guessing which one and how to write its path.
        de: 'Für Aufgaben: eine Datei im Dateiordner dieses Arbeitsbereichs, als Pfad darin (z. B. kunden.xlsx), oder hochladen; Importe laden ihre Datei selbst hoch',
        en: "For tasks: a file in this workspace's files folder, as a path inside it (e.g. customers.xlsx), or upload one; imports upload their own file",
      },
      widget: 'file',
      accept: '.xlsx,.csv',
    }),
  /** CSV delimiter; detected from the header line when absent. */
  delimiter: z
    .enum([';', ',', '\t', '|'])
    .optional()
    .meta({
      label: { de: 'CSV-Trennzeichen (sonst erkannt)', en: 'CSV delimiter (else detected)' },
      widget: 'select',
    }),
  /** CSV encoding; detected (BOM, then UTF-8 validity, else Windows-1252) when absent. */
  encoding: z
    .enum(['utf-8', 'windows-1252', 'utf-16le'])
    .optional()
    .meta({
      label: { de: 'CSV-Kodierung (sonst erkannt)', en: 'CSV encoding (else detected)' },
      widget: 'select',
    }),
  limits: SpreadsheetLimitsSchema.partial().optional(),
});
/** Parsed spreadsheet connection config. */
export type SpreadsheetConfig = z.infer<typeof SpreadsheetConfigSchema>;

/** Spreadsheets need no secret. */
export const SpreadsheetSecretSchema = z.object({}).passthrough();
