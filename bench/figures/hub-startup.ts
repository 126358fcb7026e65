import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureCompiled, JUNCTION_BIN } from '../compiled.ts';
import type { Figure } from '../report.ts';

/** How long the hub sits idle (scheduler ticking, no tasks) before its memory is read. */
const IDLE_MS = 10_000;
const STARTS = 3;

/** A loopback port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The resident set of a live process, from /proc (Linux), in MB. */
function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/** CPU seconds (user + system) a live process has used so far, from /proc (Linux; 100 ticks a second). */
function cpuSeconds(pid: number): number {
  // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Starts `junction start` (compiled) on `dataDir` and resolves once /healthz answers 200, with the seconds it took. */
async function startHub(dataDir: string): Promise<{ hub: ChildProcess; seconds: number; cpu: number }> {
  const port = await freePort();
  const started = performance.now();
  const hub = spawn(process.execPath, [JUNCTION_BIN, 'start', '--no-demo'], {
    env: {
      ...process.env,
      JUNCTION_DATA_DIR: dataDir,
      JUNCTION_ADMIN_PASSWORD: 'bench-admin-password',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  hub.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error('junction start ended before /healthz answered');
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false, // not listening yet
    );
    if (ok) return { hub, seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(hub.pid as number) };
    if (performance.now() - started > 60_000) {
      hub.kill('SIGKILL');
      throw new Error('/healthz did not answer within 60 s of `junction start`');
    }
    await sleep(20);
  }
}

async function stopHub(hub: ChildProcess): Promise<void> {
  const exited = once(hub, 'exit');
  hub.kill('SIGINT');
  await exited;
}

/**
 * Start-up and idle memory of the hub as deployed (compiled code, embedded SQLite store): seconds from
 * `junction start` to /healthz answering — the first start on a new data folder (migrations, admin user),
 * then the median of restarts — and the resident set of the hub after it sat idle.
 */
export async function hubStartupFigures(): Promise<Figure[]> {
  ensureCompiled();
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-hub-'));
  try {
    const first = await startHub(dir);
    await stopHub(first.hub);
    const restarts: number[] = [];
    const cpu: number[] = [];
    let idleMb = 0;
    for (let i = 0; i < STARTS; i++) {
      const { hub, seconds, cpu: used } = await startHub(dir);
      restarts.push(seconds);
      cpu.push(used);
      if (i === STARTS - 1) {
        await sleep(IDLE_MS);
        idleMb = rssMb(hub.pid as number);
      }
      await stopHub(hub);
    }
    const median = restarts.sort((a, b) => a - b)[Math.floor(STARTS / 2)] as number;
    return [
      {
        name: 'hub_startup_seconds',
        value: Number(median.toFixed(2)),
        goal: '< 5',
        ok: median < 5,
        detail: `\`junction start\` to /healthz answering, compiled code, node ${process.version}: median of ${STARTS} restarts (${restarts.map((s) => s.toFixed(2)).join(', ')} s, of CPU ${cpu.map((s) => s.toFixed(2)).join(', ')} s: on a busy machine the wall time is mostly waiting); the first start on a new data folder ${first.seconds.toFixed(2)} s`,
      },
      {
        name: 'hub_idle_rss_mb',
        value: Math.round(idleMb),
        goal: '< 150',
        ok: idleMb < 150,
        detail: `resident set of the hub (API, dashboard, scheduler, embedded SQLite store, no tasks) after ${IDLE_MS / 1000} s idle`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
