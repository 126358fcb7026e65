import { JunctionError } from '../core/errors.ts';
import { readSchedulingEnv, startRunService } from '../scheduler/index.ts';
import { openRuntime } from './runtime.ts';

/**
 * `junction worker`: takes run jobs from PostgreSQL (pg-boss) until SIGINT/SIGTERM; any number of
 * these may run on any number of machines. Also takes part in electing the one scheduling process.
 */
export async function startWorker(o: { concurrency?: number } = {}): Promise<number> {
  const rt = await openRuntime();
  if (rt.store.dialect !== 'postgres') {
    await rt.store.close();
    throw new JunctionError('junction worker needs PostgreSQL: set DATABASE_URL=postgres://…');
  }
  const config = { ...readSchedulingEnv(), ...(o.concurrency ? { concurrency: o.concurrency } : {}) };
  const service = await startRunService({
    store: rt.store,
    log: rt.log,
    databaseUrl: rt.env.databaseUrl,
    worker: true,
    config,
  });
  rt.log.info({ pid: process.pid, concurrency: config.concurrency }, 'worker started');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  rt.log.info('worker stopping; runs in flight are handed back to the queue');
  await service.stop();
  await rt.store.close();
  return 0;
}
