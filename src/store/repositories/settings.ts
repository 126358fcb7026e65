import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { DEFAULT_TIMEZONE, isValidTimezone } from '../../core/schedule.ts';
import { SecretDestinationError } from '../../core/secret-destination.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';

const EMAIL = z.email();
/** A sender: `name@example.ch` or `Name <name@example.ch>`. */
export const isMailbox = (s: string): boolean => {
  const named = /^[^<>]*<([^<>]+)>$/.exec(s.trim());
  return EMAIL.safeParse(named ? named[1] : s.trim()).success;
};
const SENDER = z
  .string()
  .min(3)
  .refine(isMailbox, 'not an e-mail address (name@example.ch or Name <name@example.ch>)');
const RECIPIENT = z.email('not an e-mail address');

/** How the hub sends e-mail. The password is sealed at rest and never returned by `getPublic`. */
export const SmtpSettingsSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(587),
  /** TLS from the first byte (port 465); false means STARTTLS, which the server must offer. */
  secure: z.boolean().default(false),
  /**
   * Send without TLS when the server offers no STARTTLS: only for a relay on the same host or a network
   * you trust. Off by default, so a stripped or plain-text server never gets the password or the mails.
   */
  allowPlainText: z.boolean().default(false),
  user: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /**
   * Sender address of notification mails, e.g. `Junction <junction@example.ch>`. Checked as an address
   * when changed (SettingsPatchSchema); what an older version stored is still read.
   */
  from: z.string().min(3),
});
export type SmtpSettings = z.infer<typeof SmtpSettingsSchema>;

/** The languages notification mails are written in. */
export const MAIL_LANGUAGES = ['de', 'en'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

/** Per-instance settings, editable from the dashboard. */
export const InstanceSettingsSchema = z.object({
  smtp: SmtpSettingsSchema.nullable().default(null),
  /** Base URL of the dashboard; notification mails link to `<dashboardUrl>/executions/<id>`. */
  dashboardUrl: z.url().nullable().default(null),
  /** Time zone of schedules that name none. */
  timezone: z.string().refine(isValidTimezone, 'unknown time zone').default(DEFAULT_TIMEZONE),
  /** Executions (with their items and payloads) older than this are purged. */
  retentionDays: z.number().int().min(1).max(3650).default(90),
  /** Recipients of a task's notifications when the task names none. */
  defaultRecipients: z.array(RECIPIENT).default([]),
  /** The language of notification mails: German for Swiss installations unless set to English. */
  mailLanguage: z.enum(MAIL_LANGUAGES).default('de'),
});
export type InstanceSettings = z.infer<typeof InstanceSettingsSchema>;

/** Settings as the API shows them: the SMTP password reduced to whether it is set. */
export type PublicSettings = Omit<InstanceSettings, 'smtp'> & {
  smtp: (Omit<SmtpSettings, 'password'> & { passwordSet: boolean }) | null;
};

/**
 * A partial update: absent fields stay. `smtp.password` absent keeps the stored one, `null` clears it;
 * `smtp: null` removes the SMTP setup.
 */
export const SettingsPatchSchema = z.object({
  smtp: z
    .object({
      host: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65_535).optional(),
      secure: z.boolean().optional(),
      allowPlainText: z.boolean().optional(),
      user: z.string().min(1).nullable().optional(),
      password: z.string().min(1).nullable().optional(),
      from: SENDER.optional(),
    })
    .nullable()
    .optional(),
  dashboardUrl: z.url().nullable().optional(),
  // Checked here as in InstanceSettingsSchema, so one answer names every offending field at once.
  timezone: z.string().refine(isValidTimezone, 'unknown time zone').optional(),
  retentionDays: z.number().int().min(1).max(3650).optional(),
  defaultRecipients: z.array(RECIPIENT).optional(),
  mailLanguage: z.enum(MAIL_LANGUAGES).optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

type SettingsTables = {
  settings: { key: string; value: string; updated_at: string };
};

const KEY = 'instance';

function invalid(error: z.ZodError): ValidationError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return new ValidationError(`invalid settings: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    details: { issues },
  });
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where the SMTP password goes: it is sealed with it and does not follow a new host or port. */
const smtpDestination = (smtp: { host?: unknown; port?: unknown }) => `${smtp.host}:${smtp.port ?? 587}`;

/**
 * Merges a patch into the current settings; `null` in an optional SMTP field removes it. A new host or
 * port with a stored password needs the password again (or its removal).
 */
function merge(current: InstanceSettings, patch: SettingsPatch): unknown {
  const { smtp, ...rest } = patch;
  let nextSmtp: unknown = current.smtp;
  if (smtp === null) nextSmtp = null;
  else if (smtp) {
    const merged: Record<string, unknown> = { ...(current.smtp ?? {}), ...withoutUndefined(smtp) };
    for (const k of ['user', 'password'] as const) if (smtp[k] === null) delete merged[k];
    const from = current.smtp ? smtpDestination(current.smtp) : null;
    const to = smtpDestination(merged);
    if (current.smtp?.password !== undefined && smtp.password === undefined && from !== to) {
      throw new SecretDestinationError(
        `the SMTP password was entered for ${from}; to send through ${to} enter the password again`,
        { details: { field: 'smtp.password', from, to } },
      );
    }
    nextSmtp = merged;
  }
  return { ...current, ...withoutUndefined(rest), smtp: nextSmtp };
}

/** What is sealed for the SMTP password: the password and the host and port it was entered for. */
interface SealedSmtpPassword {
  v: 2;
  destination: string;
  password: string;
}

/** The settings row as stored: unvalidated JSON whose SMTP password is still sealed. */
type StoredSettings = {
  smtp?: { passwordSealed?: string; [field: string]: unknown };
  [field: string]: unknown;
};

/** The instance settings: one validated JSON document, its SMTP password sealed with the store's SecretBox. */
export function createSettingsRepository(database: Kysely<Database>, box: SecretBox) {
  const db = database.withTables<SettingsTables>();

  async function read(): Promise<InstanceSettings> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
    const stored: StoredSettings = row ? JSON.parse(row.value) : {};
    if (stored.smtp?.passwordSealed) {
      const { passwordSealed, ...smtp } = stored.smtp;
      const opened = box.open(passwordSealed) as string | SealedSmtpPassword;
      // Sealed for another host or port (the row was changed behind the API's back): the password stays
      // behind. A bare string was sealed before destinations were; it is bound at the next update.
      const password =
        typeof opened === 'string'
          ? opened
          : opened.destination === smtpDestination(smtp)
            ? opened.password
            : undefined;
      stored.smtp = { ...smtp, ...(password === undefined ? {} : { password }) };
    }
    return InstanceSettingsSchema.parse(stored);
  }

  return {
    /** The settings with the SMTP password opened (for sending mail; never for the API). */
    get: read,

    /** The settings without the SMTP password, for the API and dashboard. */
    async getPublic(): Promise<PublicSettings> {
      const s = await read();
      if (!s.smtp) return { ...s, smtp: null };
      const { password, ...smtp } = s.smtp;
      return { ...s, smtp: { ...smtp, passwordSet: password !== undefined } };
    },

    /** Validates and applies a partial update (throws ValidationError naming the fields); returns the public view. */
    async update(patch: unknown): Promise<PublicSettings> {
      const p = SettingsPatchSchema.safeParse(patch);
      if (!p.success) throw invalid(p.error);
      const next = InstanceSettingsSchema.safeParse(merge(await read(), p.data));
      if (!next.success) throw invalid(next.error);
      const { smtp, ...rest } = next.data;
      const sealedSmtp = smtp
        ? (({ password, ...s }) => ({
            ...s,
            ...(password
              ? {
                  passwordSealed: box.seal({
                    v: 2,
                    destination: smtpDestination(s),
                    password,
                  } satisfies SealedSmtpPassword),
                }
              : {}),
          }))(smtp)
        : null;
      const now = new Date().toISOString();
      const value = JSON.stringify({ ...rest, smtp: sealedSmtp });
      await db
        .insertInto('settings')
        .values({ key: KEY, value, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
        .execute();
      return this.getPublic();
    },
  };
}
