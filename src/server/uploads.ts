import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import { mb } from '../connectors/spreadsheet/detect.ts';
import { SpreadsheetFileError } from '../connectors/spreadsheet/errors.ts';
import { SpreadsheetLimitsSchema } from '../connectors/spreadsheet/schemas.ts';

/** Largest file the dashboard may upload (imports, connection files, samples): the spreadsheet reader's limit. */
export const MAX_UPLOAD_BYTES = SpreadsheetLimitsSchema.parse({}).maxFileBytes;

/** Multipart limits of every upload route: one file part of at most MAX_UPLOAD_BYTES, a few fields. */
export const UPLOAD_LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } as const;

/** A file name that is safe as the last part of a path on the hub's disk (no separators, no `..`). */
export const safeName = (name: string, fallback = 'upload') =>
  name
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .replace(/^\.+/, '')
    .slice(0, 120) || fallback;

/**
 * Writes an uploaded part to `path` (readable by Junction's user only) and refuses one larger than
 * MAX_UPLOAD_BYTES with `file_too_large` (the caller removes what was written).
 */
export async function receiveUpload(part: MultipartFile, path: string): Promise<void> {
  const tooLarge = () =>
    new SpreadsheetFileError('file_too_large', `the file is larger than ${mb(MAX_UPLOAD_BYTES)}`, {
      details: { maxBytes: MAX_UPLOAD_BYTES },
    });
  try {
    await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    throw (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : err;
  }
  // The parser stops at the limit and marks the stream truncated instead of failing it.
  if (part.file.truncated) throw tooLarge();
}
