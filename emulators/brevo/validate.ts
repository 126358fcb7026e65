/** Request bodies of the contact routes, and the checks Brevo makes before it stores anything. */
import { z } from 'zod';
import { invalidParameter } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { BrevoState, ContactChanges } from './store.ts';

const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
const attributes = z.record(z.string(), attributeValue);
const ids = z.array(z.number().int().positive());

/** `POST /v3/contacts`. */
export const createContactSchema = z.object({
  email: z.string().optional(),
  ext_id: z.string().optional(),
  attributes: attributes.optional(),
  emailBlacklisted: z.boolean().optional(),
  smsBlacklisted: z.boolean().optional(),
  listIds: ids.optional(),
  updateEnabled: z.boolean().optional(),
  smtpBlacklistSender: z.array(z.string()).optional(),
});
export type CreateContactBody = z.infer<typeof createContactSchema>;

/** `PUT /v3/contacts/{identifier}`: the address changes through `attributes.EMAIL`, not a top-level field. */
export const updateContactSchema = z.object({
  ext_id: z.string().optional(),
  attributes: attributes.optional(),
  emailBlacklisted: z.boolean().optional(),
  smsBlacklisted: z.boolean().optional(),
  listIds: ids.optional(),
  unlinkListIds: ids.optional(),
  smtpBlacklistSender: z.array(z.string()).optional(),
});
export type UpdateContactBody = z.infer<typeof updateContactSchema>;

/** `POST /v3/contacts/batch`: each entry names its contact by exactly one of email, id or sms. */
export const batchUpdateSchema = z.object({
  contacts: z.array(
    updateContactSchema.extend({
      email: z.string().optional(),
      id: z.number().int().positive().optional(),
      sms: z.string().optional(),
    }),
  ),
});

/** `POST /v3/contacts/lists`. */
export const createListSchema = z.object({ name: z.string().min(1), folderId: z.number().int().positive() });

/** `POST /v3/contacts/lists/{id}/contacts/add|remove`. */
export const listMembersSchema = z.object({
  emails: z.array(z.string()).optional(),
  ids: ids.optional(),
  extIds: z.array(z.string()).optional(),
  all: z.boolean().optional(),
});

/** Parses a body or answers 400 invalid_parameter naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  throw invalidParameter(`${path} is not valid: ${issue?.message ?? 'invalid input'}`);
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Whether Brevo would take this as an e-mail address (and the fault rules do not reject it). */
export function checkEmail(email: string, faults: FaultInjector): void {
  if (!EMAIL.test(email.trim()) || faults.rejectsEmail(email))
    throw invalidParameter(`Invalid email address: ${email}`);
}

/** A value as the attribute's type stores it; undefined when it does not fit (Brevo then ignores it). */
export function coerceAttribute(
  state: BrevoState,
  name: string,
  value: string | number | boolean | string[],
): string | number | boolean | undefined {
  const def = state.attribute(name);
  switch (def?.type) {
    case 'float':
      return typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
          ? Number(value)
          : undefined;
    case 'boolean':
      return typeof value === 'boolean'
        ? value
        : value === 'true'
          ? true
          : value === 'false'
            ? false
            : undefined;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
        ? value.slice(0, 10)
        : undefined;
    case 'category': {
      const option = def.enumeration?.find((o) => o.value === Number(value) || o.label === value);
      return option?.value;
    }
    default:
      return Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : String(value);
  }
}

/**
 * Turns a create/update body into store changes: checks the address, the attributes (they must exist
 * in the account) and the list ids. `EMAIL` and `EXT_ID` among the attributes change the identifiers.
 */
export function contactChanges(
  state: BrevoState,
  faults: FaultInjector,
  body: UpdateContactBody & { email?: string | undefined },
): ContactChanges {
  const changes: ContactChanges = {};
  const attrs: Record<string, string | number | boolean | null> = {};
  let email = body.email;
  let extId = body.ext_id;
  for (const [rawName, value] of Object.entries(body.attributes ?? {})) {
    const name = rawName.toUpperCase();
    if (name === 'EMAIL' && typeof value === 'string') email = value;
    else if (name === 'EXT_ID' && (typeof value === 'string' || typeof value === 'number'))
      extId = String(value);
    else if (!state.attribute(name)) throw invalidParameter(`Attribute ${rawName} does not exist`);
    else if (value === null) attrs[name] = null;
    else {
      const coerced = coerceAttribute(state, name, value);
      if (coerced !== undefined) attrs[name] = coerced;
    }
  }
  if (email !== undefined) {
    checkEmail(email, faults);
    changes.email = email.trim();
  }
  if (extId !== undefined) changes.extId = extId;
  for (const id of [...(body.listIds ?? []), ...(body.unlinkListIds ?? [])]) {
    if (!state.getList(id)) throw invalidParameter(`Invalid list id: ${id}`);
  }
  if (body.listIds) changes.listIds = body.listIds;
  if (body.unlinkListIds) changes.unlinkListIds = body.unlinkListIds;
  if (body.emailBlacklisted !== undefined) changes.emailBlacklisted = body.emailBlacklisted;
  if (body.smsBlacklisted !== undefined) changes.smsBlacklisted = body.smsBlacklisted;
  if (Object.keys(attrs).length) changes.attributes = attrs;
  return changes;
}
