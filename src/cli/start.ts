import Fastify from 'fastify';
import { ownerIsGone } from '../engine/owner.ts';
import { readSchedulingEnv, startRunService } from '../scheduler/index.ts';
import { openRuntime } from './runtime.ts';

/**
 * `junction start`: closes runs a crashed process left open, starts the scheduler and a small HTTP
 * server (health for now; the REST API and dashboard mount here).
 */
export async function startHub(o: { worker?: boolean } = {}): Promise<number> {
  const rt = await openRuntime();
  const closed = await rt.store.executions.closeStale({ staleAfterMs: 120_000, ownerIsGone });
  if (closed.length) rt.log.warn({ executions: closed }, 'closed runs left open by a stopped process');
  // SQLite: the embedded scheduler; PostgreSQL: pg-boss queue, runs taken here unless --no-worker.
  const scheduler = await startRunService({
    store: rt.store,
    log: rt.log,
    databaseUrl: rt.env.databaseUrl,
    worker: o.worker !== false,
    config: readSchedulingEnv(),
  });
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => {
    await rt.store.db.selectFrom('tasks').select('id').limit(1).execute();
    return { status: 'ok', store: rt.store.dialect };
  });
  const address = await app.listen({ port: rt.env.port, host: process.env.HOST ?? '127.0.0.1' });
  const tasks = await rt.store.tasks.list();
  console.log(`Junction is running on ${address}
  store: ${rt.store.dialect === 'sqlite' ? `SQLite in ${rt.env.dataDir}` : 'PostgreSQL'}
  tasks: ${tasks.length ? tasks.map((t) => `${t.id} (${t.enabled ? 'enabled' : 'disabled'})`).join(', ') : 'none yet — add some with `junction apply <file>`'}
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  console.log('stopping…');
  await scheduler.stop();
  await app.close();
  await rt.store.close();
  return 0;
}
