import { ValidationError } from '../core/errors.ts';
import { startScheduling } from '../scheduler/index.ts';
import { openRunService } from './run-service.ts';
import { openRuntime } from './runtime.ts';

/**
 * `junction worker`: takes run jobs from PostgreSQL (pg-boss) until SIGINT/SIGTERM; any number of
 * these may run on any number of machines. Also takes part in electing the one scheduling process.
 */
export async function startWorker(o: { concurrency?: number } = {}): Promise<number> {
  const rt = await openRuntime(undefined, { quietOnTerminal: true });
  if (rt.store.dialect !== 'postgres') {
    await rt.store.close();
    // A setup this command cannot serve: the user's to fix (validation_error), not an internal error.
    throw new ValidationError('junction worker needs PostgreSQL: set DATABASE_URL=postgres://…');
  }
  const service = await openRunService(rt, { queue: true, superviseQueue: true });
  const concurrency = o.concurrency ?? service.config.concurrency;
  const scheduling = startScheduling({ service, log: rt.log, worker: true, concurrency });
  rt.log.info({ pid: process.pid, concurrency }, 'worker started');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  rt.log.info('worker stopping; runs in flight are handed back to the queue');
  await scheduling.stop();
  await service.stop();
  await rt.store.close();
  return 0;
}
