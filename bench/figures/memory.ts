import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotEmulator } from '../../emulators/hubspot/index.ts';
import type { RunReport } from '../../src/cli/run-command.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore } from '../../src/store/store.ts';
import { ensureCompiled, JUNCTION_BIN, PEAK_RSS_PRELOAD } from '../compiled.ts';
import { benchConfig, createPeopleDb, TOKEN } from '../fixtures.ts';
import type { Figure } from '../report.ts';

/**
 * Figure 6: peak RSS of `junction run` (the compiled code, as deployed) streaming `rows` source rows into the
 * HubSpot emulator, which lives in this process.
 */
export async function memoryFigure(o: { rows: number }): Promise<Figure[]> {
  ensureCompiled();
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
    const rssFile = join(dir, 'peak-rss');
    // Started as a user starts it: bin/junction.js applies Junction's Node settings (bin/node-settings.js).
    // BENCH_CHILD_FLAGS adds node flags to compare others.
    const flags = (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean);
    const child = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
      // Async spawn: the emulator in this process must keep answering while the child runs.
      const p = spawn(
        process.execPath,
        [...flags, '--import', PEAK_RSS_PRELOAD, JUNCTION_BIN, 'run', 'people', '--json'],
        {
          env: {
            ...process.env,
            JUNCTION_DATA_DIR: hubDir,
            JUNCTION_SECRET_KEY: key.toString('hex'),
            // The business database lies beside the hub's data folder: connections may read files only there.
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
    if (child.status !== 0 || !existsSync(rssFile))
      throw new Error(`junction run ended with ${child.status}: ${child.stdout}`);
    const peak = JSON.parse(readFileSync(rssFile, 'utf8')) as {
      maxRssMb: number;
      heapMb: number;
      externalMb: number;
      settings: string;
    };
    const result = { ...(JSON.parse(child.stdout) as RunReport), ...peak };
    return [
      {
        name: 'peak_rss_mb_streaming',
        value: Math.round(result.maxRssMb),
        goal: '< 150',
        ok: result.maxRssMb < 150 && result.counts.created === o.rows,
        detail: `${o.rows} source rows synced (${result.counts.created} created) by \`junction run\` on the compiled code, node ${process.version} (${result.settings}); largest V8 heap ${Math.round(result.heapMb)} MB, off-heap ${Math.round(result.externalMb)} MB`,
      },
    ];
  } finally {
    await hs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
