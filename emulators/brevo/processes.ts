/**
 * Brevo's background processes as far as contact imports need them: `POST /v3/contacts/import` queues an
 * IMPORTUSER process that moves queued → in_process → completed on timers, applies its rows to the
 * account when it completes, and reports the rows it could not take (invalid e-mails, duplicates) as CSV
 * files whose URLs the completed process carries in `info.import`.
 */
import type { FaultInjector } from './faults.ts';
import type { BrevoState, ContactChanges } from './store.ts';
import { checkEmail, coerceAttribute } from './validate.ts';

/** The states Brevo reports for a process. */
export type ProcessStatus = 'queued' | 'in_process' | 'completed';

/** The report files of a completed import, by the names Brevo gives them in `info.import`. */
export const IMPORT_REPORTS = ['invalid_emails', 'duplicate_email_id', 'duplicate_ext_id'] as const;
export type ImportReport = (typeof IMPORT_REPORTS)[number];

/** One row of an import (the JSON body's entries; a CSV body is parsed into the same shape). */
export interface ImportRow {
  email?: string | undefined;
  attributes: Record<string, unknown>;
}

/** What one import was asked to do. */
export interface ImportOptions {
  rows: ImportRow[];
  listIds: number[];
  updateExistingContacts: boolean;
  emptyContactsAttributes: boolean;
  emailBlacklist: boolean;
  smsBlacklist: boolean;
}

/** One process as the emulator keeps it. */
export interface StoredProcess {
  id: number;
  name: 'IMPORTUSER';
  status: ProcessStatus;
  createdAt: string;
  options: ImportOptions;
  /** Rows refused, per report, each with Brevo's reason. Filled when the process completes. */
  reports: Partial<Record<ImportReport, { email: string; reason: string }[]>>;
  /** How the rows ended, for assertions. */
  outcome: { created: number; updated: number; skipped: number };
}

/** How long a process takes: queued for `queuedMs`, then in process for `processMs + rows × perRowMs`. */
export interface ImportTiming {
  queuedMs: number;
  processMs: number;
  perRowMs: number;
}

export const DEFAULT_IMPORT_TIMING: ImportTiming = { queuedMs: 50, processMs: 100, perRowMs: 0.02 };

const REASONS: Record<ImportReport, string> = {
  invalid_emails: 'Invalid email address',
  duplicate_email_id: 'Email address appears more than once in the import',
  duplicate_ext_id: 'EXT_ID is already associated with another contact',
};

/** The account's background processes and the timers that move them along. */
export class ImportProcesses {
  private readonly processes = new Map<number, StoredProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastId = 0;
  private held = false;
  private readonly waiting: StoredProcess[] = [];
  timing: ImportTiming;

  constructor(
    private readonly state: BrevoState,
    private readonly faults: FaultInjector,
    timing: Partial<ImportTiming> = {},
  ) {
    this.timing = { ...DEFAULT_IMPORT_TIMING, ...timing };
  }

  /** Queues an import and starts its clock; returns the process. */
  start(options: ImportOptions): StoredProcess {
    const process: StoredProcess = {
      id: ++this.lastId,
      name: 'IMPORTUSER',
      status: 'queued',
      createdAt: new Date().toISOString(),
      options,
      reports: {},
      outcome: { created: 0, updated: 0, skipped: 0 },
    };
    this.processes.set(process.id, process);
    this.after(this.timing.queuedMs, () => {
      process.status = 'in_process';
      const ms = this.timing.processMs + options.rows.length * this.timing.perRowMs;
      this.after(ms, () => (this.held ? this.waiting.push(process) : this.complete(process)));
    });
    return process;
  }

  /** A process by id. */
  get(id: number): StoredProcess | undefined {
    return this.processes.get(id);
  }

  /** Every process, newest last. */
  list(): StoredProcess[] {
    return [...this.processes.values()];
  }

  /**
   * Keeps processes `in_process` until `release()` (tests: a run killed while Brevo is still importing).
   * @example brevo.imports.hold(); …; brevo.imports.release();
   */
  hold(): void {
    this.held = true;
  }

  /** Lets held processes complete now, and later ones run on their timers again. */
  release(): void {
    this.held = false;
    for (const process of this.waiting.splice(0)) this.complete(process);
  }

  /** Stops every timer and forgets every process. */
  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.processes.clear();
    this.waiting.length = 0;
    this.held = false;
    this.lastId = 0;
  }

  private after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private refuse(process: StoredProcess, report: ImportReport, email: string): void {
    const rows = process.reports[report] ?? [];
    rows.push({ email, reason: REASONS[report] });
    process.reports[report] = rows;
  }

  /** Applies the rows as Brevo does: refused rows are reported, never silently dropped. */
  private complete(process: StoredProcess): void {
    const o = process.options;
    const counts = new Map<string, number>();
    for (const row of o.rows) {
      const email = rowEmail(row)?.trim().toLowerCase();
      if (email) counts.set(email, (counts.get(email) ?? 0) + 1);
    }
    for (const row of o.rows) {
      const email = rowEmail(row)?.trim() ?? '';
      try {
        checkEmail(email, this.faults);
      } catch {
        this.refuse(process, 'invalid_emails', email);
        continue;
      }
      if ((counts.get(email.toLowerCase()) ?? 0) > 1) {
        this.refuse(process, 'duplicate_email_id', email);
        continue;
      }
      const changes = this.changesOf(row, o);
      const existing = this.state.findByEmail(email);
      const byExt = changes.extId === undefined ? undefined : this.state.findByExtId(changes.extId);
      if (byExt && byExt !== existing) {
        this.refuse(process, 'duplicate_ext_id', email);
        continue;
      }
      if (!existing) {
        this.state.create({ ...changes, email });
        process.outcome.created++;
      } else if (o.updateExistingContacts) {
        this.state.update(existing, changes);
        process.outcome.updated++;
      } else {
        // Without updateExistingContacts an existing contact keeps its data but still joins the lists.
        this.state.update(existing, { listIds: o.listIds });
        process.outcome.skipped++;
      }
    }
    process.status = 'completed';
  }

  // Unknown attributes are ignored at import (Brevo's documented behaviour), not refused.
  private changesOf(row: ImportRow, o: ImportOptions): ContactChanges {
    const attributes: Record<string, string | number | boolean | null> = {};
    let extId: string | undefined;
    for (const [raw, value] of Object.entries(row.attributes)) {
      const name = raw.toUpperCase();
      if (name === 'EMAIL') continue;
      if (name === 'EXT_ID') {
        if (typeof value === 'string' || typeof value === 'number') extId = String(value);
        continue;
      }
      if (!this.state.attribute(name)) continue;
      if (value === null || value === undefined || value === '') {
        if (o.emptyContactsAttributes && o.updateExistingContacts) attributes[name] = null;
        continue;
      }
      const coerced = coerceAttribute(this.state, name, value as string | number | boolean | string[]);
      if (coerced !== undefined) attributes[name] = coerced;
    }
    return {
      attributes,
      listIds: o.listIds,
      ...(extId !== undefined ? { extId } : {}),
      ...(o.emailBlacklist ? { emailBlacklisted: true } : {}),
      ...(o.smsBlacklist ? { smsBlacklisted: true } : {}),
    };
  }
}

function rowEmail(row: ImportRow): string | undefined {
  if (row.email !== undefined) return row.email;
  const fromAttributes = row.attributes.EMAIL ?? row.attributes.email;
  return typeof fromAttributes === 'string' ? fromAttributes : undefined;
}

/** The CSV file of one report: a header, then one `email;reason` line per refused row. */
export function reportCsv(rows: { email: string; reason: string }[]): string {
  const quote = (v: string) => (/[;"\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return ['EMAIL;REASON', ...rows.map((r) => `${quote(r.email)};${quote(r.reason)}`)].join('\n');
}
