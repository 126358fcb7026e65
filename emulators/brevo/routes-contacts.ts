/** `/v3/contacts`: list, read, create (with `updateEnabled`), update, batch update and delete contacts. */
import type { FastifyPluginAsync } from 'fastify';
import {
  BrevoHttpError,
  duplicateParameter,
  invalidParameter,
  missingParameter,
  notFound,
} from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { BrevoState, ContactChanges, StoredContact } from './store.ts';
import {
  batchUpdateSchema,
  checkEmail,
  contactChanges,
  createContactSchema,
  parseBody,
  updateContactSchema,
} from './validate.ts';

/** Largest page `GET /v3/contacts` serves. */
export const MAX_CONTACTS_LIMIT = 1000;

const IDENTIFIER_TYPES = [
  'email_id',
  'contact_id',
  'ext_id',
  'phone_id',
  'whatsapp_id',
  'landline_number_id',
] as const;

type Query = Record<string, string | undefined>;

/** A contact as `GET /v3/contacts` lists it; EXT_ID shows among the attributes, as in Brevo. */
export function toListContact(c: StoredContact): Record<string, unknown> {
  return {
    ...(c.email ? { email: c.email } : {}),
    id: c.id,
    emailBlacklisted: c.emailBlacklisted,
    smsBlacklisted: c.smsBlacklisted,
    createdAt: c.createdAt,
    modifiedAt: c.modifiedAt,
    listIds: [...c.listIds],
    listUnsubscribed: [],
    attributes: { ...c.attributes, ...(c.extId ? { EXT_ID: c.extId } : {}) },
  };
}

/** Finds a contact by path identifier; without `identifierType` a number is an id and anything else an address. */
export function resolveContact(
  state: BrevoState,
  identifier: string,
  type: string | undefined,
): StoredContact | undefined {
  if (type !== undefined && !(IDENTIFIER_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(`identifierType must be one of ${IDENTIFIER_TYPES.join(', ')}`);
  }
  const kind = type ?? (/^\d+$/.test(identifier) ? 'contact_id' : 'email_id');
  switch (kind) {
    case 'contact_id':
      return /^\d+$/.test(identifier) ? state.get(Number(identifier)) : undefined;
    case 'email_id':
      return state.findByEmail(identifier);
    case 'ext_id':
      return state.findByExtId(identifier);
    case 'phone_id':
      return state.list().find((c) => c.attributes.SMS === identifier);
    default:
      return undefined;
  }
}

/** A date-time query parameter (`modifiedSince`, `createdSince`) as epoch ms, or 400. */
export function dateParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw invalidParameter(`${name} is not a valid date-time (YYYY-MM-DDTHH:mm:ss.SSSZ)`);
  return at;
}

/** A non-negative integer query parameter with its default and maximum, or 400 / out_of_range. */
export function intParam(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalidParameter(`${name} must be a non-negative integer`);
  if (n > max) throw new BrevoHttpError(400, 'out_of_range', `${name} exceeds its maximum of ${max}`);
  return n;
}

/** Another contact already holds the new address or EXT_ID. */
function checkUnique(state: BrevoState, changes: ContactChanges, self?: StoredContact): void {
  const byEmail = changes.email === undefined ? undefined : state.findByEmail(changes.email);
  if (byEmail && byEmail !== self)
    throw duplicateParameter('Unable to update contact, email is already associated with another Contact');
  const byExt = changes.extId === undefined ? undefined : state.findByExtId(changes.extId);
  if (byExt && byExt !== self)
    throw duplicateParameter('Unable to update contact, ext_id is already associated with another Contact');
}

/** Fastify plugin with the contact routes, registered under `/v3/contacts`. */
export function contactRoutes(state: BrevoState, faults: FaultInjector): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async (request) => {
      const q = request.query as Query;
      const limit = intParam('limit', q.limit, 50, MAX_CONTACTS_LIMIT);
      const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER);
      const modifiedSince = dateParam('modifiedSince', q.modifiedSince);
      const createdSince = dateParam('createdSince', q.createdSince);
      if (q.sort !== undefined && q.sort !== 'asc' && q.sort !== 'desc')
        throw invalidParameter('sort must be asc or desc');
      // Brevo sorts by creation, newest first unless asked otherwise.
      let contacts = state.list();
      if (q.sort !== 'asc') contacts = contacts.reverse();
      contacts = contacts.filter(
        (c) =>
          (modifiedSince === undefined || Date.parse(c.modifiedAt) > modifiedSince) &&
          (createdSince === undefined || Date.parse(c.createdAt) > createdSince),
      );
      return { contacts: contacts.slice(offset, offset + limit).map(toListContact), count: contacts.length };
    });

    app.get('/:identifier', async (request) => {
      const { identifier } = request.params as { identifier: string };
      const contact = resolveContact(state, identifier, (request.query as Query).identifierType);
      if (!contact) throw notFound('Contact does not exist');
      return { ...toListContact(contact), statistics: {} };
    });

    app.post('/', async (request, reply) => {
      const body = parseBody(createContactSchema, request.body);
      const sms = body.attributes?.SMS ?? body.attributes?.sms;
      if (!body.email && !body.ext_id && !sms)
        throw missingParameter('email, ext_id or attributes.SMS is required');
      const changes = contactChanges(state, faults, body);
      const byEmail = changes.email === undefined ? undefined : state.findByEmail(changes.email);
      const byExt = changes.extId === undefined ? undefined : state.findByExtId(changes.extId);
      if (byEmail && byExt && byEmail !== byExt) {
        throw duplicateParameter('Unable to create contact, email and ext_id belong to different contacts');
      }
      const existing = byEmail ?? byExt;
      if (existing) {
        if (!body.updateEnabled)
          throw duplicateParameter(
            'Unable to create contact, email is already associated with another Contact',
          );
        state.update(existing, changes);
        return reply.code(204).send();
      }
      return reply.code(201).send({ id: state.create(changes).id });
    });

    app.put('/:identifier', async (request, reply) => {
      const { identifier } = request.params as { identifier: string };
      const contact = resolveContact(state, identifier, (request.query as Query).identifierType);
      const body = parseBody(updateContactSchema, request.body);
      if (!contact) throw notFound('Contact does not exist');
      const changes = contactChanges(state, faults, body);
      if (changes.email === undefined && contact.email) checkEmail(contact.email, faults);
      checkUnique(state, changes, contact);
      state.update(contact, changes);
      return reply.code(204).send();
    });

    // All or nothing: every entry is checked before any is applied.
    app.post('/batch', async (request, reply) => {
      const body = parseBody(batchUpdateSchema, request.body);
      const planned = body.contacts.map((entry, i) => {
        const named = [entry.email, entry.id, entry.sms].filter((v) => v !== undefined);
        if (named.length !== 1)
          throw invalidParameter(`contacts[${i}] must be identified by exactly one of email, id or sms`);
        const contact =
          entry.id !== undefined
            ? state.get(entry.id)
            : entry.email !== undefined
              ? state.findByEmail(entry.email)
              : resolveContact(state, entry.sms ?? '', 'phone_id');
        if (!contact) throw notFound(`contacts[${i}]: Contact does not exist`);
        const changes = contactChanges(state, faults, { ...entry, email: undefined });
        checkUnique(state, changes, contact);
        return { contact, changes };
      });
      for (const { contact, changes } of planned) state.update(contact, changes);
      return reply.code(204).send();
    });

    app.delete('/:identifier', async (request, reply) => {
      const { identifier } = request.params as { identifier: string };
      const contact = resolveContact(state, identifier, (request.query as Query).identifierType);
      if (!contact) throw notFound('Contact does not exist');
      state.delete(contact.id);
      return reply.code(204).send();
    });
  };
}
