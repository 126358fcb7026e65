/**
 * enrol_manual_enrol_users and enrol_manual_unenrol_users (enrol/manual/externallib.php) and
 * core_enrol_get_enrolled_users (enrol/externallib.php). The manual functions are transactions: the first
 * failing enrolment undoes the batch and the answer is the exception.
 */
import { codingException, invalidParameter, moodleException } from './errors.ts';
import { multiple, single, value } from './external.ts';
import { type CallContext, defineFunction } from './function.ts';
import { cleanParam } from './param-types.ts';
import { recordNotFound } from './record-lookup.ts';
import { COURSE_ASSIGNABLE_ROLES, type MoodleCourse, type MoodleUser } from './records.ts';
import { ENROLLED_USER_DESCRIPTION, USER_FIELDS, userDetails } from './user-details.ts';

interface Enrolment {
  roleid: number;
  userid: number;
  courseid: number;
  timestart?: number;
  timeend?: number;
  suspend?: number;
}

/** enrol_manual_enrol_users: enrols (or re-enrols, updating dates and status) with the given role. */
export const enrolUsers = defineFunction({
  name: 'enrol_manual_enrol_users',
  writes: true,
  parameters: single({
    enrolments: multiple(
      single({
        roleid: value('int'),
        userid: value('int'),
        courseid: value('int'),
        timestart: value('int', 'optional'),
        timeend: value('int', 'optional'),
        suspend: value('int', 'optional'),
      }),
    ),
  }),
  returns: null,
  execute({ enrolments }: { enrolments: Enrolment[] }, { state }: CallContext) {
    state.transaction(() => {
      for (const e of enrolments) {
        const course = state.course(e.courseid);
        // context_course::instance(IGNORE_MISSING) gives false, which validate_context refuses.
        if (!course) throw invalidParameter('Context does not exist');
        if (!COURSE_ASSIGNABLE_ROLES.includes(e.roleid))
          throw moodleException(
            'wsusercannotassign',
            `You don't have the permission to assign this role (${e.roleid}) to this user (${e.userid}) in this course(${e.courseid}).`,
          );
        if (!course.enrolMethods.includes('manual'))
          throw moodleException(
            'wsnoinstance',
            `Manual enrolment plugin instance doesn't exist or is disabled for the course (id = ${e.courseid})`,
          );
        const user = state.user(e.userid);
        if (!user || user.deleted)
          throw codingException('User ID does not exist or is deleted!', `userid:${e.userid}`);
        state.enrol(e.userid, e.courseid, e.roleid, {
          timestart: e.timestart ?? 0,
          timeend: e.timeend ?? 0,
          status: e.suspend ? 1 : 0,
        });
      }
    });
    return null;
  },
});

/** enrol_manual_unenrol_users: removes enrolments; a user without one is no error. */
export const unenrolUsers = defineFunction({
  name: 'enrol_manual_unenrol_users',
  writes: true,
  parameters: single({
    enrolments: multiple(
      single({ userid: value('int'), courseid: value('int'), roleid: value('int', 'optional') }),
    ),
  }),
  returns: null,
  execute({ enrolments }: { enrolments: Enrolment[] }, { state }: CallContext) {
    state.transaction(() => {
      for (const e of enrolments) {
        const course = state.course(e.courseid);
        if (!course) throw recordNotFound('course', { id: e.courseid });
        if (!course.enrolMethods.includes('manual'))
          throw moodleException(
            'wsnoinstance',
            `Manual enrolment plugin instance doesn't exist or is disabled for the course (id = ${e.courseid})`,
          );
        if (!state.user(e.userid)) throw invalidParameter(`User id not exist: ${e.userid}`);
        state.unenrol(e.userid, e.courseid);
      }
    });
    return null;
  },
});

const SORT_FIELDS = ['id', 'firstname', 'lastname', 'siteorder'];

function isActive(e: { status: number; timestart: number; timeend: number }, now: number): boolean {
  return e.status === 0 && e.timestart <= now && (e.timeend === 0 || e.timeend > now);
}

/** core_enrol_get_enrolled_users, with the options onlyactive, userfields, limitfrom, limitnumber, sortby, sortdirection. */
export const getEnrolledUsers = defineFunction({
  name: 'core_enrol_get_enrolled_users',
  writes: false,
  parameters: single({
    courseid: value('int'),
    options: multiple(single({ name: value('alphanumext'), value: value('raw') }), 'default'),
  }),
  returns: multiple(ENROLLED_USER_DESCRIPTION),
  execute(
    { courseid, options }: { courseid: number; options: { name: string; value: string }[] },
    ctx: CallContext,
  ) {
    let onlyactive = false;
    let fields: string[] = [];
    let from = 0;
    let limit = 0;
    let sortby = 'id';
    let direction = 'ASC';
    for (const o of options) {
      if (o.name === 'onlyactive') onlyactive = o.value !== '' && o.value !== '0';
      else if (o.name === 'userfields')
        fields = o.value.split(',').map((f) => String(cleanParam(f, 'alphanumext', ctx.site)));
      else if (o.name === 'limitfrom') from = Number(cleanParam(o.value, 'int', ctx.site));
      else if (o.name === 'limitnumber') limit = Number(cleanParam(o.value, 'int', ctx.site));
      else if (o.name === 'sortby') {
        if (!SORT_FIELDS.includes(o.value))
          throw invalidParameter(
            `Invalid value for sortby parameter (value: ${o.value}),allowed values are: ${SORT_FIELDS.join(',')}`,
          );
        sortby = o.value === 'siteorder' ? 'lastname' : o.value;
      } else if (o.name === 'sortdirection') {
        direction = o.value.toUpperCase();
        if (direction !== 'ASC' && direction !== 'DESC')
          throw invalidParameter(
            `Invalid value for sortdirection parameter\n                        (value: ${direction}),allowed values are: ASC,DESC`,
          );
      }
    }
    const course = ctx.state.course(courseid);
    if (!course) throw recordNotFound('course', { id: courseid });
    const now = ctx.state.now();
    const key = sortby as 'id' | 'firstname' | 'lastname';
    const users = ctx.state
      .enrolments(courseid)
      .filter((e) => !onlyactive || isActive(e, now))
      .map((e) => ctx.state.user(e.userid))
      .filter((u): u is MoodleUser => u !== undefined && !u.deleted)
      .sort(
        (a, b) =>
          (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id) * (direction === 'DESC' ? -1 : 1),
      );
    const page = limit > 0 ? users.slice(from, from + limit) : users.slice(from);
    // user_get_user_details checks the fields for each user, so an empty course never fails.
    const unknown = fields.find((f) => !USER_FIELDS.includes(f));
    if (page.length && unknown !== undefined)
      throw moodleException('invaliduserfield', `Invalid user field: ${unknown}`);
    return page.map((u) => userDetails(u, ctx, course as MoodleCourse, fields));
  },
});
