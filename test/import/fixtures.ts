import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

/** A person row as an import file holds it (German headings, Swiss formats). */
export interface ImportPerson {
  Kundennummer: string;
  Vorname: string;
  Nachname: string;
  'E-Mail': string;
  Geburtsdatum: string | Date;
  Umsatz: string | number;
}

export const HEADER = ['Kundennummer', 'Vorname', 'Nachname', 'E-Mail', 'Geburtsdatum', 'Umsatz'] as const;
const FIRST = ['Anna', 'Jörg', 'Mia', 'Noël', 'Léa', 'Elias', 'Zoë', 'Jürg'];
const LAST = ['Müller', 'Meier', 'Schmid', 'Käser', 'Weber', 'Hüsler', 'Schnyder', 'Béguin'];

/** Deterministic people; `bad` says which row indexes (0-based) get which kind of error. */
export function generateImportPeople(
  n: number,
  bad: Map<number, 'email' | 'date' | 'number' | 'missing' | 'duplicate' | 'duplicate_key'> = new Map(),
): ImportPerson[] {
  const out: ImportPerson[] = [];
  for (let i = 0; i < n; i++) {
    const p: ImportPerson = {
      Kundennummer: `K${String(i + 1).padStart(6, '0')}`,
      Vorname: FIRST[i % FIRST.length] as string,
      Nachname: LAST[(i * 3) % LAST.length] as string,
      'E-Mail': `kunde.${i + 1}@beispiel.ch`,
      Geburtsdatum: `${String((i % 28) + 1).padStart(2, '0')}.${String((i % 12) + 1).padStart(2, '0')}.19${50 + (i % 50)}`,
      Umsatz: `${(i % 9) + 1}'${String(i % 1000).padStart(3, '0')}.50`,
    };
    const kind = bad.get(i);
    if (kind === 'email') p['E-Mail'] = `kunde.${i + 1}-at-beispiel.ch`;
    if (kind === 'date') p.Geburtsdatum = '31.02.1980';
    if (kind === 'number') p.Umsatz = 'viel';
    if (kind === 'missing') p['E-Mail'] = '';
    if (kind === 'duplicate') p['E-Mail'] = 'kunde.1@beispiel.ch';
    if (kind === 'duplicate_key') p.Kundennummer = 'K000001';
    out.push(p);
  }
  return out;
}

/** Writes rows as a streaming xlsx (shared strings, as Excel writes them). */
export async function writeXlsx(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly unknown[]>,
  o: { sheetName?: string } = {},
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: true,
  });
  const ws = wb.addWorksheet(o.sheetName ?? 'Kunden');
  ws.addRow([...header]).commit();
  for (const r of rows) ws.addRow([...r]).commit();
  ws.commit();
  await wb.commit();
}

/** Writes people as an xlsx file. */
export async function writePeopleXlsx(path: string, people: ImportPerson[]): Promise<void> {
  await writeXlsx(
    path,
    HEADER,
    people.map((p) => HEADER.map((h) => p[h])),
  );
}

/** Writes people as a `;`-separated Windows-1252 CSV with CRLF line ends (what Excel on Windows saves). */
export function writePeopleCsv1252(path: string, people: ImportPerson[]): void {
  const lines = [HEADER.join(';'), ...people.map((p) => HEADER.map((h) => csvCell(String(p[h]))).join(';'))];
  writeFileSync(path, iconv.encode(`${lines.join('\r\n')}\r\n`, 'windows-1252'));
}

function csvCell(s: string): string {
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Reads every row of an xlsx (small files only: tests inspecting error files). */
export async function readXlsxFile(path: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  ws?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

/** The mapping fields an import of people uses: Swiss date and number formats parsed by transforms. */
export const PEOPLE_FIELDS = [
  { target: 'email', from: 'E-Mail', transform: [{ type: 'email' as const }], required: true },
  { target: 'firstname', from: 'Vorname' },
  { target: 'lastname', from: 'Nachname' },
  {
    target: 'date_of_birth',
    from: 'Geburtsdatum',
    transform: [{ type: 'date' as const, input: 'dd.MM.yyyy', output: 'yyyy-MM-dd' }],
  },
  { target: 'revenue', from: 'Umsatz', transform: [{ type: 'number' as const }] },
];
