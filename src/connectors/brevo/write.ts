import { AuthenticationError, CancelledError, RemoteError } from '../../core/errors.ts';
import type { WriteOp, WriteResult } from '../connector.ts';
import { BrevoApiError, type BrevoClient } from './client.ts';

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

function failure(ref: string, code: string, message: string, retryable: boolean): WriteResult {
  return { ref, ok: false, code, message, retryable };
}

const ok = (ref: string, id: number | string, created: boolean): WriteResult => ({
  ref,
  ok: true,
  externalId: String(id),
  created,
});

/** `POST /contacts` takes no `unlinkListIds`: a new contact is in no list to leave. */
function toCreateBody(body: ContactBody): Record<string, unknown> {
  const { unlinkListIds: _unused, ...rest } = body;
  return rest;
}

/** Finds the id of a contact Brevo just updated (a 204 carries no body). */
async function idOf(
  client: BrevoClient,
  ref: string,
  identifier: string,
  type: 'email_id' | 'ext_id',
): Promise<WriteResult> {
  const contact = await client.getContact(identifier, type);
  if (!contact)
    return failure(
      ref,
      'brevo_no_id',
      `Brevo updated the contact ${identifier} but then did not find it`,
      true,
    );
  return ok(ref, contact.id, false);
}

/** Create-or-update by e-mail in one call (`updateEnabled`), so a replay never makes a second contact. */
async function upsertByEmail(
  client: BrevoClient,
  ref: string,
  email: string,
  body: ContactBody,
): Promise<WriteResult> {
  const answer = await client.createContact({ ...toCreateBody(body), email, updateEnabled: true });
  return answer.created ? ok(ref, answer.id, true) : idOf(client, ref, email, 'email_id');
}

/** Update by EXT_ID, or create when Brevo has no such contact yet. */
async function upsertByExtId(
  client: BrevoClient,
  ref: string,
  extId: string,
  body: ContactBody,
): Promise<WriteResult> {
  try {
    await client.updateContact(extId, 'ext_id', toUpdateBody({ ...body, ext_id: extId }));
    return await idOf(client, ref, extId, 'ext_id');
  } catch (err) {
    if (!(err instanceof BrevoApiError && err.status === 404)) throw err;
  }
  // `updateEnabled` lets a contact that already has the e-mail (but no EXT_ID yet) take the EXT_ID.
  const answer = await client.createContact({ ...toCreateBody(body), ext_id: extId, updateEnabled: true });
  return answer.created ? ok(ref, answer.id, true) : idOf(client, ref, extId, 'ext_id');
}

async function writeOne(client: BrevoClient, op: WriteOp): Promise<WriteResult> {
  switch (op.kind) {
    case 'upsert': {
      const body = toContactBody(op.properties);
      if (op.match.property === 'email') return upsertByEmail(client, op.ref, op.match.value, body);
      if (op.match.property === 'ext_id') return upsertByExtId(client, op.ref, op.match.value, body);
      return failure(
        op.ref,
        'brevo_unsupported_match',
        `Brevo contacts can be matched by email or ext_id, not by '${op.match.property}'`,
        false,
      );
    }
    case 'update':
      await client.updateContact(op.externalId, 'contact_id', toUpdateBody(toContactBody(op.properties)));
      return ok(op.ref, op.externalId, false);
    case 'delete':
      // Already gone counts as done: deletes are replayed after a crash.
      await client.deleteContact(op.externalId, 'contact_id');
      return ok(op.ref, op.externalId, false);
    case 'archive':
      // Brevo has no archive: a blocklisted contact stays, with its history, but gets no more e-mail.
      await client.updateContact(op.externalId, 'contact_id', { emailBlacklisted: true });
      return ok(op.ref, op.externalId, false);
  }
}

/**
 * Writes a batch of ops, one Brevo call (or two) per op, all in parallel; the rate limiter paces them.
 * Brevo has no batch create-or-update: `POST /contacts/batch` only updates existing contacts and answers
 * all-or-nothing without per-contact results, so one bad record would fail its neighbours.
 */
export async function writeBrevo(client: BrevoClient, ops: WriteOp[]): Promise<WriteResult[]> {
  return Promise.all(
    ops.map(async (op) => {
      try {
        return await writeOne(client, op);
      } catch (err) {
        if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
        if (err instanceof RemoteError) return failure(op.ref, err.code, err.message, err.retryable);
        return failure(op.ref, 'brevo_error', (err as Error).message, true);
      }
    }),
  );
}
