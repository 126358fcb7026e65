import type { WriteOp, WriteResult } from '../connector.ts';
import { type BatchItem, failure, failuresOf, isResult, splitOnRefusal, success } from './batch.ts';
import type { MoodleClient } from './client.ts';
import {
  type CourseFinder,
  type Enrol,
  type EnrolWrite,
  enrolmentId,
  findUsers,
  parseEnrolmentId,
  type Resolved,
  resolveEnrolment,
} from './enrolment-fields.ts';
import { MoodleEnrolledUsersSchema, MoodleWarningsSchema } from './schemas.ts';

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
  const writes = ops.filter((op): op is EnrolWrite => op.kind === 'upsert' || op.kind === 'update');

  const users = await findUsers(client, writes, results);

  const resolved = new Map<string, Resolved>();
  for (const op of writes) {
    if (results.has(op.ref)) continue;
    try {
      const r = await resolveEnrolment(op, users, findCourses);
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
