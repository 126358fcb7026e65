import type { WriteOp, WriteResult } from '../connector.ts';
import { type BatchItem, failure, failuresOf, isResult, splitOnRefusal, success } from './batch.ts';
import type { MoodleClient } from './client.ts';
import {
  type MoodleCourse,
  MoodleCoursesByFieldSchema,
  MoodleEnrolledUsersSchema,
  MoodleWarningsSchema,
} from './schemas.ts';
import { usersBy } from './users.ts';

/** Roles a manual enrolment may give (those Moodle lets an administrator assign in a course), by shortname. */
export const ENROL_ROLES: Record<string, number> = { manager: 1, editingteacher: 3, teacher: 4, student: 5 };
/** The role of an enrolment that names none. */
export const DEFAULT_ROLE = 5;

/** The id Junction keeps for an enrolment: `<courseid>:<userid>`. */
export const enrolmentId = (courseid: number, userid: number) => `${courseid}:${userid}`;

function parseEnrolmentId(id: string): { courseid: number; userid: number } | null {
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

interface Enrol {
  userid: number;
  courseid: number;
  roleid: number;
  created: boolean;
  /** The enrolment this op replaces (an update that moved it to another user or course). */
  previous?: { courseid: number; userid: number };
}

type Resolved =
  | { ok: true; value: Omit<Enrol, 'created'> & { timestart: number; timeend: number; suspend: number } }
  | { ok: false; result: WriteResult };

/**
 * Writes enrolments: upsert and update enrol (again: Moodle updates an existing enrolment) the user found by
 * `userid`, `user_idnumber`, `user_email` or `user_username` in the course found by `courseid`,
 * `course_idnumber` or `course_shortname`, with `roleid` or `role` (student by default); archive and delete
 * unenrol. The external id is `<courseid>:<userid>`. One result per op, in order.
 */
export async function writeEnrolments(
  client: MoodleClient,
  findCourses: CourseFinder,
  ops: WriteOp[],
): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const writes = ops.filter((op) => op.kind === 'upsert' || op.kind === 'update') as Extract<
    WriteOp,
    { kind: 'upsert' | 'update' }
  >[];

  // Users by each kind of reference the payloads use: one lookup per kind.
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

  const resolve = async (op: Extract<WriteOp, { kind: 'upsert' | 'update' }>): Promise<Resolved> => {
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
      const hits =
        users.get(`${userRef[1]}\u0000${userRef[1] === 'username' ? value.toLowerCase() : value}`) ?? [];
      if (hits.length > 1)
        return fail('moodle_ambiguous_match', `${hits.length} Moodle users have ${userRef[1]} '${value}'`);
      // The user may simply not be synced yet: the next run tries again.
      if (!hits.length)
        return fail('moodle_user_not_found', `Moodle has no user with ${userRef[1]} '${value}' (yet)`, true);
      userid = hits[0];
    }
    const courseRef = COURSE_KEYS.find(([k]) => text(p[k]) !== '');
    if (!courseRef)
      return fail(
        'required_field_missing',
        'an enrolment needs courseid, course_idnumber or course_shortname',
      );
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
  };

  const resolved = new Map<string, Resolved>();
  for (const op of writes) {
    if (results.has(op.ref)) continue;
    try {
      const r = await resolve(op);
      if (r.ok) resolved.set(op.ref, r);
      else results.set(op.ref, r.result);
    } catch (err) {
      results.set(op.ref, failuresOf([op.ref], err)[0] as WriteResult);
    }
  }

  // Whether an upsert creates an enrolment or finds one already there: one read per course involved.
  const enrolled = new Map<number, Set<number>>();
  const upsertCourses = new Set(
    writes
      .filter((op) => op.kind === 'upsert' && resolved.has(op.ref))
      .map((op) => (resolved.get(op.ref) as Extract<Resolved, { ok: true }>).value.courseid),
  );
  for (const courseid of upsertCourses) {
    try {
      const list = await client.call(
        'core_enrol_get_enrolled_users',
        { courseid, options: [{ name: 'userfields', value: 'id' }] },
        MoodleEnrolledUsersSchema,
      );
      enrolled.set(courseid, new Set(list.map((u) => u.id)));
    } catch (err) {
      for (const op of writes) {
        const r = resolved.get(op.ref);
        if (r?.ok && r.value.courseid === courseid) {
          resolved.delete(op.ref);
          results.set(op.ref, failuresOf([op.ref], err)[0] as WriteResult);
        }
      }
    }
  }

  const items: BatchItem<Enrol>[] = [];
  for (const op of writes) {
    const r = resolved.get(op.ref);
    if (!r?.ok) continue;
    const { userid, courseid, roleid, timestart, timeend, suspend, previous } = r.value;
    const created = op.kind === 'upsert' ? !enrolled.get(courseid)?.has(userid) : false;
    items.push({
      ref: op.ref,
      params: { roleid, userid, courseid, timestart, timeend, suspend },
      meta: { userid, courseid, roleid, created, ...(previous ? { previous } : {}) },
    });
  }
  const enrolledNow = await splitOnRefusal(items, (chunk) =>
    client
      .call('enrol_manual_enrol_users', { enrolments: chunk.map((c) => c.params) }, MoodleWarningsSchema)
      .then(() => chunk.map(() => null)),
  );
  // An enrolment moved to another user or course leaves the old one.
  const leaving: BatchItem<{ courseid: number; userid: number }>[] = [];
  const createdNow = new Set<string>();
  for (const item of items) {
    const r = enrolledNow.get(item.ref);
    if (!r) continue;
    if (isResult(r)) results.set(item.ref, r);
    else {
      // Two bookings of one course by one person are one enrolment: only the first creates it.
      const id = enrolmentId(item.meta.courseid, item.meta.userid);
      results.set(item.ref, success(item.ref, id, item.meta.created && !createdNow.has(id)));
      createdNow.add(id);
      if (item.meta.previous)
        leaving.push({ ref: item.ref, params: item.meta.previous, meta: item.meta.previous });
    }
  }

  for (const op of ops)
    if (op.kind === 'delete' || op.kind === 'archive') {
      const id = parseEnrolmentId(op.externalId);
      if (id) leaving.push({ ref: op.ref, params: id, meta: id });
      else
        results.set(
          op.ref,
          failure(
            op.ref,
            'moodle_invalid_id',
            `'${op.externalId}' is no enrolment id (<courseid>:<userid>)`,
            false,
          ),
        );
    }
  const unenrolled = await splitOnRefusal(
    leaving,
    (chunk) =>
      client
        .call('enrol_manual_unenrol_users', { enrolments: chunk.map((c) => c.params) }, MoodleWarningsSchema)
        .then(() => chunk.map(() => null)),
    // A course or user that is gone took the enrolment with it: a replayed unenrol is done.
    (item, err) =>
      err.body.errorcode === 'invalidrecord' || /User id not exist/.test(err.body.debuginfo ?? '')
        ? success(item.ref, enrolmentId(item.meta.courseid, item.meta.userid), false)
        : failure(item.ref, err.code, err.message, err.retryable),
  );
  for (const item of leaving) {
    const r = unenrolled.get(item.ref);
    const moved = results.get(item.ref);
    if (!r) continue;
    if (isResult(r) && !r.ok) results.set(item.ref, r);
    else if (!moved)
      results.set(item.ref, success(item.ref, enrolmentId(item.meta.courseid, item.meta.userid), false));
  }
  return ops.map(
    (op) => results.get(op.ref) ?? failure(op.ref, 'no_result', 'no result for this enrolment', true),
  );
}
