import { z } from 'zod';

/** Connection config of a HubSpot portal. */
export const HubSpotConfigSchema = z.object({
  /** https://api.hubapi.com for the real service; the emulator's URL in tests and the demo. */
  baseUrl: z.string().url().default('https://api.hubapi.com'),
  /** The portal's burst budget: 100 (Free/Starter) or 190 (Professional/Enterprise) per 10 s. */
  requestsPer10s: z.number().int().positive().default(100),
  /** Write batches in flight at once (the limiter still caps the request rate). */
  concurrency: z.number().int().min(1).max(16).default(4),
  timeoutMs: z.number().int().positive().default(30_000),
});
export type HubSpotConfig = z.infer<typeof HubSpotConfigSchema>;

/** A private-app access token (OAuth arrives with its own issue). */
export const HubSpotSecretSchema = z.object({ accessToken: z.string().min(1) });
export type HubSpotSecret = z.infer<typeof HubSpotSecretSchema>;

/** HubSpot's error body (all 4xx/5xx answers and the entries of a 207's `errors`). */
export const HubSpotErrorSchema = z.object({
  status: z.string().optional(),
  message: z.string().default(''),
  category: z.string().optional(),
  correlationId: z.string().optional(),
  errorType: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
  errors: z
    .array(z.object({ message: z.string().optional(), code: z.string().optional(), context: z.record(z.string(), z.array(z.string())).optional() }).passthrough())
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
        options: z.array(z.object({ value: z.string(), label: z.string() }).passthrough()).optional(),
      })
      .passthrough(),
  ),
});
