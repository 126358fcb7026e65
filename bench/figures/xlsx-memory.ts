import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportPeople, writePeopleXlsx } from '../../test/import/fixtures.ts';
import type { Figure } from '../report.ts';

/**
 * Figure 6b: peak RSS of a process streaming a `rows`-row .xlsx through the sheet reader and the row
 * validator (everything an import does before writing), and the heap it keeps per row.
 */
export async function xlsxMemoryFigure(o: { rows: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-xlsx-'));
  try {
    const file = join(dir, 'people.xlsx');
    await writePeopleXlsx(file, generateImportPeople(o.rows));
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, '../../test/import/measure-rss.ts'), file],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (child.status !== 0) throw new Error(child.stderr.slice(-1000));
    const r = JSON.parse(child.stdout) as {
      rows: number;
      valid: number;
      at50k: number;
      at190k: number;
      peakMb: number;
    };
    const perRow = r.at190k && r.at50k ? ((r.at190k - r.at50k) * 1024 * 1024) / 140_000 : Number.NaN;
    return [
      {
        name: 'peak_rss_mb_xlsx_200k',
        value: Math.round(r.peakMb),
        goal: '< 300',
        ok: r.peakMb < 300 && r.rows === o.rows,
        detail: `${r.rows} rows read and validated (${r.valid} valid); heap kept ≈ ${Number.isNaN(perRow) ? '?' : perRow.toFixed(0)} bytes a row (the duplicate check's keys)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
