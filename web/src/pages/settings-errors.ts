import type { ApiError } from '../api.ts';
import type { TextKey } from '../i18n/index.tsx';

type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

/** The settings form's fields that can be refused, by the place the API names (`body.` left off). */
export const SETTINGS_FIELDS = [
  'smtp.host',
  'smtp.port',
  'smtp.user',
  'smtp.password',
  'smtp.from',
  'dashboardUrl',
  'timezone',
  'retentionDays',
  'defaultRecipients',
  'mailLanguage',
] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];

// What each field must hold, in the UI's language (the schema's own messages are English).
const MESSAGE: Record<SettingsField, TextKey> = {
  'smtp.host': 'set.err.host',
  'smtp.port': 'set.err.port',
  'smtp.user': 'set.err.user',
  'smtp.password': 'set.err.password',
  'smtp.from': 'set.err.from',
  dashboardUrl: 'set.err.dashboardUrl',
  timezone: 'set.err.timezone',
  retentionDays: 'set.err.retentionDays',
  defaultRecipients: 'set.err.recipient',
  mailLanguage: 'set.err.mailLanguage',
};

/**
 * The messages of a refused save, per field of the form: the API names every bad field in one answer
 * (`details.issues[].field`, e.g. `body.smtp.from`, `body.defaultRecipients.1`); a recipient's message
 * names the address the form sent at that index. Issues at no known field are left for the page's note.
 */
export function settingsFieldErrors(
  error: ApiError | null,
  recipients: readonly string[],
  t: Translate,
): { byField: Partial<Record<SettingsField, string>>; unplaced: number } {
  const issues = (error?.details as { issues?: { field: string }[] } | undefined)?.issues ?? [];
  const byField: Partial<Record<SettingsField, string>> = {};
  let unplaced = 0;
  for (const issue of issues) {
    const place = issue.field.replace(/^body\./, '');
    const recipient = /^defaultRecipients\.(\d+)$/.exec(place);
    const field = (recipient ? 'defaultRecipients' : place) as SettingsField;
    if (!SETTINGS_FIELDS.includes(field)) {
      unplaced++;
      continue;
    }
    const text = t(MESSAGE[field], { value: recipients[Number(recipient?.[1])] ?? '' });
    // Several bad recipients: each is named once.
    byField[field] = byField[field] && byField[field] !== text ? `${byField[field]} ${text}` : text;
  }
  return { byField, unplaced };
}
