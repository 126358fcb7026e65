import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { generateImportPeople, PEOPLE_FIELDS, writePeopleXlsx } from '../../test/import/fixtures.ts';
import { ensureCompiled, JUNCTION_BIN, PEAK_RSS_PRELOAD } from '../compiled.ts';
import type { Figure } from '../report.ts';

/** An upload connection and a mapping from the file's people into a business SQLite table. */
function importConfig(businessFile: string): string {
  return JSON.stringify({
    connections: [
      { id: 'upload', name: 'Uploads', system: 'spreadsheet', config: {} },
      { id: 'erp', name: 'ERP', system: 'sql', config: { url: `sqlite:${businessFile}` } },
    ],
    mappings: [
      {
        id: 'file-to-customers',
        name: 'File to customers',
        source: { connectionId: 'upload', object: 'Kunden', key: 'Kundennummer' },
        target: { connectionId: 'erp', object: 'customers' },
        matchKey: { target: 'email' },
        fields: PEOPLE_FIELDS,
      },
    ],
  });
}

/**
 * Figure 6b: peak RSS of `junction import <file> --dry-run` (the compiled code, as a user runs it) on a
 * `rows`-row .xlsx: the file streamed through the sheet reader and every row through the validator (everything
 * an import does before writing), the problems counted and the preview printed.
 */
export async function xlsxMemoryFigure(o: { rows: number }): Promise<Figure[]> {
  ensureCompiled();
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-xlsx-'));
  try {
    const file = join(dir, 'people.xlsx');
    await writePeopleXlsx(file, generateImportPeople(o.rows));
    const businessFile = join(dir, 'business.db');
    const business = new Database(businessFile);
    business.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, customer_no TEXT, email TEXT UNIQUE,
      firstname TEXT, lastname TEXT, date_of_birth TEXT, revenue REAL)`);
    business.close();
    const key = randomBytes(32);
    const hubDir = join(dir, 'hub');
    const store = await openStore({ dataDir: hubDir, secretBox: createSecretBox(key) });
    await applyConfig(store, parseConfigText(importConfig(businessFile)));
    await store.close();
    const rssFile = join(dir, 'peak-rss');
    // As a user starts it: bin/junction.js applies Junction's Node settings. BENCH_CHILD_FLAGS adds node flags.
    const child = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
      const p = spawn(
        process.execPath,
        [
          ...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean),
          '--import',
          PEAK_RSS_PRELOAD,
          JUNCTION_BIN,
          'import',
          file,
          '--mapping',
          'file-to-customers',
          '--dry-run',
        ],
        {
          env: {
            ...process.env,
            JUNCTION_DATA_DIR: hubDir,
            JUNCTION_SECRET_KEY: key.toString('hex'),
            JUNCTION_FILES_DIR: dir,
            BENCH_PEAK_RSS_FILE: rssFile,
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let stdout = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d));
      p.on('exit', (status: number | null) => resolve({ stdout, status }));
    });
    const counted = /(\d+) rows: (\d+) valid/.exec(child.stdout);
    if (child.status !== 0 || !counted || !existsSync(rssFile))
      throw new Error(`junction import --dry-run ended with ${child.status}: ${child.stdout}`);
    const [rows, valid] = [Number(counted[1]), Number(counted[2])];
    const peak = JSON.parse(readFileSync(rssFile, 'utf8')) as {
      maxRssMb: number;
      heapMb: number;
      externalMb: number;
      settings: string;
    };
    return [
      {
        name: 'peak_rss_mb_xlsx_200k',
        value: Math.round(peak.maxRssMb),
        goal: '< 300',
        ok: peak.maxRssMb < 300 && rows === o.rows && valid === o.rows,
        detail: `\`junction import <file> --dry-run\` on the compiled code, node ${process.version} (${peak.settings}): ${rows} rows read and validated (${valid} valid); largest V8 heap ${Math.round(peak.heapMb)} MB, off-heap ${Math.round(peak.externalMb)} MB`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
