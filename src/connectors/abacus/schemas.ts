import { z } from 'zod';

const numeric = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);

/** Connection config of one Abacus mandant (tenant). */
export const AbacusConfigSchema = z.object({
  /** The installation's address, e.g. https://abacus.example.ch (the emulator's URL in tests and the demo). */
  baseUrl: z
    .string()
    .url()
    .meta({
      label: { de: 'Adresse der Installation', en: 'Installation address' },
      placeholder: 'https://abacus.example.ch',
      widget: 'url',
    }),
  /** The mandant (tenant) number, e.g. 7777. One connection talks to one mandant. */
  mandant: numeric.meta({
    label: { de: 'Mandant', en: 'Mandant (tenant)' },
    placeholder: '7777',
    widget: 'number',
  }),
  /** Entity API calls per rolling 10 s. Abacus publishes no limit; keep well under the gateway's. */
  requestsPer10s: z.number().int().positive().default(50),
  /** Write batches in flight at once. */
  concurrency: z.number().int().min(1).max(8).default(2),
  timeoutMs: z.number().int().positive().default(30_000),
  /**
   * The subject user field that holds the business system's key (`Reference`). The entity API has no
   * external-reference property on Subjects; user fields are Abacus' place for such data.
   */
  referenceField: z
    .string()
    .regex(/^UserField\d+$/)
    .default('UserField1'),
  /** Rows per page asked for with `Prefer: odata.maxpagesize`. */
  pageSize: z.number().int().min(1).max(1000).default(100),
});
export type AbacusConfig = z.infer<typeof AbacusConfigSchema>;

/** A service user's OAuth client credentials (Abacus user management, Q910/Q981). */
export const AbacusSecretSchema = z.object({
  clientId: z
    .string()
    .min(1)
    .meta({ label: { de: 'Client-ID des Service-Benutzers', en: 'Service user client ID' } }),
  clientSecret: z
    .string()
    .min(1)
    .meta({ label: { de: 'Client-Secret', en: 'Client secret' } }),
});
export type AbacusSecret = z.infer<typeof AbacusSecretSchema>;

// Absent leaves Abacus' value alone; null clears it (Abacus strings are not nullable, so '' it is).
const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === undefined ? undefined : v === null ? '' : String(v).trim()));

/** The address part of a subject payload. */
export const AddressPayloadSchema = z.object({
  Street: text,
  HouseNumber: text,
  PostCode: text,
  City: text,
  CountryId: text,
});
export type AddressPayload = z.infer<typeof AddressPayloadSchema>;

/**
 * What the engine sends for one person: subject fields, one address, e-mail and phone, and the
 * business system's key. Other top-level fields go to the subject as they are (Abacus checks them).
 */
export const SubjectPayloadSchema = z
  .object({
    Name: text,
    FirstName: text,
    Title: text,
    Language: text,
    SalutationId: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
    Address: AddressPayloadSchema.nullish(),
    EMail: text,
    Phone: text,
    Reference: text,
  })
  .catchall(z.unknown());
export type SubjectPayload = z.infer<typeof SubjectPayloadSchema>;

/** `/.well-known/openid-configuration` (only what we use). */
export const OpenIdConfigurationSchema = z.object({ token_endpoint: z.string().min(1) }).passthrough();

/** The token endpoint's answer. */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

/** The entity API's error body (OData v4 JSON error). */
export const AbacusErrorSchema = z.object({
  error: z.object({
    code: z.union([z.string(), z.number()]).optional(),
    message: z.string().optional(),
    target: z.string().optional(),
  }),
});
export type AbacusErrorBody = z.infer<typeof AbacusErrorSchema>['error'];

/** An address as the API answers it (one row of a subject's address history). */
export const AddressSchema = z
  .object({
    Id: z.string(),
    SubjectId: z.number(),
    ValidFrom: z.string().nullish(),
    Street: z.string().nullish(),
    HouseNumber: z.string().nullish(),
    PostCode: z.string().nullish(),
    City: z.string().nullish(),
    CountryId: z.string().nullish(),
  })
  .passthrough();
export type Address = z.infer<typeof AddressSchema>;

/** An e-mail address, phone number or other channel of a subject. */
export const CommunicationSchema = z
  .object({
    Id: z.string(),
    SubjectId: z.number(),
    Type: z.string(),
    Value: z.string().nullish(),
    Standard: z.boolean().nullish(),
  })
  .passthrough();
export type Communication = z.infer<typeof CommunicationSchema>;

/** A subject, with its children when `$expand`ed. */
export const SubjectSchema = z
  .object({
    Id: z.number(),
    Name: z.string().nullish(),
    FirstName: z.string().nullish(),
    UserFields: z.record(z.string(), z.unknown()).nullish(),
    ChangeInformation: z.object({ ChangedOn: z.string().nullish() }).passthrough().nullish(),
    Addresses: z.array(AddressSchema).optional(),
    Communications: z.array(CommunicationSchema).optional(),
  })
  .passthrough();
export type Subject = z.infer<typeof SubjectSchema>;

/** A collection answer with server paging. */
export const CollectionSchema = z.object({
  value: z.array(z.record(z.string(), z.unknown())),
  '@odata.nextLink': z.string().optional(),
});
export type Collection = z.infer<typeof CollectionSchema>;
