import type { WriteResult } from '../connector.ts';

/** Contact fields Brevo takes at the top level of a body; everything else is an attribute. */
const TOP_LEVEL = new Set([
  'email',
  'ext_id',
  'listIds',
  'unlinkListIds',
  'emailBlacklisted',
  'smsBlacklisted',
]);

/** A Brevo contact body made from the engine's mapped payload. */
export interface ContactBody {
  email?: string;
  ext_id?: string;
  listIds?: number[];
  unlinkListIds?: number[];
  emailBlacklisted?: boolean;
  smsBlacklisted?: boolean;
  attributes: Record<string, unknown>;
}

function listIds(value: unknown): number[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,;\s]+/) : [value];
  return items
    .filter((v) => v !== '' && v !== null && v !== undefined)
    .map(Number)
    .filter(Number.isInteger);
}

/**
 * Splits a mapped payload (`{ email, ext_id?, listIds?, attributes: { FIRSTNAME, … } }`) into a Brevo body.
 * Flat `attributes.X` keys and unknown top-level keys count as attributes too; Brevo names them in upper case.
 */
export function toContactBody(properties: Record<string, unknown>): ContactBody {
  const body: ContactBody = { attributes: {} };
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (key === 'attributes' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, v] of Object.entries(value))
        if (v !== undefined) body.attributes[name.toUpperCase()] = v;
    } else if (key.startsWith('attributes.')) {
      body.attributes[key.slice('attributes.'.length).toUpperCase()] = value;
    } else if (key === 'listIds' || key === 'unlinkListIds') {
      body[key] = listIds(value);
    } else if (key === 'emailBlacklisted' || key === 'smsBlacklisted') {
      body[key] = value === true || value === 'true' || value === 1;
    } else if (key === 'email' || key === 'ext_id') {
      if (value !== null && value !== '') body[key] = String(value);
    } else if (!TOP_LEVEL.has(key) && key !== 'id') {
      body.attributes[key.toUpperCase()] = value;
    }
  }
  return body;
}

/** `PUT /contacts/{identifier}` has no top-level e-mail: a new address goes in as the EMAIL attribute. */
export function toUpdateBody(body: ContactBody): Record<string, unknown> {
  const { email, ...rest } = body;
  return email === undefined ? rest : { ...rest, attributes: { ...rest.attributes, EMAIL: email } };
}

/** A failed result. */
export function failure(
  ref: string,
  code: string,
  message: string,
  retryable: boolean,
): Extract<WriteResult, { ok: false }> {
  return { ref, ok: false, code, message, retryable };
}

/** A successful result. */
export const ok = (ref: string, id: number | string, created: boolean): WriteResult => ({
  ref,
  ok: true,
  externalId: String(id),
  created,
});

/** `POST /contacts` takes no `unlinkListIds`: a new contact is in no list to leave. */
export function toCreateBody(body: ContactBody): Record<string, unknown> {
  const { unlinkListIds: _unused, ...rest } = body;
  return rest;
}
