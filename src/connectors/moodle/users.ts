import type { LookupHit, WriteOp, WriteResult } from '../connector.ts';
import { type BatchItem, failure, failuresOf, isResult, splitOnRefusal, success } from './batch.ts';
import type { MoodleClient, MoodleParam } from './client.ts';
import {
  MoodleCreatedUsersSchema,
  type MoodleUser,
  MoodleUsersSchema,
  MoodleWarningsSchema,
} from './schemas.ts';

/** The fields `core_user_get_users_by_field` searches (and so the properties users are matched by). */
export const USER_MATCH_FIELDS = ['idnumber', 'email', 'username', 'id'] as const;
type MatchField = (typeof USER_MATCH_FIELDS)[number];

/** Text fields `core_user_create_users` and `core_user_update_users` take. */
const TEXT_FIELDS = new Set([
  'username',
  'auth',
  'password',
  'firstname',
  'lastname',
  'email',
  'idnumber',
  'city',
  'country',
  'timezone',
  'description',
  'institution',
  'department',
  'phone1',
  'phone2',
  'address',
  'lang',
  'calendartype',
  'theme',
  'interests',
  'middlename',
  'alternatename',
  'firstnamephonetic',
  'lastnamephonetic',
]);
const NUMBER_FIELDS = new Set(['maildisplay', 'mailformat']);
// Auth plugins whose passwords live outside Moodle: a user of theirs is created without a password.
const EXTERNAL_AUTHS = new Set(['cas', 'db', 'ldap', 'lti', 'oauth2', 'shibboleth', 'nologin']);
const REQUIRED_ON_CREATE = ['username', 'firstname', 'lastname', 'email'] as const;

/** PARAM_USERNAME: Moodle refuses a username that cleaning would change, so it is cleaned here. */
export function cleanUsername(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^-.@_a-z0-9]/g, '');
}

/** A match value as Moodle's parameter cleaning leaves it (a changed value refuses the whole call). */
function cleanMatchValue(field: MatchField, value: string): string {
  if (field === 'username') return cleanUsername(value);
  return field === 'email' || field === 'id' ? value.trim() : value;
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'true';

/** A user record as Junction shows it (lookups, read-back): Moodle's fields, custom fields flattened. */
export function userRecord(u: MoodleUser): Record<string, unknown> {
  const { customfields, preferences: _p, profileimageurl: _a, profileimageurlsmall: _b, ...rest } = u;
  const out: Record<string, unknown> = { ...rest, idnumber: u.idnumber ?? '', email: u.email ?? '' };
  for (const f of customfields ?? []) out[`customfields.${f.shortname}`] = f.value;
  return out;
}

type UserParams = Record<string, MoodleParam>;

/**
 * The `users[n]` structure of a mapped payload: Moodle's field names, `suspended` as 0/1, `customfields.X`
 * (or a `customfields` object) as profile fields. Unknown names are returned, not sent: Moodle would refuse
 * the whole batch for one unexpected key.
 */
export function toUserParams(properties: Record<string, unknown>): { params: UserParams; unknown: string[] } {
  const params: UserParams = {};
  const custom: { type: string; value: string }[] = [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined || key === 'id') continue;
    const text = value === null ? '' : String(value);
    if (key === 'username') params.username = cleanUsername(text);
    else if (key === 'email') params.email = text.trim();
    else if (TEXT_FIELDS.has(key)) params[key] = text;
    else if (NUMBER_FIELDS.has(key)) params[key] = Number(value);
    else if (key === 'suspended') params.suspended = truthy(value) ? 1 : 0;
    else if (key.startsWith('customfields.')) custom.push({ type: key.slice(13), value: text });
    else if (key === 'customfields' && value !== null && typeof value === 'object')
      for (const [type, v] of Object.entries(value)) custom.push({ type, value: v == null ? '' : String(v) });
    else unknown.push(key);
  }
  if (custom.length) params.customfields = custom;
  return { params, unknown };
}

/** Users by a searchable field, 100 values a call. */
export async function usersBy(
  client: MoodleClient,
  field: MatchField,
  values: string[],
): Promise<MoodleUser[]> {
  const wanted = [...new Set(values.map((v) => cleanMatchValue(field, v)).filter((v) => v !== ''))];
  const out: MoodleUser[] = [];
  for (let i = 0; i < wanted.length; i += 100)
    out.push(
      ...(await client.call(
        'core_user_get_users_by_field',
        { field, values: wanted.slice(i, i + 100) },
        MoodleUsersSchema,
      )),
    );
  return out;
}

/** Initial matching and read-back: users whose `property` is one of `values`. */
export async function lookupUsers(
  client: MoodleClient,
  property: string,
  values: string[],
): Promise<LookupHit[]> {
  if (!(USER_MATCH_FIELDS as readonly string[]).includes(property))
    throw new Error(`Moodle users can be looked up by ${USER_MATCH_FIELDS.join(', ')}, not by '${property}'`);
  const users = await usersBy(client, property as MatchField, values);
  return users.map((u) => ({
    value: String(u[property as MatchField] ?? ''),
    id: String(u.id),
    properties: userRecord(u),
  }));
}

interface Update {
  id: number;
  created: boolean;
  /** Fields whose refusal Moodle does not report: checked on the user afterwards. */
  expect: { email?: string; suspended?: boolean };
}

/** Creates users in batches; a refused batch is split until the refused users stand alone. */
async function createUsers(client: MoodleClient, items: BatchItem<null>[]): Promise<WriteResult[]> {
  const done = await splitOnRefusal(items, (chunk) =>
    client.call(
      'core_user_create_users',
      { users: chunk.map((c) => c.params) },
      MoodleCreatedUsersSchema,
      // A create sent twice makes a second user (or fails on the first one's username): never resent blindly.
      { idempotent: false },
    ),
  );
  return items.map((item) => {
    const r = done.get(item.ref);
    if (!r) return failure(item.ref, 'no_result', 'Moodle returned no result for this user', true);
    return isResult(r) ? r : success(item.ref, r.result.id, true);
  });
}

/**
 * Updates users in batches, then reads them back: `core_user_update_users` skips users that do not exist
 * and e-mail changes it refuses (invalid, or another user's) without a word, so only the users found with
 * what was sent count as written.
 */
async function updateUsers(client: MoodleClient, items: BatchItem<Update>[]): Promise<WriteResult[]> {
  const done = await splitOnRefusal(items, async (chunk) => {
    const warnings = await client.call(
      'core_user_update_users',
      { users: chunk.map((c) => ({ ...c.params, id: c.meta.id })) },
      MoodleWarningsSchema,
    );
    return chunk.map((c) => warnings.find((w) => w.itemid === c.meta.id) ?? null);
  });
  const written = items.filter((i) => {
    const r = done.get(i.ref);
    return r && !isResult(r) && r.result === null;
  });
  let found = new Map<number, MoodleUser>();
  try {
    const users = await usersBy(
      client,
      'id',
      written.map((i) => String(i.meta.id)),
    );
    found = new Map(users.map((u) => [u.id, u]));
  } catch (err) {
    const failed = new Map(
      failuresOf(
        written.map((i) => i.ref),
        err,
      ).map((f) => [f.ref, f]),
    );
    return items.map((i) => failed.get(i.ref) ?? resultOf(i, done.get(i.ref), found));
  }
  return items.map((i) => resultOf(i, done.get(i.ref), found));
}

function resultOf(
  item: BatchItem<Update>,
  r: { item: BatchItem<Update>; result: unknown } | WriteResult | undefined,
  found: Map<number, MoodleUser>,
): WriteResult {
  if (!r) return failure(item.ref, 'no_result', 'Moodle returned no result for this user', true);
  if (isResult(r)) return r;
  const warning = r.result as { warningcode?: string; message?: string } | null;
  if (warning)
    return failure(
      item.ref,
      `moodle_${warning.warningcode ?? 'warning'}`,
      warning.message ?? 'refused',
      false,
    );
  const user = found.get(item.meta.id);
  if (!user)
    return failure(item.ref, 'moodle_user_not_found', `Moodle has no user ${item.meta.id} (deleted?)`, false);
  const { email, suspended } = item.meta.expect;
  if (email !== undefined && (user.email ?? '') !== email)
    return failure(
      item.ref,
      'moodle_email_refused',
      `Moodle kept ${user.email ?? 'no e-mail'} instead of ${email}: the address is invalid or another user has it`,
      false,
    );
  if (suspended !== undefined && user.suspended !== undefined && user.suspended !== suspended)
    return failure(
      item.ref,
      'moodle_not_suspended',
      `Moodle did not change the suspension of user ${user.id}`,
      true,
    );
  return success(item.ref, user.id, item.meta.created);
}

/** Deletes users in batches; a user already gone (replayed delete) counts as deleted. */
async function deleteUsers(client: MoodleClient, items: BatchItem<number>[]): Promise<WriteResult[]> {
  const done = await splitOnRefusal(
    items,
    (chunk) =>
      client
        .call('core_user_delete_users', { userids: chunk.map((c) => c.meta) }, MoodleWarningsSchema)
        .then(() => chunk.map(() => null)),
    (item, err) =>
      err.body.errorcode === 'invalidrecord'
        ? success(item.ref, item.meta, false)
        : failure(item.ref, err.code, err.message, err.retryable),
  );
  return items.map((item) => {
    const r = done.get(item.ref);
    if (!r) return failure(item.ref, 'no_result', 'Moodle returned no result for this user', true);
    return isResult(r) ? r : success(item.ref, item.meta, false);
  });
}

function expectOf(params: UserParams): Update['expect'] {
  const expect: Update['expect'] = {};
  if (typeof params.email === 'string') expect.email = params.email;
  if (params.suspended !== undefined) expect.suspended = params.suspended === 1;
  return expect;
}

/**
 * Writes users: upserts find their user by `idnumber`, `email` or `username` (one lookup per batch) and
 * update it, or create it (`username` defaults to the e-mail, lower-cased; without a password Moodle makes
 * one and mails it); updates by id; `archive` suspends; `delete` deletes. One result per op, in order.
 */
export async function writeUsers(client: MoodleClient, ops: WriteOp[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const creates: BatchItem<null>[] = [];
  const updates: BatchItem<Update>[] = [];
  const deletes: BatchItem<number>[] = [];
  const upserts = ops.filter((op): op is Extract<WriteOp, { kind: 'upsert' }> => op.kind === 'upsert');

  // One lookup per match field finds the users upserts address.
  const existing = new Map<string, MoodleUser[]>();
  const fields = new Set(upserts.map((op) => op.match.property));
  for (const field of fields) {
    if (!(USER_MATCH_FIELDS as readonly string[]).includes(field)) continue;
    const f = field as MatchField;
    const values = upserts.filter((op) => op.match.property === field).map((op) => op.match.value);
    try {
      for (const u of await usersBy(client, f, values)) {
        const key = `${field}\u0000${String(u[f] ?? '')}`;
        existing.set(key, [...(existing.get(key) ?? []), u]);
      }
    } catch (err) {
      for (const op of upserts.filter((o) => o.match.property === field))
        results.set(op.ref, failuresOf([op.ref], err)[0] as WriteResult);
    }
  }

  for (const op of ops) {
    if (results.has(op.ref)) continue;
    if (op.kind === 'delete') {
      deletes.push({ ref: op.ref, params: { id: op.externalId }, meta: Number(op.externalId) });
      continue;
    }
    if (op.kind === 'archive') {
      updates.push({
        ref: op.ref,
        params: { suspended: 1 },
        meta: { id: Number(op.externalId), created: false, expect: { suspended: true } },
      });
      continue;
    }
    const { params, unknown } = toUserParams(op.properties);
    if (unknown.length) {
      results.set(
        op.ref,
        failure(
          op.ref,
          'moodle_unknown_field',
          `Moodle users have no field ${unknown.map((u) => `'${u}'`).join(', ')}`,
          false,
        ),
      );
      continue;
    }
    if (op.kind === 'update') {
      updates.push({
        ref: op.ref,
        params,
        meta: { id: Number(op.externalId), created: false, expect: expectOf(params) },
      });
      continue;
    }
    const field = op.match.property;
    if (!(USER_MATCH_FIELDS as readonly string[]).includes(field) || field === 'id') {
      results.set(
        op.ref,
        failure(
          op.ref,
          'moodle_unsupported_match',
          `Moodle users are matched by idnumber, email or username, not by '${field}'`,
          false,
        ),
      );
      continue;
    }
    const value = cleanMatchValue(field as MatchField, op.match.value);
    const hits = existing.get(`${field}\u0000${value}`) ?? [];
    if (hits.length > 1) {
      results.set(
        op.ref,
        failure(
          op.ref,
          'moodle_ambiguous_match',
          `${hits.length} Moodle users have ${field} '${value}'`,
          false,
        ),
      );
      continue;
    }
    const found = hits[0];
    if (found) {
      updates.push({ ref: op.ref, params, meta: { id: found.id, created: false, expect: expectOf(params) } });
      continue;
    }
    // A new user carries the value it was matched by, so the next upsert finds it.
    const create: UserParams = { ...params, [field]: value };
    if (create.username === undefined && typeof create.email === 'string')
      create.username = cleanUsername(create.email);
    const missing = REQUIRED_ON_CREATE.filter(
      (k) => create[k] === undefined || String(create[k]).trim() === '',
    );
    if (missing.length) {
      results.set(
        op.ref,
        failure(
          op.ref,
          'required_field_missing',
          `Moodle needs ${missing.join(', ')} to create a user`,
          false,
        ),
      );
      continue;
    }
    if (!create.password && !EXTERNAL_AUTHS.has(String(create.auth ?? 'manual'))) {
      delete create.password;
      create.createpassword = 1;
    }
    creates.push({ ref: op.ref, params: create, meta: null });
  }

  const [created, updated, deleted] = await Promise.all([
    creates.length ? createUsers(client, creates) : [],
    updates.length ? updateUsers(client, updates) : [],
    deletes.length ? deleteUsers(client, deletes) : [],
  ]);
  for (const r of [...created, ...updated, ...deleted]) results.set(r.ref, r);
  return ops.map(
    (op) => results.get(op.ref) ?? failure(op.ref, 'no_result', 'no result for this user', true),
  );
}
