import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
// @ts-expect-error -- the launcher's settings module is plain JavaScript without types
import { NODE_ENV, NODE_FLAGS, V8_RUNTIME_FLAGS } from '../../bin/node-settings.js';
import { generateImportPeople, writePeopleXlsx } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'junction-import-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A row held as an object costs 500+ bytes of heap. What an import may keep per row is the validator's
// key sets (the duplicate check): well under 300 bytes. The child measures the heap left after a full GC
// at row 50 000 and at row 190 000; the growth between them, per row, tells streaming from hoarding.
test('a 200 000-row xlsx streams through reading and validation: retained heap grows < 300 bytes a row', async () => {
  const file = join(dir, 'big.xlsx');
  await writePeopleXlsx(file, generateImportPeople(200_000));
  // Run as bin/junction.js runs Junction (its V8 and malloc settings): with Node's own heap sizing, the peak
  // depends on when the collector happens to run, and a loaded CI machine saw 511 MB where a quiet one sees 300.
  const child = spawnSync(
    process.execPath,
    [
      ...NODE_FLAGS,
      ...V8_RUNTIME_FLAGS,
      '--expose-gc',
      '--import',
      'tsx',
      join(import.meta.dirname, 'measure-rss.ts'),
      file,
    ],
    {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...NODE_ENV },
    },
  );
  assert.equal(child.status, 0, child.stderr.slice(-2000));
  const r = JSON.parse(child.stdout) as {
    rows: number;
    valid: number;
    at50k: number;
    at190k: number;
    peakMb: number;
  };
  assert.equal(r.rows, 200_000);
  assert.equal(r.valid, 200_000);
  const bytesPerRow = ((r.at190k - r.at50k) * 1024 * 1024) / 140_000;
  assert.ok(bytesPerRow < 300, `retained heap grew ${bytesPerRow.toFixed(0)} bytes a row`);
  assert.ok(r.peakMb < 500, `peak RSS ${r.peakMb.toFixed(0)} MB`);
});
