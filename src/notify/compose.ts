import type { Execution, ExecutionItem, NotifyOn, Task } from '../core/types.ts';

/** A notification mail, ready for the transport. */
export interface NotificationMail {
  subject: string;
  text: string;
  html: string;
}

/** Which notification an execution's final status calls for (none for a cancelled or unfinished run). */
export function notifyKindOf(execution: Execution): NotifyOn | null {
  if (execution.status === 'succeeded') return 'success';
  if (execution.status === 'warning') return 'warning';
  if (execution.status === 'failed') return 'failure';
  return null;
}

const LABEL: Record<NotifyOn, string> = {
  success: 'succeeded',
  warning: 'finished with warnings',
  failure: 'failed',
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The link to an execution in the dashboard, or null when no dashboard URL is set. */
export function executionLink(dashboardUrl: string | null, executionId: string): string | null {
  return dashboardUrl
    ? `${dashboardUrl.replace(/\/+$/, '')}/executions/${encodeURIComponent(executionId)}`
    : null;
}

/**
 * The mail about one finished execution: task, outcome, counts, the first failed records (or the run's
 * error) and a link to the execution in the dashboard.
 */
export function composeNotification(o: {
  task: Pick<Task, 'id' | 'name'>;
  execution: Execution;
  /** The first items with action 'fail'. */
  errors: ExecutionItem[];
  dashboardUrl: string | null;
}): NotificationMail {
  const { task, execution: e } = o;
  const kind = notifyKindOf(e) ?? 'failure';
  const subject = `[Junction] ${task.name} ${LABEL[kind]}`;
  const c = e.counts;
  const counts: [string, number][] = [
    ['read', c.read],
    ['filtered out', c.filtered],
    ['created', c.created],
    ['updated', c.updated],
    ['unchanged', c.unchanged],
    ['deleted', c.deleted],
    ['failed', c.failed],
  ];
  const errorLines = [
    ...(e.error ? [`run error ${e.error.code}: ${e.error.message}`] : []),
    ...o.errors.map(
      (i) => `record ${i.sourceKey}: ${i.code ?? 'error'}${i.message ? ` — ${i.message}` : ''}`,
    ),
  ];
  const link = executionLink(o.dashboardUrl, e.id);
  const when = e.finishedAt ? e.finishedAt.toISOString() : 'unknown time';

  const text = [
    `Task "${task.name}" (${task.id}) ${LABEL[kind]} at ${when}.`,
    '',
    'Counts:',
    ...counts.map(([k, v]) => `  ${k}: ${v}`),
    ...(errorLines.length ? ['', 'First errors:', ...errorLines.map((l) => `  - ${l}`)] : []),
    '',
    link ? `Execution: ${link}` : `Execution id: ${e.id}`,
  ].join('\n');

  const html = [
    `<p>Task <strong>${escapeHtml(task.name)}</strong> (${escapeHtml(task.id)}) ${LABEL[kind]} at ${escapeHtml(when)}.</p>`,
    `<table>${counts.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join('')}</table>`,
    errorLines.length
      ? `<p>First errors:</p><ul>${errorLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
      : '',
    link
      ? `<p><a href="${escapeHtml(link)}">Open the execution</a></p>`
      : `<p>Execution id: ${escapeHtml(e.id)}</p>`,
  ].join('\n');
  return { subject, text, html };
}
