import { mapConcurrent } from '../../core/concurrency.ts';
import type { Page, SourceRecord } from '../connector.ts';
import { MoodleApiError, type MoodleClient } from './client.ts';
import { enrolmentId } from './enrolment-fields.ts';
import {
  type MoodleCompletionStatus,
  MoodleCompletionStatusSchema,
  type MoodleCourse,
  MoodleCoursesSchema,
  type MoodleEnrolledUser,
  MoodleEnrolledUsersSchema,
  MoodleUsersSchema,
} from './schemas.ts';

/** The role Moodle tracks completion for (`moodle/course:isincompletionreports`). */
const STUDENT = 5;

/**
 * Answers that mean "this enrolment has no completion to report" (not enrolled as an active student any
 * more, the course tracks no completion, the account is suspended or deleted): the record is left out.
 */
const NOT_TRACKED = new Set([
  'usernotenroled',
  'nocriteriaset',
  'cannotviewreport',
  'suspended',
  'userdeleted',
]);

type Person = Pick<MoodleEnrolledUser, 'id' | 'idnumber' | 'email' | 'username'>;

/** One completion record: the enrolment's user and course, whether it is completed, and when. */
export function completionRecord(
  course: MoodleCourse,
  user: Person,
  status: MoodleCompletionStatus,
): SourceRecord {
  const s = status.completionstatus;
  // The answer has no course-level date: the course was completed when its last criterion was.
  const times = s.completions.map((c) => c.timecompleted ?? 0).filter((t) => t > 0);
  const latest = s.completed && times.length ? new Date(Math.max(...times) * 1000).toISOString() : null;
  const key = enrolmentId(course.id, user.id);
  return {
    key,
    data: {
      id: key,
      userid: user.id,
      user_idnumber: user.idnumber || null,
      user_email: user.email || null,
      user_username: user.username ?? null,
      courseid: course.id,
      course_idnumber: course.idnumber || null,
      course_shortname: course.shortname,
      course_fullname: course.fullname,
      completed: s.completed,
      timecompleted: latest,
    },
  };
}

async function statusOf(
  client: MoodleClient,
  courseid: number,
  userid: number,
): Promise<MoodleCompletionStatus | null> {
  try {
    return await client.call(
      'core_completion_get_course_completion_status',
      { courseid, userid },
      MoodleCompletionStatusSchema,
    );
  } catch (err) {
    if (err instanceof MoodleApiError && NOT_TRACKED.has(err.body.errorcode)) return null;
    throw err;
  }
}

/**
 * Reads the completions of every course that tracks completion: its active students
 * (`core_enrol_get_enrolled_users`) and each one's status (`core_completion_get_course_completion_status`),
 * one page per course. Moodle cannot list completions changed since a point in time, so every run reads
 * them all (unchanged ones cost no write) and no cursor is kept.
 */
export async function* readCompletions(client: MoodleClient, concurrency: number): AsyncIterable<Page> {
  const courses = await client.call('core_course_get_courses', {}, MoodleCoursesSchema);
  for (const course of courses.sort((a, b) => a.id - b.id)) {
    if (course.format === 'site' || course.enablecompletion === 0) continue;
    const users = await client.call(
      'core_enrol_get_enrolled_users',
      {
        courseid: course.id,
        options: [
          { name: 'onlyactive', value: '1' },
          { name: 'userfields', value: 'id,username,email,idnumber,roles' },
        ],
      },
      MoodleEnrolledUsersSchema,
    );
    const students = users.filter((u) =>
      u.roles?.some((r) => r.roleid === STUDENT || r.shortname === 'student'),
    );
    const statuses = await mapConcurrent(students, concurrency, (u) => statusOf(client, course.id, u.id));
    const records = students.flatMap((u, i) => {
      const status = statuses[i];
      return status ? [completionRecord(course, u, status)] : [];
    });
    if (records.length) yield { records, cursor: null };
  }
}

/** Reads the named completions (`<courseid>:<userid>`) again, e.g. to retry ones that failed before. */
export async function readCompletionsByKeys(
  client: MoodleClient,
  keys: string[],
  concurrency: number,
): Promise<SourceRecord[]> {
  const wanted = keys
    .map((k) => /^(\d+):(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ courseid: Number(m[1]), userid: Number(m[2]) }));
  if (!wanted.length) return [];
  const courseIds = [...new Set(wanted.map((w) => w.courseid))];
  const courses = new Map(
    (await client.call('core_course_get_courses', { options: { ids: courseIds } }, MoodleCoursesSchema)).map(
      (c) => [c.id, c],
    ),
  );
  const users = new Map<number, Person>();
  const userIds = [...new Set(wanted.map((w) => String(w.userid)))];
  for (let i = 0; i < userIds.length; i += 100)
    for (const u of await client.call(
      'core_user_get_users_by_field',
      { field: 'id', values: userIds.slice(i, i + 100) },
      MoodleUsersSchema,
    ))
      users.set(u.id, u);
  const found = await mapConcurrent(wanted, concurrency, async (w) => {
    const course = courses.get(w.courseid);
    const user = users.get(w.userid);
    if (!course || !user) return null;
    const status = await statusOf(client, course.id, user.id);
    return status ? completionRecord(course, user, status) : null;
  });
  return found.filter((r): r is SourceRecord => r !== null);
}
