import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { mb } from './detect.ts';
import { SpreadsheetFileError } from './errors.ts';
import type { SpreadsheetLimits } from './schemas.ts';

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  dataStart: number;
}

/** What the guard learnt about a workbook while checking it. */
export interface XlsxInspection {
  /** Sheet names in workbook order, each with the part (`xl/worksheets/sheet1.xml`) that holds it. */
  sheets: { name: string; part: string }[];
  /** Worksheet parts that contain merged cells. */
  mergedParts: Set<string>;
  uncompressedBytes: number;
  /** Byte range of each part's local entry (header, data, data descriptor), for re-ordered streaming. */
  parts: Map<string, { start: number; end: number }>;
  /** Byte range of the zip directory and its end record: a streamed zip ends with them. */
  directory: { start: number; end: number };
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
/** Ratios are only judged on parts this big: tiny XML parts compress absurdly well and harm no one. */
const RATIO_FLOOR_BYTES = 10 * 1024 * 1024;
const SMALL_PART_CAP = 4 * 1024 * 1024;

const corrupt = (why: string) => new SpreadsheetFileError('xlsx_corrupt', `the xlsx file is damaged: ${why}`);
const bomb = (why: string, details: Record<string, unknown> = {}) =>
  new SpreadsheetFileError('xlsx_zip_bomb', `the xlsx file was refused as a possible zip bomb: ${why}`, {
    details,
  });

async function readCentralDirectory(
  path: string,
  fileSize: number,
): Promise<{ entries: ZipEntry[]; cdOffset: number }> {
  const fh = await open(path, 'r');
  try {
    const tailLen = Math.min(fileSize, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, fileSize - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw corrupt('its zip directory is missing (the file is truncated or not a zip)');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
      throw bomb('it declares ZIP64 sizes (parts over 4 GB)');
    if (cdOffset + cdSize > fileSize) throw corrupt('its zip directory points past the end of the file');
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN_SIG)
        throw corrupt('its zip directory is malformed');
      const nameLen = cd.readUInt16LE(p + 28);
      const entry: ZipEntry = {
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        uncompressedSize: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
        dataStart: 0,
      };
      if (entry.compressedSize === 0xffffffff || entry.uncompressedSize === 0xffffffff)
        throw bomb('a part declares ZIP64 sizes (over 4 GB)');
      entries.push(entry);
      p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    // Every byte before the directory must belong to a listed part: the streaming reader walks local
    // headers in order, so a part hidden from the directory would otherwise escape these checks.
    const local = Buffer.alloc(30);
    let expected = 0;
    for (const e of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
      const gap = e.localOffset - expected;
      if (gap < 0 || gap > 24) throw corrupt('its parts overlap or hide data between them');
      await fh.read(local, 0, 30, e.localOffset);
      if (local.readUInt32LE(0) !== LOC_SIG) throw corrupt(`part '${e.name}' has no valid header`);
      e.dataStart = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      expected = e.dataStart + e.compressedSize;
    }
    if (cdOffset - expected < 0 || cdOffset - expected > 24)
      throw corrupt('its parts do not line up with its directory');
    return { entries, cdOffset };
  } finally {
    await fh.close();
  }
}

/**
 * Streams one part through inflate, counting what it really expands to (the directory's sizes could lie)
 * and handing text to `scan`; stops as soon as the part exceeds its declared size or the budget.
 */
function inflatePart(
  path: string,
  e: ZipEntry,
  budget: number,
  scan: (text: string, bytesSoFar: number) => SpreadsheetFileError | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    if (e.compressedSize === 0) return resolve(0);
    const input = createReadStream(path, { start: e.dataStart, end: e.dataStart + e.compressedSize - 1 });
    const stream = e.method === 0 ? input : input.pipe(createInflateRaw());
    let out = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      input.destroy();
      stream.destroy();
      reject(err);
    };
    input.on('error', fail);
    stream.on('error', (err: Error) =>
      fail(
        err instanceof SpreadsheetFileError
          ? err
          : corrupt(`part '${e.name}' does not inflate (${err.message})`),
      ),
    );
    stream.on('data', (chunk: Buffer) => {
      out += chunk.length;
      if (out > e.uncompressedSize)
        return fail(bomb(`part '${e.name}' inflates beyond its declared ${e.uncompressedSize} bytes`));
      if (out > budget) return fail(bomb(`the parts inflate to more than the ${mb(budget)} allowed`));
      const refused = scan(chunk.toString('latin1'), out);
      if (refused) return fail(refused);
    });
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(out);
    });
  });
}

const sharedStringsLimit = (count: number, limits: SpreadsheetLimits) =>
  new SpreadsheetFileError(
    'xlsx_shared_strings_limit',
    count > limits.maxSharedStrings
      ? `the workbook has more than ${limits.maxSharedStrings} distinct cell texts (shared strings)`
      : `the workbook's shared strings are larger than ${mb(limits.maxSharedStringsBytes)}`,
    {
      details: {
        maxSharedStrings: limits.maxSharedStrings,
        maxSharedStringsBytes: limits.maxSharedStringsBytes,
      },
    },
  );

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const xmlText = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function sheetsOf(workbookXml: string, relsXml: string): { name: string; part: string }[] {
  const targets = new Map<string, string>();
  for (const m of relsXml.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const sheets: { name: string; part: string }[] = [];
  for (const m of workbookXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id');
    const part = rid ? targets.get(rid) : undefined;
    if (name !== undefined && part) sheets.push({ name: xmlText(name), part });
  }
  return sheets;
}

/**
 * Checks an xlsx before any XML parser sees it: the zip directory must be intact and every part must
 * be listed; declared sizes and ratios must be sane (zip-bomb guard); then each part is inflated once,
 * counting real bytes, which also finds merged cells and reads the sheet names.
 */
export async function inspectXlsx(
  path: string,
  fileSize: number,
  limits: SpreadsheetLimits,
): Promise<XlsxInspection> {
  const { entries, cdOffset } = await readCentralDirectory(path, fileSize);
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  const parts = new Map(
    byOffset.map((e, i) => [
      e.name,
      { start: e.localOffset, end: (byOffset[i + 1]?.localOffset ?? cdOffset) - 1 },
    ]),
  );
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('xl/workbook.xml')) {
    throw new SpreadsheetFileError(
      'file_format_unsupported',
      'the file is a zip archive but not an Excel workbook; upload .xlsx or .csv',
    );
  }
  if (entries.length > 10_000) throw bomb(`it has ${entries.length} parts`);
  let declared = 0;
  for (const e of entries) {
    if (e.flags & 1)
      throw new SpreadsheetFileError(
        'xlsx_encrypted',
        'the workbook is encrypted; remove the password in Excel and upload it again',
      );
    if (e.method !== 0 && e.method !== 8)
      throw corrupt(`part '${e.name}' uses an unknown compression method`);
    declared += e.uncompressedSize;
    if (e.name === 'xl/sharedStrings.xml' && e.uncompressedSize > limits.maxSharedStringsBytes)
      throw sharedStringsLimit(0, limits);
    const ratio = e.uncompressedSize / Math.max(e.compressedSize, 1);
    if (e.uncompressedSize > RATIO_FLOOR_BYTES && ratio > limits.maxCompressionRatio) {
      throw bomb(`part '${e.name}' expands ${Math.round(ratio)}-fold`, {
        part: e.name,
        ratio: Math.round(ratio),
      });
    }
  }
  if (declared > limits.maxUncompressedBytes)
    throw bomb(`its parts declare ${mb(declared)} uncompressed`, { bytes: declared });

  let used = 0;
  const mergedParts = new Set<string>();
  let workbookXml = '';
  let relsXml = '';
  for (const e of entries) {
    const isSheet = /^xl\/worksheets\/[^/]+\.xml$/.test(e.name);
    const isSharedStrings = e.name === 'xl/sharedStrings.xml';
    let carry = '';
    let captured = '';
    let tags = 0;
    const capture = e.name === 'xl/workbook.xml' || e.name === 'xl/_rels/workbook.xml.rels';
    used += await inflatePart(path, e, limits.maxUncompressedBytes - used, (text, bytes) => {
      if (capture && captured.length < SMALL_PART_CAP) captured += text;
      if (!isSheet && !isSharedStrings) return undefined;
      // Keep the tail of the previous chunk so a tag split across chunks is still seen (and counted once:
      // only matches that end in the new text count).
      const window = carry + text;
      carry = window.slice(-32);
      const fresh = (re: RegExp) => {
        let n = 0;
        for (const m of window.matchAll(re)) if (m.index + m[0].length > window.length - text.length) n++;
        return n;
      };
      if (isSharedStrings) {
        // exceljs keeps every shared string in memory: bounded by count and size before it reads any.
        tags += fresh(/<(?:\w+:)?si[\s>/]/g);
        if (tags > limits.maxSharedStrings || bytes > limits.maxSharedStringsBytes)
          return sharedStringsLimit(tags, limits);
        return undefined;
      }
      if (!mergedParts.has(e.name) && /<(?:\w+:)?mergeCell\b/.test(window)) mergedParts.add(e.name);
      // Every row element, blank or not: a sheet past the row limit is refused before it is parsed.
      tags += fresh(/<(?:\w+:)?row[\s>/]/g);
      if (tags > limits.maxRows + 1)
        return new SpreadsheetFileError(
          'too_many_rows',
          `the sheet has more than ${limits.maxRows} data rows`,
          {
            details: { maxRows: limits.maxRows },
          },
        );
      return undefined;
    });
    if (e.name === 'xl/workbook.xml') workbookXml = Buffer.from(captured, 'latin1').toString('utf8');
    if (e.name === 'xl/_rels/workbook.xml.rels') relsXml = Buffer.from(captured, 'latin1').toString('utf8');
  }
  return {
    sheets: sheetsOf(workbookXml, relsXml),
    mergedParts,
    uncompressedBytes: used,
    parts,
    directory: { start: cdOffset, end: fileSize - 1 },
  };
}
