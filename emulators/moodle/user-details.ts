/**
 * `user_get_user_details` as an administrator sees it, and the user structures of core_user_external's
 * `user_description()` and core_enrol_get_enrolled_users. `clean_returnvalue` later keeps only the keys
 * each structure describes, in its order.
 */
import { type Desc, multiple, single, value } from './external.ts';
import { type MoodleCourse, type MoodleUser, ROLES } from './records.ts';
import type { MoodleState } from './store.ts';

const customField = single({
  type: value('alphanumext'),
  value: value('raw'),
  name: value('raw'),
  shortname: value('raw'),
});
const preference = single({ name: value('raw'), value: value('raw') });

/** `core_user_external::user_description()`: the user structure of get_users_by_field and friends. */
export const USER_DESCRIPTION = single({
  id: value('int'),
  username: value('username', 'optional'),
  firstname: value('notags', 'optional'),
  lastname: value('notags', 'optional'),
  fullname: value('notags'),
  email: value('raw_trimmed', 'optional'),
  address: value('text', 'optional'),
  phone1: value('notags', 'optional'),
  phone2: value('notags', 'optional'),
  department: value('text', 'optional'),
  institution: value('text', 'optional'),
  idnumber: value('raw', 'optional'),
  interests: value('text', 'optional'),
  firstaccess: value('int', 'optional'),
  lastaccess: value('int', 'optional'),
  auth: value('auth', 'optional'),
  suspended: value('bool', 'optional'),
  confirmed: value('bool', 'optional'),
  lang: value('lang', 'optional'),
  calendartype: value('plugin', 'optional'),
  theme: value('raw', 'optional'),
  timezone: value('timezone', 'optional'),
  mailformat: value('int', 'optional'),
  description: value('raw', 'optional'),
  descriptionformat: value('int', 'optional'),
  city: value('notags', 'optional'),
  country: value('alpha', 'optional'),
  profileimageurlsmall: value('url'),
  profileimageurl: value('url'),
  customfields: multiple(customField, 'optional'),
  preferences: multiple(preference, 'optional'),
});

/** The user structure of core_enrol_get_enrolled_users (user details in a course). */
export const ENROLLED_USER_DESCRIPTION: Desc = single({
  id: value('int'),
  username: value('raw', 'optional'),
  firstname: value('notags', 'optional'),
  lastname: value('notags', 'optional'),
  fullname: value('notags'),
  email: value('text', 'optional'),
  address: value('text', 'optional'),
  phone1: value('notags', 'optional'),
  phone2: value('notags', 'optional'),
  department: value('text', 'optional'),
  institution: value('text', 'optional'),
  idnumber: value('raw', 'optional'),
  interests: value('text', 'optional'),
  firstaccess: value('int', 'optional'),
  lastaccess: value('int', 'optional'),
  lastcourseaccess: value('int', 'optional'),
  description: value('raw', 'optional'),
  descriptionformat: value('int', 'optional'),
  city: value('notags', 'optional'),
  country: value('alpha', 'optional'),
  profileimageurlsmall: value('url', 'optional'),
  profileimageurl: value('url', 'optional'),
  customfields: multiple(customField, 'optional'),
  groups: multiple(
    single({
      id: value('int'),
      name: value('raw'),
      description: value('raw'),
      descriptionformat: value('int'),
    }),
    'optional',
  ),
  roles: multiple(
    single({
      roleid: value('int'),
      name: value('raw'),
      shortname: value('alphanumext'),
      sortorder: value('int'),
    }),
    'optional',
  ),
  preferences: multiple(preference, 'optional'),
  enrolledcourses: multiple(
    single({ id: value('int'), fullname: value('raw'), shortname: value('raw') }),
    'optional',
  ),
});

const nonEmpty = (v: string) => (v === '' ? undefined : v);

/** `user_get_default_fields()`: what `userfields` may name. */
export const USER_FIELDS = [
  'id',
  'username',
  'fullname',
  'firstname',
  'lastname',
  'email',
  'address',
  'phone1',
  'phone2',
  'icq',
  'skype',
  'yahoo',
  'aim',
  'msn',
  'department',
  'institution',
  'interests',
  'firstaccess',
  'lastaccess',
  'auth',
  'confirmed',
  'idnumber',
  'lang',
  'theme',
  'timezone',
  'mailformat',
  'description',
  'descriptionformat',
  'city',
  'url',
  'country',
  'profileimageurlsmall',
  'profileimageurl',
  'customfields',
  'groups',
  'roles',
  'preferences',
  'enrolledcourses',
  'suspended',
];

function isActive(e: { status: number; timestart: number; timeend: number }, now: number): boolean {
  return e.status === 0 && e.timestart <= now && (e.timeend === 0 || e.timeend > now);
}

/**
 * `user_get_user_details` (user/lib.php) as the administrator sees it: empty idnumber, institution,
 * phones, address, city, country and custom fields are left out, `department` is always there;
 * preferences only for the caller itself. With `course`, also the roles and groups there.
 * `fields` (the `userfields` option) keeps only the named keys besides id and fullname.
 */
export function userDetails(
  user: MoodleUser,
  ctx: { state: MoodleState; wwwroot: string },
  course?: MoodleCourse,
  fields: readonly string[] = [],
): Record<string, unknown> {
  const picture = `${ctx.wwwroot}/theme/image.php/boost/core/1/u`;
  const now = ctx.state.now();
  const activeCourses = ctx.state
    .enrolments()
    .filter((e) => e.userid === user.id && isActive(e, now))
    .map((e) => ctx.state.course(e.courseid))
    .filter((c): c is MoodleCourse => c !== undefined);
  const details: Record<string, unknown> = {
    id: user.id,
    username: user.username,
    firstname: user.firstname,
    lastname: user.lastname,
    fullname: `${user.firstname} ${user.lastname}`,
    customfields: Object.keys(user.customfields).length
      ? Object.entries(user.customfields).map(([shortname, v]) => ({
          type: 'text',
          value: v,
          name: shortname,
          shortname,
        }))
      : undefined,
    profileimageurl: `${picture}/f1`,
    profileimageurlsmall: `${picture}/f2`,
    address: nonEmpty(user.address),
    phone1: nonEmpty(user.phone1),
    phone2: nonEmpty(user.phone2),
    description: user.description,
    descriptionformat: 1,
    country: nonEmpty(user.country),
    city: nonEmpty(user.city),
    suspended: user.suspended,
    firstaccess: user.firstaccess,
    lastaccess: user.lastaccess,
    email: user.email,
    interests: nonEmpty(user.interests),
    idnumber: nonEmpty(user.idnumber),
    institution: nonEmpty(user.institution),
    department: user.department,
    roles: course
      ? (ctx.state.enrolment(user.id, course.id)?.roleids ?? []).map((roleid) => ({
          roleid,
          name: '',
          shortname: ROLES.find((r) => r.id === roleid)?.shortname ?? '',
          sortorder: 0,
        }))
      : undefined,
    groups: course ? [] : undefined,
    enrolledcourses: activeCourses.length
      ? activeCourses
          .filter((c) => c.category !== 0)
          .map((c) => ({ id: c.id, fullname: c.fullname, shortname: c.shortname }))
      : undefined,
    preferences:
      user.id === ctx.state.adminId
        ? Object.entries(user.preferences).map(([name, v]) => ({ name, value: v }))
        : undefined,
    auth: user.auth,
    confirmed: user.confirmed,
    lang: user.lang,
    theme: user.theme,
    timezone: user.timezone,
    mailformat: user.mailformat,
  };
  if (fields.length === 0) return details;
  const kept: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(details)) {
    const wanted = key === 'descriptionformat' ? 'description' : key;
    if (key === 'id' || key === 'fullname' || fields.includes(wanted)) kept[key] = v;
  }
  return kept;
}
