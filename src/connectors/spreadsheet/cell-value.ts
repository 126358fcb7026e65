import { SpreadsheetFileError } from './errors.ts';

/** An Excel error value (`#N/A`, `#DIV/0!`) found in a cell; the row fails, the file does not. */
export class CellErrorValue {
  constructor(readonly text: string) {}
}

/** Column letters of a 0-based column index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Excel stores dates as wall-clock serial numbers; exceljs hands them over as UTC instants. They leave
 * here as ISO text without a zone (`2025-12-31`, `2025-12-31T08:30:00`) so the date transform reads the
 * calendar date the user typed, whatever the server's time zone.
 */
function excelDate(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0) return date;
  return `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Junction's error files (and many other tools) escape formula-like text with a leading apostrophe;
 * reading it back removes that escape so a fixed error file imports the values the user meant.
 */
export function unescapeText(s: string): string {
  return s.length > 1 && s[0] === "'" && /^[=+\-@\t\r]/.test(s.slice(1)) ? s.slice(1) : s;
}

/**
 * Turns an exceljs cell value into a plain value: text, number, boolean, ISO date text, null, or a
 * CellErrorValue. Formulas give their cached result (what Excel showed when the file was saved); a
 * formula without one (written by a tool that never calculated it) refuses the file.
 */
export function plainCellValue(value: unknown, ref: () => string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : unescapeText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return excelDate(value);
  if (typeof value !== 'object') return String(value);
  const v = value as Record<string, unknown>;
  if ('formula' in v || 'sharedFormula' in v) {
    if (!('result' in v) || v.result === undefined) {
      throw new SpreadsheetFileError(
        'xlsx_formula_without_result',
        `cell ${ref()} holds a formula without a calculated value; open the file in Excel, save it, and upload it again`,
        { details: { cell: ref() } },
      );
    }
    return plainCellValue(v.result, ref);
  }
  if (Array.isArray(v.richText))
    return (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('') || null;
  if ('error' in v) return new CellErrorValue(String(v.error));
  if ('text' in v) return plainCellValue(v.text, ref);
  if ('sharedString' in v) return null;
  return JSON.stringify(v);
}
