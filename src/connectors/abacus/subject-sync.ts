/**
 * One person in Abacus is a subject with its address history and its communications. These functions
 * find a subject by a match property, create one with its children, and bring an existing one up to
 * date with as few writes as possible.
 */
import { type AbacusClient, odataString } from './client.ts';
import {
  type Address,
  type AddressPayload,
  AddressSchema,
  type Communication,
  CommunicationSchema,
  type Subject,
  type SubjectPayload,
  SubjectSchema,
} from './schemas.ts';

const EXPAND = { $expand: 'Addresses,Communications' };
const ADDRESS_FIELDS = ['Street', 'HouseNumber', 'PostCode', 'City', 'CountryId'] as const;
const CHANNELS = [
  { field: 'EMail', type: 'EMail' },
  { field: 'Phone', type: 'Phone' },
] as const;
const PAYLOAD_ONLY = new Set(['Address', 'EMail', 'Phone', 'Reference']);

/** A record the connector refuses before sending (missing Name, unusable match property). */
export class InvalidRecordError extends Error {}

/** More than one subject carries the match value; writing to either would be a guess. */
export class AmbiguousMatchError extends Error {}

/** Today in Switzerland: the first day a new address is valid. */
export function swissToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Zurich' }).format(now);
}

// E-mail addresses are compared and stored trimmed and in lower case: `$filter` eq is case-sensitive.
const normEmail = (v: string) => v.trim().toLowerCase();

/** The subject whose `property` equals `value`, with its children; null when there is none. */
export async function findSubject(
  client: AbacusClient,
  referenceField: string,
  property: string,
  value: string,
): Promise<Subject | null> {
  if (property === 'Id') {
    if (!/^\d+$/.test(value)) throw new InvalidRecordError(`'${value}' is not a subject Id`);
    return client.get('Subjects', value, SubjectSchema, EXPAND);
  }
  if (property === 'EMail') {
    const comms = await client.list('Communications', {
      $filter: `Type eq 'EMail' and Value eq ${odataString(normEmail(value))}`,
      $select: 'Id,SubjectId',
      $top: '50',
    });
    const ids = [...new Set(comms.value.map((c) => Number(c.SubjectId)).filter(Number.isFinite))];
    if (ids.length > 1)
      throw new AmbiguousMatchError(`subjects ${ids.join(', ')} all have the e-mail address ${value}`);
    return ids[0] === undefined ? null : client.get('Subjects', ids[0], SubjectSchema, EXPAND);
  }
  const path = property === 'Reference' ? `UserFields/${referenceField}` : property;
  if (!/^[A-Za-z][A-Za-z0-9_]*(\/[A-Za-z][A-Za-z0-9_]*)?$/.test(path))
    throw new InvalidRecordError(`'${property}' cannot be matched on`);
  // Abacus serves filters on indexed columns; a user field must be indexed for this to stay fast.
  const page = await client.list('Subjects', {
    $filter: `${path} eq ${odataString(value)}`,
    ...EXPAND,
    $top: '2',
  });
  if (page.value.length > 1)
    throw new AmbiguousMatchError(`more than one subject has ${property} = ${value}`);
  const first = page.value[0];
  return first ? SubjectSchema.parse(first) : null;
}

/** The subject properties a payload sets (without address, communications and the reference). */
function subjectBody(
  payload: SubjectPayload,
  referenceField: string,
  reference: string | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (PAYLOAD_ONLY.has(k) || v === undefined) continue;
    body[k] = v;
  }
  if (reference !== undefined) body.UserFields = { [referenceField]: reference };
  return body;
}

function hasAddress(a: AddressPayload | null | undefined): a is AddressPayload {
  return !!a && ADDRESS_FIELDS.some((f) => a[f]);
}

function addressBody(
  subjectId: number,
  a: AddressPayload,
  base: Partial<Address> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { SubjectId: subjectId, ValidFrom: swissToday() };
  for (const f of ADDRESS_FIELDS) {
    const v = a[f] ?? base[f] ?? undefined;
    if (v !== undefined && v !== null) out[f] = v;
  }
  return out;
}

/**
 * Creates the subject, then its address and communications. The reference travels in the subject's
 * own POST, so a replay after a crash anywhere after that POST finds the subject by reference and only
 * adds what is missing. Matching by e-mail has a window the reference closes: the e-mail is a second
 * POST, so a crash between the two leaves a subject the replay cannot find (use `Reference`).
 */
export async function createSubject(
  client: AbacusClient,
  referenceField: string,
  payload: SubjectPayload,
  reference: string | undefined,
): Promise<number> {
  if (!payload.Name) throw new InvalidRecordError('Name is required to create a subject');
  const created = await client.create(
    'Subjects',
    subjectBody(payload, referenceField, reference),
    SubjectSchema,
  );
  const id = created.Id;
  try {
    if (hasAddress(payload.Address))
      await client.create('Addresses', addressBody(id, payload.Address), AddressSchema);
    for (const ch of CHANNELS) {
      const value = payload[ch.field];
      if (!value) continue;
      await client.create(
        'Communications',
        {
          SubjectId: id,
          Type: ch.type,
          Value: ch.type === 'EMail' ? normEmail(value) : value,
          Category: 'Private',
        },
        CommunicationSchema,
      );
    }
  } catch (err) {
    // The subject exists now; say so, so that whoever reads the error log can find it.
    if (err instanceof Error) err.message = `subject ${id} was created, but ${err.message}`;
    throw err;
  }
  return id;
}

function currentAddress(addresses: Address[]): Address | undefined {
  const today = swissToday();
  const valid = addresses.filter((a) => (a.ValidFrom ?? '') <= today);
  const pool = valid.length ? valid : addresses;
  return pool.reduce<Address | undefined>(
    (best, a) => (!best || (a.ValidFrom ?? '') > (best.ValidFrom ?? '') ? a : best),
    undefined,
  );
}

function sameText(a: unknown, b: unknown): boolean {
  return String(a ?? '') === String(b ?? '');
}

/**
 * Brings an existing subject in line with the payload: PATCHes changed subject properties; a changed
 * address becomes a new address valid from today (Abacus keeps the history), or corrects today's one;
 * adds missing communications and corrects changed ones. Fields the payload leaves out stay as they are.
 * Answers the number of writes made.
 */
export async function syncSubject(
  client: AbacusClient,
  referenceField: string,
  subject: Subject,
  payload: SubjectPayload,
  reference: string | undefined,
): Promise<number> {
  let writes = 0;
  const id = subject.Id;
  const wanted = subjectBody(payload, referenceField, reference);
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (k === 'UserFields') {
      const have = subject.UserFields?.[referenceField];
      if (!sameText(have, reference)) changed.UserFields = v;
    } else if (!sameText(subject[k], v)) changed[k] = v;
  }
  if (Object.keys(changed).length) {
    await client.patch('Subjects', id, changed);
    writes++;
  }

  if (hasAddress(payload.Address)) {
    const addr = payload.Address;
    const current = currentAddress(subject.Addresses ?? []);
    const differs =
      !current || ADDRESS_FIELDS.some((f) => addr[f] !== undefined && !sameText(current[f], addr[f]));
    if (differs) {
      if (current && current.ValidFrom === swissToday()) {
        const fix: Record<string, unknown> = {};
        for (const f of ADDRESS_FIELDS)
          if (addr[f] !== undefined && !sameText(current[f], addr[f])) fix[f] = addr[f];
        await client.patch('Addresses', current.Id, fix);
      } else await client.create('Addresses', addressBody(id, addr, current), AddressSchema);
      writes++;
    }
  }

  const comms: Communication[] = subject.Communications ?? [];
  for (const ch of CHANNELS) {
    const raw = payload[ch.field];
    if (!raw) continue; // an empty value leaves Abacus' entry alone: the ERP may know better
    const value = ch.type === 'EMail' ? normEmail(raw) : raw;
    const ofType = comms.filter((c) => c.Type === ch.type);
    const existing = ofType.find((c) => c.Standard) ?? ofType[0];
    if (!existing) {
      await client.create(
        'Communications',
        { SubjectId: id, Type: ch.type, Value: value, Category: 'Private' },
        CommunicationSchema,
      );
      writes++;
    } else if (!sameText(existing.Value, value)) {
      await client.patch('Communications', existing.Id, { Value: value });
      writes++;
    }
  }
  return writes;
}
