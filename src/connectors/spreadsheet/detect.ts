import { open, stat } from 'node:fs/promises';
import { SpreadsheetFileError } from './errors.ts';

/** The two formats Junction reads. */
export type SpreadsheetFormat = 'xlsx' | 'csv';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
// Binary formats people upload by mistake; named so the error can say what the file is.
const KNOWN_BINARIES: [Buffer, string][] = [
  [Buffer.from('%PDF'), 'a PDF document'],
  [Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'a PNG image'],
  [Buffer.from([0xff, 0xd8, 0xff]), 'a JPEG image'],
  [Buffer.from([0x1f, 0x8b]), 'a gzip archive'],
];
const SNIFF_BYTES = 64 * 1024;

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * An OLE compound file is either a password-protected OOXML workbook (its streams are named
 * EncryptionInfo and EncryptedPackage) or a legacy .xls/.doc. The names sit in the first directory sector.
 */
async function describeCompoundFile(path: string, header: Buffer): Promise<'encrypted' | 'legacy'> {
  const sectorShift = header.readUInt16LE(30);
  const firstDirSector = header.readUInt32LE(48);
  if (sectorShift < 7 || sectorShift > 16) return 'legacy';
  const size = 2 ** sectorShift;
  const dir = await readAt(path, (firstDirSector + 1) * size, size);
  const text = dir.toString('utf16le');
  return text.includes('EncryptedPackage') || text.includes('EncryptionInfo') ? 'encrypted' : 'legacy';
}

/**
 * Tells an xlsx from a CSV by the file's content (never by its name), and refuses what is neither: too
 * large, password-protected, legacy .xls, PDFs, images and other binaries, each with its own code.
 */
export async function detectFormat(
  path: string,
  maxFileBytes: number,
): Promise<{ format: SpreadsheetFormat; bytes: number }> {
  const { size } = await stat(path);
  if (size > maxFileBytes) {
    throw new SpreadsheetFileError(
      'file_too_large',
      `the file has ${mb(size)}; at most ${mb(maxFileBytes)} can be imported`,
      {
        details: { bytes: size, maxBytes: maxFileBytes },
      },
    );
  }
  if (size === 0) throw new SpreadsheetFileError('sheet_empty', 'the file is empty');
  const head = await readAt(path, 0, Math.min(size, SNIFF_BYTES));
  if (head.subarray(0, 4).equals(ZIP_MAGIC) || head.subarray(0, 4).equals(EMPTY_ZIP_MAGIC))
    return { format: 'xlsx', bytes: size };
  if (head.length >= 8 && head.subarray(0, 8).equals(CFB_MAGIC)) {
    if ((await describeCompoundFile(path, head)) === 'encrypted') {
      throw new SpreadsheetFileError(
        'xlsx_encrypted',
        'the workbook is password-protected; remove the password in Excel and upload it again',
      );
    }
    throw new SpreadsheetFileError(
      'file_format_unsupported',
      'this is a legacy Excel 97–2003 (.xls) file; save it as .xlsx or .csv',
    );
  }
  for (const [magic, what] of KNOWN_BINARIES) {
    if (head.subarray(0, magic.length).equals(magic)) {
      throw new SpreadsheetFileError(
        'file_format_unsupported',
        `the file is ${what}, not a spreadsheet; upload .xlsx or .csv`,
      );
    }
  }
  // UTF-16 text has NUL bytes too, but announces itself with a BOM.
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!utf16 && head.includes(0)) {
    throw new SpreadsheetFileError(
      'file_format_unsupported',
      'the file is binary, not a spreadsheet; upload .xlsx or .csv',
    );
  }
  return { format: 'csv', bytes: size };
}

/** Megabytes for messages. */
export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
