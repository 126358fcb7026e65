/**
 * `user_get_user_details` as an administrator sees it, and the `user_description()` return structure of
 * core_user_external. Which optional keys appear when empty is taken from observed answers of real sites
 * (see README: `department` is always present, `idnumber`, `city`, `country`, phones, address and custom
 * fields only when set).
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

/**
 * The details of one user; with `course`, also the roles there, the courses the user is enrolled in and
 * the last course access. `fields` (the `userfields` option) keeps only the named keys besides id and fullname.
 */
export function userDetails(
  user: MoodleUser,
  ctx: { state: MoodleState; wwwroot: string },
  course?: MoodleCourse,
  fields: readonly string[] = [],
): Record<string, unknown> {
  const picture = `${ctx.wwwroot}/theme/image.php/boost/core/1/u`;
  const details: Record<string, unknown> = {
    id: user.id,
    username: user.username,
    firstname: user.firstname,
    lastname: user.lastname,
    fullname: `${user.firstname} ${user.lastname}`,
    email: user.email,
    address: nonEmpty(user.address),
    phone1: nonEmpty(user.phone1),
    phone2: nonEmpty(user.phone2),
    department: user.department,
    institution: nonEmpty(user.institution),
    idnumber: nonEmpty(user.idnumber),
    interests: nonEmpty(user.interests),
    firstaccess: user.firstaccess,
    lastaccess: user.lastaccess,
    auth: user.auth,
    suspended: user.suspended,
    confirmed: user.confirmed,
    lang: user.lang,
    theme: user.theme,
    timezone: user.timezone,
    mailformat: user.mailformat,
    description: user.description,
    descriptionformat: 1,
    city: nonEmpty(user.city),
    country: nonEmpty(user.country),
    profileimageurlsmall: `${picture}/f2`,
    profileimageurl: `${picture}/f1`,
    customfields: Object.keys(user.customfields).length
      ? Object.entries(user.customfields).map(([shortname, v]) => ({
          type: 'text',
          value: v,
          name: shortname,
          shortname,
        }))
      : undefined,
    preferences: Object.entries(user.preferences).map(([name, v]) => ({ name, value: v })),
  };
  if (course) {
    const enrolment = ctx.state.enrolment(user.id, course.id);
    details.lastcourseaccess = 0;
    details.roles = (enrolment?.roleids ?? []).map((roleid) => ({
      roleid,
      name: '',
      shortname: ROLES.find((r) => r.id === roleid)?.shortname ?? '',
      sortorder: 0,
    }));
    const enrolled = ctx.state
      .enrolments()
      .filter((e) => e.userid === user.id)
      .map((e) => ctx.state.course(e.courseid))
      .filter((c): c is MoodleCourse => c !== undefined);
    details.enrolledcourses = enrolled.map((c) => ({
      id: c.id,
      fullname: c.fullname,
      shortname: c.shortname,
    }));
  }
  if (fields.length === 0) return details;
  const kept: Record<string, unknown> = { id: user.id, fullname: details.fullname };
  for (const f of fields) if (f in details) kept[f] = details[f];
  return kept;
}
