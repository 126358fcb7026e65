import { z } from 'zod';

/** Connection config of a HubSpot portal. */
export const HubSpotConfigSchema = z.object({
  /** https://api.hubapi.com for the real service; the emulator's URL in tests and the demo. */
  baseUrl: z
    .string()
    .url()
    .default('https://api.hubapi.com')
    .meta({
      label: { de: 'API-Basis-URL', en: 'API base URL' },
      placeholder: 'https://api.hubapi.com',
      widget: 'url',
    }),
  /** The portal's burst budget: 100 (Free/Starter) or 190 (Professional/Enterprise) per 10 s. */
  requestsPer10s: z
    .number()
    .int()
    .positive()
    .default(100)
    .meta({
      label: { de: 'Anfragen pro 10 Sekunden', en: 'Requests per 10 seconds' },
      help: {
        de: '100 (Free/Starter) oder 190 (Professional/Enterprise)',
        en: '100 (Free/Starter) or 190 (Professional/Enterprise)',
      },
      widget: 'number',
    }),
  /** Write batches in flight at once (the limiter still caps the request rate). */
  concurrency: z.number().int().min(1).max(16).default(4),
  timeoutMs: z.number().int().positive().default(30_000),
  /** OAuth app (public apps): where the browser authorises, the app's client id and the scopes it asks for. */
  authorizeUrl: z.string().url().default('https://app.hubspot.com/oauth/authorize'),
  clientId: z
    .string()
    .min(1)
    .optional()
    .meta({
      label: { de: 'Client-ID der OAuth-App', en: 'OAuth app client ID' },
      help: {
        de: 'Nur für OAuth-Apps; private Apps brauchen nur das Token',
        en: 'OAuth apps only; private apps need just the token',
      },
    }),
  scopes: z
    .array(z.string().min(1))
    .default([
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.companies.read',
      'crm.objects.companies.write',
      'crm.objects.deals.read',
      'crm.objects.deals.write',
      'crm.schemas.contacts.read',
    ]),
  /** The callback HubSpot redirects to; default: this server's `/api/oauth/callback`. */
  redirectUri: z.string().url().optional(),
});
export type HubSpotConfig = z.infer<typeof HubSpotConfigSchema>;

/**
 * Either a private-app token (`accessToken` alone) or an OAuth app: `clientSecret` (also the key of
 * webhook signatures) plus the tokens the authorization-code flow stored (`refreshToken`, `accessToken`
 * and its expiry `expiresAt`, epoch ms). Before the flow ran, only `clientSecret` is set.
 */
export const HubSpotSecretSchema = z.object({
  accessToken: z
    .string()
    .min(1)
    .optional()
    .meta({
      label: { de: 'Zugriffstoken der Private App', en: 'Private app access token' },
      placeholder: 'pat-eu1-…',
    }),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.number().int().optional(),
  clientSecret: z
    .string()
    .min(1)
    .optional()
    .meta({
      label: { de: 'Client-Secret der OAuth-App', en: 'OAuth app client secret' },
      help: { de: 'Signiert auch die Webhooks', en: 'Also signs the webhooks' },
    }),
});
export type HubSpotSecret = z.infer<typeof HubSpotSecretSchema>;

/** Answer of `POST /oauth/v1/token` (authorization_code and refresh_token grants). */
export const HubSpotTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().positive(),
  token_type: z.string().optional(),
});

/** One webhook event as HubSpot posts them (a JSON array of these per request). */
export const HubSpotWebhookEventSchema = z
  .object({
    eventId: z.union([z.number(), z.string()]),
    subscriptionType: z.string(),
    objectId: z.union([z.number(), z.string()]),
    occurredAt: z.number().optional(),
    portalId: z.number().optional(),
    appId: z.number().optional(),
    propertyName: z.string().optional(),
    attemptNumber: z.number().optional(),
  })
  .passthrough();

/** HubSpot's error body (all 4xx/5xx answers and the entries of a 207's `errors`). */
export const HubSpotErrorSchema = z.object({
  status: z.string().optional(),
  message: z.string().default(''),
  category: z.string().optional(),
  correlationId: z.string().optional(),
  errorType: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
  errors: z
    .array(
      z
        .object({
          message: z.string().optional(),
          code: z.string().optional(),
          context: z.record(z.string(), z.array(z.string())).optional(),
        })
        .passthrough(),
    )
    .optional(),
});
export type HubSpotErrorBody = z.infer<typeof HubSpotErrorSchema>;

export const HubSpotObjectSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
  new: z.boolean().optional(),
});
export type HubSpotObject = z.infer<typeof HubSpotObjectSchema>;

/** Answer of batch create/update/upsert/read: 200/201 complete, 207 with `errors` for the inputs that failed. */
export const HubSpotBatchResponseSchema = z.object({
  status: z.string(),
  results: z.array(HubSpotObjectSchema).default([]),
  numErrors: z.number().optional(),
  errors: z.array(HubSpotErrorSchema).optional(),
});

export const HubSpotListResponseSchema = z.object({
  results: z.array(HubSpotObjectSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export const HubSpotSearchResponseSchema = HubSpotListResponseSchema.extend({ total: z.number() });

export const HubSpotPropertiesResponseSchema = z.object({
  results: z.array(
    z
      .object({
        name: z.string(),
        label: z.string().optional(),
        type: z.string(),
        fieldType: z.string().optional(),
        hasUniqueValue: z.boolean().optional(),
        modificationMetadata: z.object({ readOnlyValue: z.boolean().optional() }).passthrough().optional(),
        options: z.array(z.object({ value: z.string(), label: z.string() }).passthrough()).optional(),
      })
      .passthrough(),
  ),
});

/** Answer of `POST /crm/v4/associations/{from}/{to}/batch/create` (201, or 207 with `errors`). */
export const HubSpotAssociationBatchResponseSchema = z.object({
  status: z.string(),
  results: z
    .array(
      z
        .object({
          fromObjectId: z.union([z.string(), z.number()]),
          toObjectId: z.union([z.string(), z.number()]),
        })
        .passthrough(),
    )
    .default([]),
  errors: z.array(HubSpotErrorSchema).optional(),
});
