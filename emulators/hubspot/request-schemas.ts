/** zod schemas of the request bodies the emulator accepts, after the spec's `*Input` schemas. */
import { z } from 'zod';
import { validationError } from './errors.ts';

const propertyValues = z.record(z.string(), z.unknown());

/** `SimplePublicObjectInput(ForCreate)`: single create and update. */
export const objectInputSchema = z.object({
  properties: propertyValues,
  associations: z.array(z.unknown()).optional(),
});

/** `BatchInputSimplePublicObjectBatchInputForCreate`. */
export const batchCreateSchema = z.object({
  inputs: z.array(
    z.object({
      properties: propertyValues,
      associations: z.array(z.unknown()).optional(),
      objectWriteTraceId: z.string().optional(),
    }),
  ),
});

/** `BatchInputSimplePublicObjectBatchInput` (update) and `…BatchInputUpsert` (upsert). */
export const batchUpdateSchema = z.object({
  inputs: z.array(
    z.object({
      id: z.string(),
      idProperty: z.string().optional(),
      properties: propertyValues,
      objectWriteTraceId: z.string().optional(),
    }),
  ),
});

/** `BatchReadInputSimplePublicObjectId`. */
export const batchReadSchema = z.object({
  inputs: z.array(z.object({ id: z.string() })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

/** `BatchInputSimplePublicObjectId` (archive). */
export const batchArchiveSchema = z.object({ inputs: z.array(z.object({ id: z.string() })) });

/** `PublicGdprDeleteInput`. */
export const gdprDeleteSchema = z.object({ objectId: z.string(), idProperty: z.string().optional() });

const filterSchema = z.object({
  propertyName: z.string(),
  operator: z.enum([
    'EQ',
    'NEQ',
    'LT',
    'LTE',
    'GT',
    'GTE',
    'BETWEEN',
    'IN',
    'NOT_IN',
    'HAS_PROPERTY',
    'NOT_HAS_PROPERTY',
    'CONTAINS_TOKEN',
    'NOT_CONTAINS_TOKEN',
  ]),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  highValue: z.union([z.string(), z.number()]).optional(),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** One search filter. */
export type SearchFilter = z.infer<typeof filterSchema>;

/** `PublicObjectSearchRequest`; sorts may be property names or `{ propertyName, direction }`. */
export const searchSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z
    .array(
      z.union([
        z.string(),
        z.object({
          propertyName: z.string(),
          direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING'),
        }),
      ]),
    )
    .default([]),
  properties: z.array(z.string()).optional(),
  limit: z.coerce.number().int().min(0).default(10),
  after: z.union([z.string(), z.number()]).optional(),
  query: z.string().optional(),
});

/** `PropertyCreate`, the fields the emulator uses. */
export const propertyCreateSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  fieldType: z.string(),
  groupName: z.string(),
  description: z.string().optional(),
  hasUniqueValue: z.boolean().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  displayOrder: z.number().int().optional(),
  options: z
    .array(
      z.object({
        label: z.string(),
        value: z.string(),
        displayOrder: z.number().int().optional(),
        hidden: z.boolean().optional(),
      }),
    )
    .optional(),
});

/** Parses a body or throws HubSpot's 400 for malformed input, naming the offending fields. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  throw validationError(
    `Invalid input JSON: ${fields.join('; ')}`,
    result.error.issues.map((i) => ({ message: i.message, in: i.path.join('.') })),
  );
}
