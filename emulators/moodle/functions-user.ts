/**
 * core_user_create_users, core_user_update_users, core_user_get_users_by_field and core_user_delete_users,
 * from user/externallib.php: the parameter descriptions, the checks in the order Moodle makes them and
 * the transaction that undoes a whole batch when one record fails.
 */
import { codingException, invalidParameter, moodleException, writeException } from './errors.ts';
import { multiple, single, value } from './external.ts';
import { type CallContext, defineFunction } from './function.ts';
import { cleanParam, isValidEmail } from './param-types.ts';
import { recordNotFound } from './record-lookup.ts';
import type { MoodleUser } from './records.ts';
import { USER_DESCRIPTION, userDetails } from './user-details.ts';

// Auth plugins whose passwords live outside Moodle (`is_internal()` is false).
const EXTERNAL_AUTHS = ['cas', 'db', 'ldap', 'lti', 'oauth2', 'shibboleth'];

const pairs = (keyType: 'alphanumext' | 'raw') =>
  multiple(single({ type: value(keyType), value: value('raw') }), 'optional');

// The optional profile fields create and update share (core_user::get_property_type of each).
const profileFields = {
  maildisplay: value('int', 'optional'),
  city: value('text', 'optional'),
  country: value('alpha', 'optional'),
  timezone: value('timezone', 'optional'),
  description: value('raw', 'optional'),
  firstnamephonetic: value('notags', 'optional'),
  lastnamephonetic: value('notags', 'optional'),
  middlename: value('notags', 'optional'),
  alternatename: value('notags', 'optional'),
  interests: value('text', 'optional'),
} as const;

const EXTRA_NAMES = ['firstnamephonetic', 'lastnamephonetic', 'middlename', 'alternatename'] as const;

// biome-ignore lint/suspicious/noExplicitAny: a validated `users[n]` structure
type UserParams = Record<string, any>;

/** Maps a validated `users[n]` structure onto the user row's fields. */
function rowChanges(u: UserParams): Partial<MoodleUser> {
  const changes: Partial<MoodleUser> = {};
  const plain = [
    'username',
    'auth',
    'suspended',
    'password',
    'firstname',
    'lastname',
    'email',
    'maildisplay',
    'city',
    'country',
    'timezone',
    'description',
    'interests',
    'idnumber',
    'institution',
    'department',
    'phone1',
    'phone2',
    'address',
    'lang',
    'calendartype',
    'theme',
    'mailformat',
  ] as const;
  for (const key of plain) if (u[key] !== undefined) Object.assign(changes, { [key]: u[key] });
  const extra: Record<string, string> = {};
  for (const key of EXTRA_NAMES) if (u[key] !== undefined) extra[key] = u[key];
  if (Object.keys(extra).length) changes.extra = extra;
  return changes;
}

function applyLists(user: MoodleUser, u: UserParams): void {
  for (const f of (u.customfields ?? []) as { type: string; value: string }[])
    user.customfields[f.type] = f.value;
  for (const p of (u.preferences ?? []) as { type: string; value: string }[])
    user.preferences[p.type] = p.value;
}

/** core_user_create_users. */
export const createUsers = defineFunction({
  name: 'core_user_create_users',
  writes: true,
  parameters: single({
    users: multiple(
      single({
        createpassword: value('bool', 'optional'),
        username: value('username'),
        auth: value('auth', { default: 'manual' }),
        password: value('raw', 'optional'),
        firstname: value('notags'),
        lastname: value('notags'),
        email: value('raw_trimmed'),
        ...profileFields,
        idnumber: value('raw', { default: '' }),
        institution: value('text', 'optional'),
        department: value('text', 'optional'),
        phone1: value('notags', 'optional'),
        phone2: value('notags', 'optional'),
        address: value('text', 'optional'),
        lang: value('lang', { default: 'en' }),
        calendartype: value('plugin', { default: 'gregorian' }),
        theme: value('theme', 'optional'),
        mailformat: value('int', 'optional'),
        customfields: pairs('alphanumext'),
        preferences: pairs('raw'),
      }),
    ),
  }),
  returns: multiple(single({ id: value('int'), username: value('username') })),
  execute({ users }: { users: UserParams[] }, ctx: CallContext) {
    const { state, site } = ctx;
    return state.transaction(() =>
      users.map((u) => {
        for (const field of ['username', 'firstname', 'lastname'])
          if (String(u[field]).trim() === '') throw invalidParameter(`The field ${field} cannot be blank`);
        if (state.usersBy('username', u.username).length)
          throw invalidParameter(`Username already exists: ${u.username}`);
        if (u.auth === 'mnet' || u.auth === 'webservice')
          throw invalidParameter(`Invalid authentication type: ${u.auth}`);
        if (!site.languages.includes(u.lang)) throw invalidParameter(`Invalid language code: ${u.lang}`);
        const internal = !EXTERNAL_AUTHS.includes(u.auth);
        if (internal && !u.password && !u.createpassword)
          throw invalidParameter('Invalid password: you must provide a password, or set createpassword.');
        if (!isValidEmail(u.email)) throw invalidParameter(`Email address is invalid: ${u.email}`);
        if (!site.allowAccountsSameEmail && state.emailTaken(u.email))
          throw invalidParameter(`Email address already exists: ${u.email}`);
        const { createpassword: _create, ...fields } = u;
        const user = state.insertUser({
          ...rowChanges(fields),
          password: internal && !u.createpassword ? String(u.password) : '',
          confirmed: true,
        });
        applyLists(user, u);
        if (u.createpassword) user.preferences.auth_forcepasswordchange = '1';
        return { id: user.id, username: user.username };
      }),
    );
  },
});

/** core_user_update_users: users that do not exist, are deleted, or would get a bad or taken e-mail are skipped. */
export const updateUsers = defineFunction({
  name: 'core_user_update_users',
  writes: true,
  parameters: single({
    users: multiple(
      single({
        id: value('int'),
        username: value('username', 'optional'),
        auth: value('auth', 'optional'),
        suspended: value('bool', 'optional'),
        password: value('raw', 'optional'),
        firstname: value('notags', 'optional'),
        lastname: value('notags', 'optional'),
        email: value('raw_trimmed', 'optional'),
        ...profileFields,
        userpicture: value('int', 'optional'),
        idnumber: value('raw', 'optional'),
        institution: value('text', 'optional'),
        department: value('text', 'optional'),
        phone1: value('notags', 'optional'),
        phone2: value('notags', 'optional'),
        address: value('text', 'optional'),
        lang: value('lang', 'optional'),
        calendartype: value('plugin', 'optional'),
        theme: value('theme', 'optional'),
        mailformat: value('int', 'optional'),
        customfields: pairs('alphanumext'),
        preferences: pairs('raw'),
      }),
    ),
  }),
  returns: null,
  execute({ users }: { users: UserParams[] }, { state, site }: CallContext) {
    state.transaction(() => {
      for (const u of users) {
        const existing = state.user(u.id);
        if (!existing || existing.deleted || existing.id === 1) continue;
        if (u.email !== undefined && u.email !== existing.email) {
          if (!isValidEmail(u.email)) continue;
          if (!site.allowAccountsSameEmail && state.emailTaken(u.email, existing.id)) continue;
        }
        if (
          u.username !== undefined &&
          state.usersBy('username', u.username).some((o) => o.id !== existing.id)
        )
          throw writeException(
            `Duplicate value in unique index mdl_user_mneuse_uix: username = ${u.username}`,
          );
        state.updateUser(existing, rowChanges(u));
        applyLists(existing, u);
      }
    });
    return null;
  },
});

const SEARCH_FIELDS = { id: 'int', idnumber: 'raw', username: 'username', email: 'raw_trimmed' } as const;

/** core_user_get_users_by_field: exact matches on id, idnumber, username or email. */
export const getUsersByField = defineFunction({
  name: 'core_user_get_users_by_field',
  writes: false,
  parameters: single({ field: value('alpha'), values: multiple(value('raw')) }),
  returns: multiple(USER_DESCRIPTION),
  execute({ field, values }: { field: string; values: string[] }, ctx: CallContext) {
    const type = SEARCH_FIELDS[field as keyof typeof SEARCH_FIELDS];
    if (!type)
      throw codingException(
        'invalid field parameter',
        `The search field '${field}' is not supported, look at the web service documentation`,
      );
    const cleaned = values.map((v) => {
      const c = cleanParam(v, type, ctx.site);
      // PHP 8's loose `!=`: numeric strings compare as numbers, other strings as strings.
      const same = type === 'int' ? v.trim() !== '' && Number(v) === c : v === c;
      if (!same) throw invalidParameter(`The field '${field}' value is invalid: ${v}(cleaned value: ${c})`);
      return String(c);
    });
    const key = field as keyof typeof SEARCH_FIELDS;
    return ctx.state
      .allUsers()
      .filter((u) => !u.deleted && cleaned.includes(String(u[key])))
      .map((u) => userDetails(u, ctx))
      .filter((d) => d[key] !== undefined && d[key] !== '' && d[key] !== 0);
  },
});

/** core_user_delete_users: all or nothing; an unknown id fails the batch with `invalidrecord`. */
export const deleteUsers = defineFunction({
  name: 'core_user_delete_users',
  writes: true,
  parameters: single({ userids: multiple(value('int')) }),
  returns: null,
  execute({ userids }: { userids: number[] }, { state }: CallContext) {
    state.transaction(() => {
      for (const id of userids) {
        const user = state.user(id);
        if (!user || user.deleted) throw recordNotFound('user', { id, deleted: 0 });
        if (user.id === state.adminId)
          throw moodleException('useradminodelete', 'Admin users cannot be deleted');
        // Moodle refuses to delete the guest account without an error (a debugging notice only).
        if (user.id === 1) continue;
        state.deleteUser(user);
      }
    });
    return null;
  },
});
