import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';

// better-sqlite3 builds SQLite with a 16 MB page cache a connection; a long run filled it (bench: peak RSS).
test('the SQLite store keeps a page cache of at most 4 MB, not better-sqlite3’s 16 MB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-cache-'));
  const store = await openStore({ dataDir: dir, secretBox: createSecretBox(randomBytes(32)) });
  try {
    const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(store.db);
    const size = rows[0]?.cache_size ?? 0;
    // Negative: KiB; positive: pages of 4 KiB.
    const kib = size < 0 ? -size : size * 4;
    assert.ok(kib > 0 && kib <= 4000, `cache_size ${size}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
