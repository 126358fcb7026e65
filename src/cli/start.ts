import { createHmac } from 'node:crypto';
import { importsDirOf, uploadsDirOf } from '../config/environment.ts';
import { JunctionError } from '../core/errors.ts';
import { startScheduling } from '../scheduler/index.ts';
import { buildServer } from '../server/app.ts';
import { adminPasswordFromEnv, ensureFirstAdmin } from '../server/auth/bootstrap.ts';
import { createMetrics } from '../server/metrics.ts';
import { moveLegacyUploads, moveUploadsIntoWorkspaces } from '../server/uploads.ts';
import { openRunService } from './run-service.ts';
import { openRuntime, type Runtime } from './runtime.ts';

/** JUNCTION_TRUST_PROXY: unset/false → off; true → trust all; else the proxies' addresses. */
function trustProxyFrom(value: string | undefined): boolean | string {
  if (!value || value === 'false') return false;
  return value === 'true' ? true : value;
}

export interface StartOptions {
  /** Take runs in this process (false: `--no-worker`, API and dashboard only; PostgreSQL). */
  worker?: boolean;
  /** Called once the hub listens (the demo starts its emulators before and prints after). */
  onListening?: (address: string) => void | Promise<void>;
  /**
   * Runs before scheduling starts (the demo: emulators up, connections at their ports), told whether
   * this is the data folder's first start. What it returns is described in the banner and stopped last.
   */
  prepare?: (rt: Runtime, o: { firstStart: boolean }) => Promise<StartAttachment | undefined>;
}

/** Something running beside the hub (the demo's emulators): its banner lines and how to stop it. */
export interface StartAttachment {
  describe(): string[];
  stop(): Promise<void>;
}

/** The hub's port is taken by another process (another Junction, or anything else). */
export class PortInUseError extends JunctionError {
  override readonly code = 'port_in_use';
}

/** What start-up has started so far, stopped in the order a clean shutdown needs. */
interface Started {
  app?: { close(): Promise<unknown> };
  scheduling?: { stop(): Promise<void> };
  service?: { stop(): Promise<unknown> };
  attached?: StartAttachment;
}

/**
 * Stops everything in `s`: the server first, so no new run arrives, then scheduling, the runs (they still
 * talk to the demo's emulators), the emulators, the store. One part failing to stop does not keep the
 * others running: that would keep the process alive.
 */
async function stopStarted(rt: Runtime, s: Started): Promise<void> {
  const steps = [
    () => s.app?.close(),
    () => s.scheduling?.stop(),
    () => s.service?.stop(),
    () => s.attached?.stop(),
    () => rt.store.close(),
  ];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      rt.log.error({ err }, 'stopping the hub');
    }
  }
}

/** The error a failed start-up is reported with: a taken port in words the user can act on. */
function startFailure(err: unknown, port: number, host: string): unknown {
  if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return err;
  return new PortInUseError(
    `port ${port} on ${host} is already in use (another Junction?): stop that process or start with PORT=<another port>`,
    { cause: err, details: { port, host } },
  );
}

/**
 * `junction start`: closes runs a crashed process left open, starts scheduling (embedded on SQLite,
 * pg-boss on PostgreSQL) and serves the API, the dashboard, /healthz and /metrics. When start-up fails
 * part-way, whatever it had started is stopped and the error thrown: the process ends (exit code 1).
 */
export async function startHub(o: StartOptions = {}): Promise<number> {
  // A misconfigured admin password stops the start before anything runs.
  adminPasswordFromEnv();
  const rt = await openRuntime(undefined, { quietOnTerminal: true });
  const host = process.env.HOST ?? '127.0.0.1';
  const started: Started = {};
  try {
    const metrics = createMetrics();
    const service = await openRunService(rt, {
      queue: true,
      superviseQueue: true,
      runOptions: { onCall: metrics.onCall, onFinish: metrics.onFinish },
    });
    started.service = service;
    const closed = await service.closeStale();
    if (closed.length) rt.log.warn({ executions: closed }, 'closed runs left open by a stopped process');
    // Before the first admin exists: quitting at the demo question must not lose its one-time password.
    started.attached = await o.prepare?.(rt, { firstStart: (await rt.store.users.count()) === 0 });
    const admin = await ensureFirstAdmin(rt.store);
    // Before any run reads them: uploads an older Junction kept in the customer's files folder move to its own.
    // A move that fails leaves those connections as they were (or is finished at the next start): not fatal.
    const moved = await moveLegacyUploads({
      store: rt.store,
      filesFolder: rt.env.filesDirs[0] as string,
      uploadsDir: uploadsDirOf(rt.env),
      log: rt.log,
    }).catch((err) => {
      rt.log.error(
        { err },
        "moving uploaded files into Junction's uploads folder failed; retried at the next start",
      );
      return 0;
    });
    if (moved)
      rt.log.warn({ uploads: moved }, "moved uploaded connection files into Junction's uploads folder");
    // Each workspace reads only its own part of the uploads folder: earlier uploads of the others move there.
    const ownPart = await moveUploadsIntoWorkspaces({
      store: rt.store,
      filesFolder: rt.env.filesDirs[0] as string,
      uploadsDir: uploadsDirOf(rt.env),
      log: rt.log,
    }).catch((err) => {
      rt.log.error({ err }, "moving uploads into their workspace's folder failed; retried at the next start");
      return 0;
    });
    if (ownPart) rt.log.warn({ uploads: ownPart }, "moved uploaded files into their workspace's folder");
    const scheduling = startScheduling({ service, log: rt.log, worker: o.worker !== false });
    started.scheduling = scheduling;
    const app = await buildServer({
      store: rt.store,
      log: rt.log,
      metrics,
      runs: service,
      schedulerAlive: scheduling.alive,
      secureCookies: process.env.JUNCTION_SECURE_COOKIES === 'true',
      metricsToken: process.env.JUNCTION_METRICS_TOKEN || undefined,
      trustProxy: trustProxyFrom(process.env.JUNCTION_TRUST_PROXY),
      oauthStateKey: createHmac('sha256', rt.secretKey).update('junction oauth state').digest(),
      files: rt.files,
      importsDir: importsDirOf(rt.env),
      uploadsDir: uploadsDirOf(rt.env),
    });
    started.app = app;
    const address = await app.listen({ port: rt.env.port, host });
    const tasks = await rt.store.tasks.list();
    console.log(`Junction is running on ${address}
  dashboard: ${address}/   API: ${address}/api   OpenAPI: ${address}/docs
  store:     ${rt.store.dialect === 'sqlite' ? `SQLite in ${rt.env.dataDir}` : 'PostgreSQL'} (${service.mode === 'embedded' ? 'runs in this process' : o.worker === false ? 'runs on `junction worker` processes' : 'runs here and on `junction worker` processes'})
  tasks:     ${tasks.length ? tasks.map((t) => `${t.id} (${t.enabled ? 'enabled' : 'disabled'})`).join(', ') : 'none yet — add some in the dashboard or with `junction apply <file>`'}`);
    if (admin) {
      console.log(
        admin.password === null
          ? `  login:     ${admin.username} / the password in JUNCTION_ADMIN_PASSWORD`
          : `  login:     ${admin.username} / ${admin.password}   (one-time password: change it at first login)`,
      );
    }
    for (const line of started.attached?.describe() ?? []) console.log(line);
    await o.onListening?.(address);
  } catch (err) {
    // Anything started so far (scheduler, runs, the demo's emulators, the server) would keep the process alive.
    await stopStarted(rt, started);
    console.error('Junction did not start; what it had started is stopped.');
    throw startFailure(err, rt.env.port, host);
  }
  if (rt.screen.pretty && !process.env.LOG_LEVEL)
    console.log('Logs here: warnings and errors only (LOG_LEVEL=info shows every run).');
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  console.log('stopping…');
  await stopStarted(rt, started);
  return 0;
}
