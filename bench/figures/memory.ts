import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { benchConfig, createPeopleDb, TOKEN } from '../fixtures.ts';
import type { Figure } from '../report.ts';

/**
 * The run process's old-space cap, as a deployment sets it with NODE_OPTIONS. Without a cap V8 lets garbage
 * pile up before collecting (RSS ~315 MB for the same run, of which ~150 MB is code loaded through tsx);
 * with it, the run is as fast and its RSS shows what it really keeps. BENCH_CHILD_FLAGS overrides it.
 */
const HEAP_FLAGS = '--max-old-space-size=160';

/** Figure 6: peak RSS of a run process streaming `rows` source rows (the emulator lives in this process). */
export async function memoryFigure(o: { rows: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-mem-'));
  const hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
  });
  try {
    const businessFile = join(dir, 'business.db');
    createPeopleDb(businessFile, o.rows);
    const url = await hs.listen();
    const key = randomBytes(32);
    const hubDir = join(dir, 'hub');
    const store = await openStore({ dataDir: hubDir, secretBox: createSecretBox(key) });
    await applyConfig(store, parseConfigText(benchConfig(`sqlite:${businessFile}`, url, 1_000_000)));
    await store.close();
    const child = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
      // Async spawn: the emulator in this process must keep answering while the child runs.
      const p = spawn(
        process.execPath,
        [
          ...(process.env.BENCH_CHILD_FLAGS ?? HEAP_FLAGS).split(' ').filter(Boolean),
          '--import',
          'tsx',
          join(import.meta.dirname, '../child-run.ts'),
          'people',
        ],
        {
          env: { ...process.env, JUNCTION_DATA_DIR: hubDir, JUNCTION_SECRET_KEY: key.toString('hex') },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let stdout = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d));
      p.on('exit', (status: number | null) => resolve({ stdout, status }));
    });
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
      counts: { created: number };
      maxRssMb: number;
    };
    return [
      {
        name: 'peak_rss_mb_streaming',
        value: Math.round(result.maxRssMb),
        goal: '< 300',
        ok: result.maxRssMb < 300 && result.counts.created === o.rows,
        detail: `${o.rows} source rows synced (${result.counts.created} created) by a separate run process (node ${process.env.BENCH_CHILD_FLAGS ?? HEAP_FLAGS})`,
      },
    ];
  } finally {
    await hs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
