/**
 * What an enrolment op names and how it is found in Moodle: the user (by id, ID number, e-mail or username),
 * the course (by id, ID number or short name, remembered for the run), the role, dates and suspension.
 */
import type { WriteOp, WriteResult } from '../connector.ts';
import { failure, failuresOf } from './batch.ts';
import type { MoodleClient } from './client.ts';
import { type MoodleCourse, MoodleCoursesByFieldSchema } from './schemas.ts';
import { cleanMatchValue, usersBy } from './user-fields.ts';

/** Roles a manual enrolment may give (those Moodle lets an administrator assign in a course), by shortname. */
export const ENROL_ROLES: Record<string, number> = { manager: 1, editingteacher: 3, teacher: 4, student: 5 };
/** The role of an enrolment that names none. */
export const DEFAULT_ROLE = 5;

/** The id Junction keeps for an enrolment: `<courseid>:<userid>`. */
export const enrolmentId = (courseid: number, userid: number) => `${courseid}:${userid}`;

/** The course and user of an enrolment id; null when it is none. */
export function parseEnrolmentId(id: string): { courseid: number; userid: number } | null {
  const m = /^(\d+):(\d+)$/.exec(id);
  return m ? { courseid: Number(m[1]), userid: Number(m[2]) } : null;
}

/** Unix seconds of a date value (ISO text, a Date, epoch seconds); 0 for none. */
function unixSeconds(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return 0;
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (typeof v === 'number') return Math.floor(v);
  const ms = Date.parse(String(v));
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

const USER_KEYS = [
  ['userid', 'id'],
  ['user_idnumber', 'idnumber'],
  ['user_email', 'email'],
  ['user_username', 'username'],
] as const;
const COURSE_KEYS = [
  ['courseid', 'id'],
  ['course_idnumber', 'idnumber'],
  ['course_shortname', 'shortname'],
] as const;
const KNOWN = new Set([
  ...USER_KEYS.map(([k]) => k),
  ...COURSE_KEYS.map(([k]) => k),
  'id',
  'roleid',
  'role',
  'timestart',
  'timeend',
  'suspended',
]);

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

/** Finds courses by id, idnumber or shortname; the answers are kept for the connector's lifetime (a run). */
export function createCourseFinder(client: MoodleClient) {
  const cache = new Map<string, Promise<MoodleCourse[]>>();
  return (field: 'id' | 'idnumber' | 'shortname', value: string): Promise<MoodleCourse[]> => {
    const key = `${field}\u0000${value}`;
    let found = cache.get(key);
    if (!found) {
      found = client
        .call('core_course_get_courses_by_field', { field, value }, MoodleCoursesByFieldSchema)
        .then((r) => r.courses);
      // A failed lookup is not remembered: the next batch asks again.
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found;
  };
}
export type CourseFinder = ReturnType<typeof createCourseFinder>;

/** An enrolment to make, as resolved from an op. */
export interface Enrol {
  userid: number;
  courseid: number;
  roleid: number;
  created: boolean;
  /** The enrolment this op replaces (an update that moved it to another user or course). */
  previous?: { courseid: number; userid: number };
}

/** An op's enrolment with its dates and suspension, or why it cannot be made. */
export type Resolved =
  | { ok: true; value: Omit<Enrol, 'created'> & { timestart: number; timeend: number; suspend: number } }
  | { ok: false; result: WriteResult };

/** An op that enrols. */
export type EnrolWrite = Extract<WriteOp, { kind: 'upsert' | 'update' }>;

/**
 * The Moodle user ids the ops' user references name, by `<field>\u0000<value>`: one lookup per kind of
 * reference. Ops whose lookup failed get their failure in `results`.
 */
export async function findUsers(
  client: MoodleClient,
  writes: EnrolWrite[],
  results: Map<string, WriteResult>,
): Promise<Map<string, number[]>> {
  const users = new Map<string, number[]>();
  for (const [prop, field] of USER_KEYS) {
    if (field === 'id') continue;
    const values = writes
      .filter((op) => !text(op.properties.userid) && text(op.properties[prop]))
      .map((op) => text(op.properties[prop]));
    if (!values.length) continue;
    try {
      for (const u of await usersBy(client, field, values)) {
        const key = `${field}\u0000${String(u[field] ?? '')}`;
        users.set(key, [...(users.get(key) ?? []), u.id]);
      }
    } catch (err) {
      for (const op of writes)
        if (text(op.properties[prop])) results.set(op.ref, failuresOf([op.ref], err)[0] as WriteResult);
    }
  }
  return users;
}

/** Finds what one op names in Moodle, or the reason it cannot be enrolled. */
export async function resolveEnrolment(
  op: EnrolWrite,
  users: Map<string, number[]>,
  findCourses: CourseFinder,
): Promise<Resolved> {
  const p = op.properties;
  const fail = (code: string, message: string, retryable = false): Resolved => ({
    ok: false,
    result: failure(op.ref, code, message, retryable),
  });
  const unknown = Object.keys(p).filter((k) => !KNOWN.has(k) && p[k] !== undefined);
  if (unknown.length)
    return fail(
      'moodle_unknown_field',
      `Moodle enrolments have no field ${unknown.map((u) => `'${u}'`).join(', ')}`,
    );
  let userid: number | undefined;
  const userRef = USER_KEYS.find(([k]) => text(p[k]) !== '');
  if (!userRef)
    return fail(
      'required_field_missing',
      'an enrolment needs userid, user_idnumber, user_email or user_username',
    );
  if (userRef[1] === 'id') userid = Number(text(p.userid));
  else {
    const value = text(p[userRef[0]]);
    const hits = users.get(`${userRef[1]}\u0000${cleanMatchValue(userRef[1], value)}`) ?? [];
    if (hits.length > 1)
      return fail('moodle_ambiguous_match', `${hits.length} Moodle users have ${userRef[1]} '${value}'`);
    // The user may simply not be synced yet: the next run tries again.
    if (!hits.length)
      return fail('moodle_user_not_found', `Moodle has no user with ${userRef[1]} '${value}' (yet)`, true);
    userid = hits[0];
  }
  const courseRef = COURSE_KEYS.find(([k]) => text(p[k]) !== '');
  if (!courseRef)
    return fail('required_field_missing', 'an enrolment needs courseid, course_idnumber or course_shortname');
  const courseValue = text(p[courseRef[0]]);
  const courses = await findCourses(courseRef[1], courseValue);
  if (courses.length > 1)
    return fail(
      'moodle_ambiguous_match',
      `${courses.length} Moodle courses have ${courseRef[1]} '${courseValue}'`,
    );
  const course = courses[0];
  if (!course)
    return fail(
      'moodle_course_not_found',
      `Moodle has no course with ${courseRef[1]} '${courseValue}' (yet)`,
      true,
    );
  let roleid = DEFAULT_ROLE;
  if (text(p.roleid)) roleid = Number(text(p.roleid));
  else if (text(p.role)) {
    const r = ENROL_ROLES[text(p.role).toLowerCase()];
    if (r === undefined)
      return fail(
        'moodle_unknown_role',
        `role '${text(p.role)}' is none of ${Object.keys(ENROL_ROLES).join(', ')}`,
      );
    roleid = r;
  }
  const timestart = unixSeconds(p.timestart);
  const timeend = unixSeconds(p.timeend);
  if (timestart === null || timeend === null)
    return fail('invalid_date', 'timestart or timeend is not a date');
  const suspend =
    p.suspended === true || p.suspended === 1 || p.suspended === '1' || p.suspended === 'true' ? 1 : 0;
  const previous = op.kind === 'update' ? parseEnrolmentId(op.externalId) : null;
  const moved = previous && (previous.courseid !== course.id || previous.userid !== userid);
  return {
    ok: true,
    value: {
      userid: userid as number,
      courseid: course.id,
      roleid,
      timestart,
      timeend,
      suspend,
      ...(moved ? { previous } : {}),
    },
  };
}
