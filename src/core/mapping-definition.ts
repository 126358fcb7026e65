import { z } from 'zod';
import { MAX_JSON_DEPTH, nestsAtMost } from './json-depth.ts';

/**
 * A transform turns one field value into another. Transforms run in order; each gets the previous
 * one's output. A transform that cannot handle its input throws TransformError (the record fails with
 * that reason, the rest of the run goes on). Every transform except `default` passes null/undefined
 * through; the parsing ones (date, number, boolean, email, phone) read a blank string as null, since an
 * empty cell is no value rather than a bad one. Implemented in src/core/transforms.ts.
 */
/** Largest constant a mapping may hold, as JSON text. */
export const MAX_CONSTANT_BYTES = 64 * 1024;

/** A constant (`value`, a `default`): JSON at most 64 levels deep and 64 KB, so storing it cannot blow up. */
const ConstantSchema = z.unknown().superRefine((v, ctx) => {
  if (!nestsAtMost(v)) {
    ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
  } else if ((JSON.stringify(v) ?? '').length > MAX_CONSTANT_BYTES) {
    ctx.addIssue({ code: 'custom', message: `larger than ${MAX_CONSTANT_BYTES / 1024} KB` });
  }
});

export const TransformSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('trim') }),
  z.strictObject({ type: z.literal('lower') }),
  z.strictObject({ type: z.literal('upper') }),
  /** Replace null/undefined/'' by a constant. */
  z.strictObject({ type: z.literal('default'), value: ConstantSchema }),
  /**
   * Parse a date (ISO string, Date, epoch ms, or `input` pattern such as 'dd.MM.yyyy') and format it as
   * `output`: a date-fns pattern ('dd.MM.yyyy', 'yyyy-MM-dd'), 'iso' (full ISO timestamp) or
   * 'epoch-ms' (HubSpot date properties: midnight UTC of the date in milliseconds). The date is the
   * calendar date in the server's time zone; impossible dates (31.02.2025) and 2-digit years fail.
   */
  z.strictObject({
    type: z.literal('date'),
    input: z.string().optional(),
    output: z.string().default('yyyy-MM-dd'),
  }),
  /** Parse a number; Swiss/German input like "1'234.50" or "1.234,50" with `decimal: ','`. */
  z.strictObject({ type: z.literal('number'), decimal: z.enum(['.', ',']).default('.') }),
  /**
   * Parse yes/no words (ja/nein, true/false, 1/0, oui/non, x…) into a boolean, case-insensitively. A
   * `true` or `false` list replaces that side's default words.
   */
  z.strictObject({
    type: z.literal('boolean'),
    true: z.array(z.string()).optional(),
    false: z.array(z.string()).optional(),
  }),
  /**
   * Look a value up in a table (numbers by their text form: 1 finds key '1'); unknown values take
   * `default`, fail with `value_not_mapped` when `strict`, and otherwise pass through.
   */
  z.strictObject({
    type: z.literal('valueMap'),
    map: z.record(z.string(), z.unknown()),
    default: z.unknown().optional(),
    strict: z.boolean().default(false),
  }),
  /** Split a string and keep part `index` (negative counts from the end; no such part gives null). */
  z.strictObject({ type: z.literal('split'), separator: z.string(), index: z.number().int().default(0) }),
  /** Trim and lower-case an e-mail address; fail with `invalid_email` when it is not one. */
  z.strictObject({ type: z.literal('email') }),
  /** Normalise a phone number to E.164; fail with `invalid_phone` when it is not one. */
  z.strictObject({ type: z.literal('phone'), defaultCountry: z.string().length(2).default('CH') }),
  /** Cut a string to at most `length` characters (code points: an emoji is never cut in half). */
  z.strictObject({ type: z.literal('truncate'), length: z.number().int().positive() }),
]);
export type Transform = z.infer<typeof TransformSchema>;
/** A transform as written in a mapping file: options with defaults may be left out. */
export type TransformInput = z.input<typeof TransformSchema>;
export const TRANSFORM_TYPES = TransformSchema.options.map((o) => o.shape.type.value);
export type TransformType = Transform['type'];

/**
 * One target field and where its value comes from: a source field path (`from`, through relations:
 * `current_address.city.zip`), a constant (`value`), a template over source fields
 * (`template: "{first_name} {last_name}"`) or a formula in the expression language
 * (`formula: "if(address_type = 0, company, last_name)"`). `target` may be a nested path
 * (`Customer.AddressData.Street`, `attributes.LASTNAME`).
 */
export const FieldMappingSchema = z
  .strictObject({
    target: z.string().min(1),
    from: z.string().min(1).optional(),
    value: ConstantSchema.optional(),
    template: z.string().optional(),
    formula: z.string().min(1).optional(),
    transform: z.array(TransformSchema).default([]),
    /** A record whose value for this field ends up empty fails with `required_field_missing`. */
    required: z.boolean().default(false),
  })
  .refine(
    (f) =>
      [f.from !== undefined, f.value !== undefined, f.template !== undefined, f.formula !== undefined].filter(
        Boolean,
      ).length === 1,
    { message: 'exactly one of from, value, template or formula is required' },
  );
export type FieldMapping = z.infer<typeof FieldMappingSchema>;
/** A field mapping as written in a mapping file: `transform` and `required` may be left out. */
export type FieldMappingInput = z.input<typeof FieldMappingSchema>;

/** Source-record columns that receive the sync marks (single-target write-back). */
export const WriteBackSchema = z.strictObject({
  externalId: z.string().optional(),
  lastSync: z.string().optional(),
  lastSuccess: z.string().optional(),
  status: z.string().optional(),
  remark: z.string().optional(),
});
export type WriteBack = z.infer<typeof WriteBackSchema>;

/**
 * One association of a mapped record: `from` is the source field holding the related record's source
 * key, `mapping` the mapping that syncs the related records, `object` their target object.
 * @example { object: 'companies', from: 'organisation_id', mapping: 'organisations-to-companies' }
 */
export const AssociationSettingSchema = z.strictObject({
  object: z.string().min(1),
  from: z.string().min(1),
  mapping: z.string().min(1),
});
export type AssociationSetting = z.infer<typeof AssociationSettingSchema>;

/** Which writes an assignment makes: create only, update only (linked or matched records), or both. */
export const SYNC_OPTIONS = ['insert', 'update', 'upsert'] as const;
export type SyncOption = (typeof SYNC_OPTIONS)[number];
/** Who assigns a record's identifier in the target: the business system (its key) or the target. */
export const IDENTIFIER_OWNERS = ['source', 'target'] as const;
export type IdentifierOwner = (typeof IDENTIFIER_OWNERS)[number];

/**
 * After a write, read the target record back by its id (`idProperty`, default `id`) and keep what the
 * target assigned (`property`, e.g. a customer number) on the sync link (`link.external_number`) and,
 * with `writeTo`, in that source column.
 */
export const ReadBackSchema = z.strictObject({
  property: z.string().min(1),
  idProperty: z.string().min(1).optional(),
  writeTo: z.string().min(1).optional(),
});
export type ReadBack = z.infer<typeof ReadBackSchema>;

/**
 * Before a record's first sync, look for an existing target record whose `property` (e.g. `email`)
 * equals the mapped field `source` (a target field name of `fields`, default `property`) and adopt its
 * id instead of creating a duplicate. Values compare trimmed and case-insensitively.
 */
export const InitialMatchingSchema = z.strictObject({
  property: z.string().min(1),
  source: z.string().min(1).optional(),
});
export type InitialMatching = z.infer<typeof InitialMatchingSchema>;

/** Options every assignment has; absent means `upsert`, identifier by the `target`, no read-back or matching. */
const assignmentOptions = {
  sync: z.enum(SYNC_OPTIONS).optional(),
  identifier: z.enum(IDENTIFIER_OWNERS).optional(),
  readBack: ReadBackSchema.optional(),
  initialMatching: InitialMatchingSchema.optional(),
};

/**
 * A further assignment of a mapping, run after the mapping's own (top-level) one, in order. What it
 * leaves out (source connection, object and key, target connection, match key) it takes from the mapping.
 * @example { name: 'opted-in → list B', target: { object: 'contacts' }, filter: 'opt_in = true', fields: [...] }
 */
export const AssignmentSchema = z.strictObject({
  name: z.string().optional(),
  source: z
    .strictObject({
      connectionId: z.string().min(1).optional(),
      object: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      modifiedField: z.string().optional(),
    })
    .optional(),
  target: z
    .strictObject({ connectionId: z.string().min(1).optional(), object: z.string().min(1).optional() })
    .optional(),
  matchKey: z.strictObject({ target: z.string().min(1), source: z.string().min(1).optional() }).optional(),
  fields: z.array(FieldMappingSchema).min(1),
  filter: z.string().optional(),
  writeBack: WriteBackSchema.optional(),
  ...assignmentOptions,
});
export type Assignment = z.infer<typeof AssignmentSchema>;
export type AssignmentInput = z.input<typeof AssignmentSchema>;

export const MappingDefinitionSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
  name: z.string().min(1),
  source: z.strictObject({
    connectionId: z.string().min(1),
    object: z.string().min(1),
    /** The field that identifies a source record for good (primary key). */
    key: z.string().min(1),
    /** A timestamp field that changes on every change; enables incremental reads. */
    modifiedField: z.string().optional(),
  }),
  target: z.strictObject({ connectionId: z.string().min(1), object: z.string().min(1) }),
  /**
   * How a record is found in the target when Junction has no link yet: the target's unique property
   * (`target`, e.g. `email`) and the mapped field that carries its value (`source`, a target field name
   * of `fields`; defaults to `target`).
   */
  matchKey: z.strictObject({ target: z.string().min(1), source: z.string().min(1).optional() }),
  fields: z.array(FieldMappingSchema).min(1),
  /** Expression that decides which source records are synced (see src/core/expression). */
  filter: z.string().optional(),
  /**
   * What happens in the target when the source record is deleted (found by a full run): nothing
   * (`ignore`), the target record is deleted (`propagate`) or archived/deactivated (`archive`).
   */
  deletes: z.enum(['propagate', 'archive', 'ignore']).default('ignore'),
  /**
   * What an ordinary deletion of a target record (not a privacy deletion) does: `unlink` cuts the link
   * and leaves the business record as it is; `recreate` writes the record again on the next run.
   */
  targetDeletes: z.enum(['unlink', 'recreate']).default('unlink'),
  writeBack: WriteBackSchema.optional(),
  /**
   * What a deletion request (a GDPR deletion in a connected system) does to the records this mapping
   * links: `delete` them, or `anonymise` them (blank every mapped field, in the source the `from`
   * fields, in the target the mapped target fields). Absent: anonymise.
   */
  privacy: z.enum(['delete', 'anonymise']).optional(),
  /** Associations the target gets once both records exist there (HubSpot contact ↔ company). */
  associations: z.array(AssociationSettingSchema).optional(),
  ...assignmentOptions,
  /**
   * Further assignments, run in order after the mapping's own one (source/target/fields/filter above),
   * each with its own source object, target object, filter, fields and options.
   */
  assignments: z.array(AssignmentSchema).optional(),
});
export type MappingDefinition = z.infer<typeof MappingDefinitionSchema>;
export type MappingDefinitionInput = z.input<typeof MappingDefinitionSchema>;
