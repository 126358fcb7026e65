import { z } from 'zod';

/** Connection config of a Brevo account. */
export const BrevoConfigSchema = z.object({
  /** https://api.brevo.com/v3 for the real service; the emulator's URL plus `/v3` in tests and the demo. */
  baseUrl: z
    .string()
    .url()
    .default('https://api.brevo.com/v3')
    .meta({
      label: { de: 'API-Basis-URL', en: 'API base URL' },
      placeholder: 'https://api.brevo.com/v3',
      widget: 'url',
    }),
  /** The contacts endpoints' budget: 10 per second on the general tier, 20 on higher plans. */
  requestsPerSecond: z
    .number()
    .int()
    .positive()
    .default(10)
    .meta({ label: { de: 'Anfragen pro Sekunde', en: 'Requests per second' }, widget: 'number' }),
  /** Write batches in flight at once; each batch sends its records in parallel, the limiter caps the rate. */
  concurrency: z.number().int().min(1).max(16).default(2),
  timeoutMs: z.number().int().positive().default(30_000),
  /**
   * New contacts of one list go through an import process (a few calls for thousands) from this many in a
   * page on; fewer are created one call each, which is quicker for a handful.
   */
  importFrom: z.number().int().min(1).default(20),
  /**
   * A contact deleted in Brevo is a person's erasure request (carried to every linked system per the
   * mappings' privacy policy), not a marketer's clean-up. Off by default: Brevo cannot tell the two apart,
   * and an everyday clean-up must never erase the master record; off, a deletion only unlinks.
   */
  deletionsArePrivacyRequests: z
    .boolean()
    .default(false)
    .meta({
      label: {
        de: 'Löschungen in Brevo sind Löschbegehren (Datenschutz)',
        en: 'Deletions in Brevo are erasure requests (privacy)',
      },
      help: {
        de: 'Eine in Brevo gelöschte Person wird in allen verknüpften Systemen gemäss Datenschutz-Regel des Mappings gelöscht oder anonymisiert. Aus: die Verknüpfung wird nur gelöst.',
        en: 'A person deleted in Brevo is erased or anonymised in every linked system as the mapping’s privacy policy says. Off: the link is only cut.',
      },
      widget: 'checkbox',
    }),
});
export type BrevoConfig = z.infer<typeof BrevoConfigSchema>;

/** A v3 API key (`xkeysib-…`), sent as the `api-key` header. */
export const BrevoSecretSchema = z.object({
  apiKey: z
    .string()
    .min(1)
    .meta({ label: { de: 'API-Schlüssel', en: 'API key' }, placeholder: 'xkeysib-…' }),
  /**
   * The token Brevo sends with its webhooks (`auth: { type: 'bearer', token }` when the webhook is created,
   * or the password of a `https://user:token@…` URL): Brevo signs nothing, so this is what proves a call.
   */
  webhookToken: z
    .string()
    .min(24)
    .optional()
    .meta({
      label: { de: 'Webhook-Token', en: 'Webhook token' },
      help: {
        de: 'Beim Anlegen des Brevo-Webhooks als Bearer-Token angeben (mindestens 24 Zeichen).',
        en: 'Give it as the bearer token when creating the Brevo webhook (at least 24 characters).',
      },
    }),
});
export type BrevoSecret = z.infer<typeof BrevoSecretSchema>;

/** Brevo's error body (all 4xx/5xx answers). */
export const BrevoErrorSchema = z.object({
  code: z.string().default('error'),
  message: z.string().default(''),
});
export type BrevoErrorBody = z.infer<typeof BrevoErrorSchema>;

const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown())]);

/** One contact as `GET /contacts` lists it and `GET /contacts/{identifier}` returns it. */
export const BrevoContactSchema = z.looseObject({
  id: z.number(),
  email: z.string().nullable().optional(),
  emailBlacklisted: z.boolean().default(false),
  smsBlacklisted: z.boolean().default(false),
  createdAt: z.string().optional(),
  modifiedAt: z.string(),
  listIds: z.array(z.number()).default([]),
  attributes: z.record(z.string(), attributeValue).default({}),
});
export type BrevoContact = z.infer<typeof BrevoContactSchema>;

/** `GET /contacts`: one page and the count of all contacts the filter matches. */
export const BrevoContactsPageSchema = z.object({
  contacts: z.array(BrevoContactSchema).default([]),
  count: z.number().default(0),
});

/** `POST /contacts` when it created: the new contact's id (204 with no body when it updated). */
export const BrevoCreatedSchema = z.object({ id: z.number() });

/** `GET /contacts/attributes`. */
export const BrevoAttributesSchema = z.object({
  attributes: z.array(
    z.looseObject({
      name: z.string(),
      category: z.string(),
      type: z.string().optional(),
      enumeration: z.array(z.object({ value: z.number(), label: z.string() })).optional(),
    }),
  ),
});

/** `GET /account`, as far as the connection test reads it. */
export const BrevoAccountSchema = z.looseObject({
  email: z.string().optional(),
  companyName: z.string().optional(),
});

/** `POST /contacts/import`: 202 with the id of the background process that will import the contacts. */
export const BrevoImportStartedSchema = z.object({ processId: z.number() });

/**
 * `GET /processes/{id}`: a background process. A completed import (`IMPORTUSER`) names, in `info.import`,
 * CSV files of the rows it refused (invalid e-mails, duplicates), each under its own key.
 */
export const BrevoProcessSchema = z.looseObject({
  id: z.number(),
  name: z.string().optional(),
  status: z.string(),
  info: z
    .looseObject({ import: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .nullable(),
});
export type BrevoProcess = z.infer<typeof BrevoProcessSchema>;
