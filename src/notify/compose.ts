import type { Execution, ExecutionItem, NotifyOn, Task } from '../core/types.ts';
import type { MailLanguage } from '../store/repositories/settings.ts';

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

/** The words of a notification mail, in German (Swiss usage: "ss", not "ß") and English. */
const TEXTS = {
  de: {
    outcome: { success: 'erfolgreich beendet', warning: 'mit Warnungen beendet', failure: 'fehlgeschlagen' },
    ran: (task: string, outcome: string, when: string) => `Die Aufgabe ${task} ist am ${when} ${outcome}.`,
    counts: 'Zahlen',
    count: {
      read: 'gelesen',
      filtered: 'ausgefiltert',
      created: 'erstellt',
      updated: 'aktualisiert',
      unchanged: 'unverändert',
      deleted: 'gelöscht',
      failed: 'fehlgeschlagen',
    },
    firstErrors: 'Erste Fehler',
    runError: 'Abbruch',
    record: 'Datensatz',
    execution: 'Ausführung',
    executionId: 'Ausführungs-ID',
    open: 'Ausführung öffnen',
    unknownTime: '(Zeit unbekannt)',
  },
  en: {
    outcome: { success: 'succeeded', warning: 'finished with warnings', failure: 'failed' },
    ran: (task: string, outcome: string, when: string) => `Task ${task} ${outcome} at ${when}.`,
    counts: 'Counts',
    count: {
      read: 'read',
      filtered: 'filtered out',
      created: 'created',
      updated: 'updated',
      unchanged: 'unchanged',
      deleted: 'deleted',
      failed: 'failed',
    },
    firstErrors: 'First errors',
    runError: 'run error',
    record: 'record',
    execution: 'Execution',
    executionId: 'Execution id',
    open: 'Open the execution',
    unknownTime: 'unknown time',
  },
} satisfies Record<MailLanguage, unknown>;

/** When the run ended, as the recipient reads dates: `30.11.2026 14:05` in German, ISO-like in English. */
function formatWhen(at: Date | null, language: MailLanguage, timeZone: string): string | null {
  if (!at) return null;
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return language === 'de'
    ? `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`
    : `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (${timeZone})`;
}

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
 * The mail about one finished execution, in the recipients' language: task, outcome, counts, the first
 * failed records (or the run's error) and a link to the execution in the dashboard.
 */
export function composeNotification(o: {
  task: Pick<Task, 'id' | 'name'>;
  execution: Execution;
  /** The first items with action 'fail'. */
  errors: ExecutionItem[];
  dashboardUrl: string | null;
  /** German unless the settings say English. */
  language?: MailLanguage;
  /** The installation's time zone, for the time the run ended. */
  timezone?: string;
}): NotificationMail {
  const { task, execution: e } = o;
  const language = o.language ?? 'de';
  const w = TEXTS[language];
  const kind = notifyKindOf(e) ?? 'failure';
  const outcome = w.outcome[kind];
  const subject = `[Junction] ${task.name} ${outcome}`;
  const c = e.counts;
  const counts: [string, number][] = [
    [w.count.read, c.read],
    [w.count.filtered, c.filtered],
    [w.count.created, c.created],
    [w.count.updated, c.updated],
    [w.count.unchanged, c.unchanged],
    [w.count.deleted, c.deleted],
    [w.count.failed, c.failed],
  ];
  // Codes and the systems' messages stay as they are: they are what support searches for.
  const errorLines = [
    ...(e.error ? [`${w.runError} ${e.error.code}: ${e.error.message}`] : []),
    ...o.errors.map(
      (i) => `${w.record} ${i.sourceKey}: ${i.code ?? 'error'}${i.message ? ` — ${i.message}` : ''}`,
    ),
  ];
  const link = executionLink(o.dashboardUrl, e.id);
  const when = formatWhen(e.finishedAt, language, o.timezone ?? 'Europe/Zurich') ?? w.unknownTime;
  const named = (name: string, id: string) => (language === 'de' ? `«${name}» (${id})` : `"${name}" (${id})`);

  const text = [
    w.ran(named(task.name, task.id), outcome, when),
    '',
    `${w.counts}:`,
    ...counts.map(([k, v]) => `  ${k}: ${v}`),
    ...(errorLines.length ? ['', `${w.firstErrors}:`, ...errorLines.map((l) => `  - ${l}`)] : []),
    '',
    link ? `${w.execution}: ${link}` : `${w.executionId}: ${e.id}`,
  ].join('\n');

  const html = [
    `<p>${escapeHtml(w.ran(named(task.name, task.id), outcome, when))}</p>`,
    `<table>${counts.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${v}</td></tr>`).join('')}</table>`,
    errorLines.length
      ? `<p>${w.firstErrors}:</p><ul>${errorLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
      : '',
    link
      ? `<p><a href="${escapeHtml(link)}">${w.open}</a></p>`
      : `<p>${w.executionId}: ${escapeHtml(e.id)}</p>`,
  ].join('\n');
  return { subject, text, html };
}
