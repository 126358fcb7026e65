import type { Execution } from '../core/types.ts';
import { type RunOptions, runTask } from '../engine/run-task.ts';
import type { SendMail } from '../notify/mailer.ts';
import { notifyExecution } from '../notify/notify-execution.ts';

/** Options of a run that reports its outcome by e-mail. */
export type NotifyingRunOptions = RunOptions & {
  /** Replaces the SMTP transport (tests). */
  send?: SendMail;
};

/**
 * Runs a task once and mails its recipients when the outcome asks for it. Notification problems are
 * logged and never change the execution's status.
 */
export async function runAndNotify(taskId: string, o: NotifyingRunOptions): Promise<Execution> {
  const execution = await runTask(taskId, o);
  await notifyExecution({ store: o.store, log: o.log, execution, send: o.send });
  return execution;
}
