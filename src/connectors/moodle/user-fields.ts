/**
 * What Moodle users are made of for Junction: the fields `core_user_create_users` and
 * `core_user_update_users` take, cleaned the way Moodle's parameter validation wants them, and the lookup
 * by a searchable field (`core_user_get_users_by_field`) that matching and read-back use.
 */
import type { LookupHit } from '../connector.ts';
import type { MoodleClient, MoodleParam } from './client.ts';
import { type MoodleUser, MoodleUsersSchema } from './schemas.ts';

/** The fields `core_user_get_users_by_field` searches (and so the properties users are matched by). */
export const USER_MATCH_FIELDS = ['idnumber', 'email', 'username', 'id'] as const;
export type MatchField = (typeof USER_MATCH_FIELDS)[number];

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
export const EXTERNAL_AUTHS = new Set(['cas', 'db', 'ldap', 'lti', 'oauth2', 'shibboleth', 'nologin']);
export const REQUIRED_ON_CREATE = ['username', 'firstname', 'lastname', 'email'] as const;

/** PARAM_USERNAME: Moodle refuses a username that cleaning would change, so it is cleaned here. */
export function cleanUsername(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^-.@_a-z0-9]/g, '');
}

/** A match value as Moodle's parameter cleaning leaves it (a changed value refuses the whole call). */
export function cleanMatchValue(field: MatchField, value: string): string {
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

export type UserParams = Record<string, MoodleParam>;

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
