import type { Logger } from 'pino';
import type { ExecutionTrigger } from '../core/types.ts';
import { type RunOptions, runTask } from '../engine/run-task.ts';
import type { Store } from '../store/store.ts';

/** Starts runs on request ("run task now"): in this process, or by queueing a job for the workers. */
export interface RunDispatcher {
  /**
   * Starts or queues a run; resolves once it has an execution (in-process) or a queued job.
   * Rejects with TaskBusyError when the task is running.
   */
  runNow(taskId: string, trigger: ExecutionTrigger): Promise<{ executionId: string | null; queued: boolean }>;
  /** Waits for the runs this dispatcher started (shutdown, tests). */
  idle(): Promise<void>;
}

/** Runs tasks in this process (embedded mode). */
export function createInProcessDispatcher(
  store: Store,
  log: Logger,
  extra: Pick<RunOptions, 'connectorFactory' | 'onProgress' | 'onCall'> & {
    onFinish?: (e: import('../core/types.ts').Execution) => void;
  } = {},
): RunDispatcher {
  const running = new Set<Promise<unknown>>();
  return {
    runNow(taskId, trigger) {
      return new Promise((resolve, reject) => {
        let begun = false;
        const run = runTask(taskId, {
          store,
          log,
          trigger,
          connectorFactory: extra.connectorFactory,
          onProgress: extra.onProgress,
          onCall: extra.onCall,
          onBegin: (execution) => {
            begun = true;
            resolve({ executionId: execution.id, queued: false });
          },
        }).then(
          (execution) => extra.onFinish?.(execution),
          (err) => {
            if (!begun) reject(err);
            else log.error({ err, taskId }, 'run failed after it began');
          },
        );
        running.add(run);
        void run.finally(() => running.delete(run));
      });
    },
    async idle() {
      await Promise.allSettled([...running]);
    },
  };
}
