import type { Logger } from 'pino';
import type { Execution, Task } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { composeNotification, notifyKindOf } from './compose.ts';
import { type SendMail, sendSmtpMail } from './mailer.ts';

/** How many failed records a mail lists. */
export const MAX_ERRORS_IN_MAIL = 10;

/** What became of a notification: sent, or why not. */
export type NotifyOutcome =
  | { sent: true; to: string[] }
  | { sent: false; reason: 'not_wanted' | 'no_recipients' | 'no_smtp' | 'send_failed' };

/**
 * Mails the task's recipients about a finished execution when the task asks for its outcome. Never
 * throws: a broken SMTP server must not fail the run it reports on; the failure is logged.
 */
export async function notifyExecution(o: {
  store: Store;
  log: Logger;
  execution: Execution;
  task?: Task;
  send?: SendMail;
}): Promise<NotifyOutcome> {
  const { store, execution } = o;
  const log = o.log.child({ executionId: execution.id, taskId: execution.taskId });
  try {
    const task = o.task ?? (await store.tasks.get(execution.taskId));
    const kind = notifyKindOf(execution);
    if (!kind || !task.notify?.on.includes(kind)) return { sent: false, reason: 'not_wanted' };
    const settings = await store.settings.get();
    const to = task.notify.to.length ? task.notify.to : settings.defaultRecipients;
    if (!to.length) return { sent: false, reason: 'no_recipients' };
    if (!settings.smtp) {
      log.warn({ notify: kind }, 'notification not sent: no SMTP server is configured in the settings');
      return { sent: false, reason: 'no_smtp' };
    }
    const errors = await store.executions.items(execution.id, { action: 'fail', limit: MAX_ERRORS_IN_MAIL });
    const mail = composeNotification({
      task,
      execution,
      errors,
      dashboardUrl: settings.dashboardUrl,
      language: settings.mailLanguage,
      timezone: settings.timezone,
    });
    await (o.send ?? sendSmtpMail)(settings.smtp, to, mail);
    log.info({ notify: kind, to }, 'notification sent');
    return { sent: true, to };
  } catch (err) {
    log.error(
      { err: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code } },
      'notification could not be sent',
    );
    return { sent: false, reason: 'send_failed' };
  }
}
