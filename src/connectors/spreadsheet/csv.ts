import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { unescapeText } from './cell-value.ts';
import { SpreadsheetFileError } from './errors.ts';
import type { RawRow } from './xlsx.ts';

/** Text encodings a CSV may come in. */
export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le';
/** Delimiters a CSV may use. */
export type CsvDelimiter = ';' | ',' | '\t' | '|';
const DELIMITERS: CsvDelimiter[] = [';', ',', '\t', '|'];

/**
 * The encoding of a CSV: a BOM decides; without one the whole file is streamed through a strict UTF-8
 * decoder (one cheap pass, constant memory), and anything that is not valid UTF-8 is Windows-1252 —
 * what Excel on Windows writes for "CSV (Trennzeichen-getrennt)".
 */
export async function detectEncoding(path: string): Promise<{ encoding: CsvEncoding; bomBytes: number }> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const s = createReadStream(path, { start: 0, end: 2 });
    const parts: Buffer[] = [];
    s.on('data', (c) => parts.push(c as Buffer));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
  });
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) {
    throw new SpreadsheetFileError(
      'file_format_unsupported',
      'UTF-16 big-endian CSV files are not supported; save as UTF-8',
    );
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return { encoding: 'utf-8', bomBytes: 0 };
  } catch {
    return { encoding: 'windows-1252', bomBytes: 0 };
  }
}

/** The delimiter of a CSV: whichever candidate occurs most often outside quotes in its first line. */
export function detectDelimiter(firstLine: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as CsvDelimiter))
      counts.set(ch as CsvDelimiter, (counts.get(ch as CsvDelimiter) ?? 0) + 1);
  }
  let best: CsvDelimiter = ';';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

function decoded(path: string, encoding: CsvEncoding, bomBytes: number) {
  const input = createReadStream(path, { start: bomBytes });
  return { input, text: input.pipe(iconv.decodeStream(encoding)) };
}

/** The first line of the decoded file (up to 64 KB), for delimiter detection. */
export async function firstLine(path: string, encoding: CsvEncoding, bomBytes: number): Promise<string> {
  const { input, text } = decoded(path, encoding, bomBytes);
  let acc = '';
  try {
    for await (const chunk of text) {
      acc += chunk as string;
      const nl = acc.search(/\r|\n/);
      if (nl >= 0) return acc.slice(0, nl);
      if (acc.length > 65_536) break;
    }
    return acc;
  } finally {
    input.destroy();
  }
}

/**
 * Streams the records of a CSV. Row numbers count lines the way Excel shows the file (a quoted cell
 * with line breaks is still one row; blank lines count but yield nothing).
 */
export async function* readCsvRows(
  path: string,
  o: { encoding: CsvEncoding; bomBytes: number; delimiter: CsvDelimiter; maxRecordChars: number },
): AsyncGenerator<RawRow> {
  const { input, text } = decoded(path, o.encoding, o.bomBytes);
  const parser = text.pipe(
    parse({
      delimiter: o.delimiter,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: o.maxRecordChars,
      bom: false,
    }),
  );
  try {
    for await (const item of parser) {
      const { record, info } = item as { record: string[]; info: { records: number; empty_lines: number } };
      yield {
        row: info.records + info.empty_lines,
        cells: record.map((c) => (c === '' ? null : unescapeText(c))),
      };
    }
  } catch (err) {
    if (err instanceof SpreadsheetFileError) throw err;
    const e = err as Error & { code?: string; lines?: number };
    throw new SpreadsheetFileError(
      'csv_malformed',
      `the CSV file cannot be read${e.lines ? ` near line ${e.lines}` : ''}: ${e.message}`,
      {
        cause: err,
        details: { line: e.lines ?? null, reason: e.code ?? null },
      },
    );
  } finally {
    input.destroy();
    parser.destroy();
  }
}
