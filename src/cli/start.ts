import { createHmac } from 'node:crypto';
import { importsDirOf } from '../config/environment.ts';
import { startScheduling } from '../scheduler/index.ts';
import { buildServer } from '../server/app.ts';
import { adminPasswordFromEnv, ensureFirstAdmin } from '../server/auth/bootstrap.ts';
import { createMetrics } from '../server/metrics.ts';
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

/**
 * `junction start`: closes runs a crashed process left open, starts scheduling (embedded on SQLite,
 * pg-boss on PostgreSQL) and serves the API, the dashboard, /healthz and /metrics.
 */
export async function startHub(o: StartOptions = {}): Promise<number> {
  // A misconfigured admin password stops the start before anything runs.
  adminPasswordFromEnv();
  const rt = await openRuntime(undefined, { quietOnTerminal: true });
  const metrics = createMetrics();
  const service = await openRunService(rt, {
    queue: true,
    superviseQueue: true,
    runOptions: { onCall: metrics.onCall, onFinish: metrics.onFinish },
  });
  const closed = await service.closeStale();
  if (closed.length) rt.log.warn({ executions: closed }, 'closed runs left open by a stopped process');
  // Before the first admin exists: quitting at the demo question must not lose its one-time password.
  const attached = await o.prepare?.(rt, { firstStart: (await rt.store.users.count()) === 0 });
  const admin = await ensureFirstAdmin(rt.store);
  let scheduling: ReturnType<typeof startScheduling>;
  try {
    scheduling = startScheduling({ service, log: rt.log, worker: o.worker !== false });
  } catch (err) {
    await service.stop();
    await attached?.stop();
    await rt.store.close();
    throw err;
  }
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
  });
  let address: string;
  try {
    address = await app.listen({ port: rt.env.port, host: process.env.HOST ?? '127.0.0.1' });
  } catch (err) {
    // A taken port must end the process, not leave the scheduler (and the demo's emulators) running.
    await scheduling.stop();
    await service.stop();
    await attached?.stop();
    await rt.store.close();
    throw err;
  }
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
  for (const line of attached?.describe() ?? []) console.log(line);
  await o.onListening?.(address);
  if (rt.screen.pretty && !process.env.LOG_LEVEL)
    console.log('Logs here: warnings and errors only (LOG_LEVEL=info shows every run).');
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  console.log('stopping…');
  await app.close();
  await scheduling.stop();
  await service.stop();
  await attached?.stop();
  await rt.store.close();
  return 0;
}
