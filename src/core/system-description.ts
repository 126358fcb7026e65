/**
 * How a system presents itself (pure types, shared by the connectors, the API and the dashboard): its
 * names, mark, authentication, and its connection form as JSON Schema whose fields carry `FieldMeta`.
 */

/** A text in the dashboard's two languages. */
export interface Text {
  de: string;
  en: string;
}

/** How a system authenticates Junction. */
export const AUTH_KINDS = [
  'none',
  'database',
  'apiKey',
  'basic',
  'oauth2',
  'clientCredentials',
  'token',
] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/**
 * What a config or secret field shows in the connection form, set with zod's `.meta()` on the field: a
 * field without `label` is advanced (kept as it is, set in YAML). `widget` picks the input; secret fields
 * are always write-only.
 */
export interface FieldMeta {
  label: Text;
  help?: Text;
  placeholder?: string;
  widget?: 'text' | 'url' | 'number' | 'file' | 'select' | 'checkbox';
  /** For `file`: the file types the picker offers (`.xlsx,.csv`), as the `accept` attribute takes them. */
  accept?: string;
}

/** A JSON Schema property as zod writes it, with the form's metadata. */
export interface FormFieldSchema extends Partial<FieldMeta> {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  anyOf?: FormFieldSchema[];
}

/** A config or secret form as JSON Schema. */
export interface FormSchema {
  type?: string;
  properties?: Record<string, FormFieldSchema>;
  required?: string[];
}

/** What the dashboard and API clients know of a system (`GET /api/systems`). */
export interface SystemDescription {
  system: string;
  /** The system's name in a sentence or a list ("HubSpot (CRM)"). */
  label: Text;
  /** Its brand name beside its mark ("HubSpot"). */
  name: string;
  mark: { short: string; color: string };
  auth: AuthKind;
  /** Records can come from uploaded files (imports). */
  uploads: boolean;
  /** The system has an OAuth flow ("Connect" button). */
  oauth: boolean;
  /** The system sends webhooks to `/api/webhooks/:connectionId`. */
  webhook: boolean;
  config: FormSchema;
  secret: FormSchema;
}
