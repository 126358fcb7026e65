import { confinedFactory } from '../connectors/registry.ts';
import { readRunConfig } from '../runs/run-config.ts';
import { createRunService, type RunService, type ServiceRunOptions } from '../runs/run-service.ts';
import type { Runtime } from './runtime.ts';

/**
 * The run service of a command: every command that runs, queues or imports builds it here, so a run from
 * the terminal gets the same lease, connection budgets (shared through PostgreSQL) and file confinement
 * as one from the hub or a worker.
 */
export function openRunService(
  rt: Runtime,
  o: { queue: boolean; superviseQueue?: boolean; runOptions?: ServiceRunOptions },
): Promise<RunService> {
  return createRunService({
    store: rt.store,
    log: rt.log,
    config: readRunConfig(),
    queueUrl: o.queue && rt.store.dialect === 'postgres' ? rt.env.databaseUrl : undefined,
    superviseQueue: o.superviseQueue ?? false,
    runOptions: { connectorFactory: confinedFactory(rt.files), ...o.runOptions },
  });
}
