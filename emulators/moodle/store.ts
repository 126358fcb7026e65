/**
 * The emulated site in memory: users, courses, manual enrolments and course completions. A fresh site
 * looks like a fresh Moodle install: user 1 is `guest`, user 2 the administrator `admin` (whose tokens the
 * web service uses), course 1 the front page (format `site`), category 1 holds new courses. Times are Unix
 * seconds, as Moodle stores them.
 */
import { createHash } from 'node:crypto';
import {
  blankUser,
  type MoodleCompletion,
  type MoodleCourse,
  type MoodleEnrolment,
  type MoodleUser,
  type NewCourse,
  SELF_COMPLETION,
} from './records.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

interface Tables {
  users: Map<number, MoodleUser>;
  courses: Map<number, MoodleCourse>;
  enrolments: MoodleEnrolment[];
  completions: MoodleCompletion[];
  lastUserId: number;
  lastCourseId: number;
}

/** The site's tables, with the lookups and writes the functions need. */
export class MoodleState {
  private t!: Tables;

  constructor(
    private readonly site: { fullname: string; shortname: string },
    /** Clock in milliseconds. */
    private readonly nowMs: () => number = Date.now,
  ) {
    this.reset();
  }

  /** Current time in Unix seconds. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Back to a fresh install: guest, admin and the front page only. */
  reset(): void {
    const now = this.now();
    const guest = {
      ...blankUser(1, now),
      username: 'guest',
      auth: 'manual',
      firstname: 'Guest user',
      lastname: ' ',
    };
    const admin = {
      ...blankUser(2, now),
      username: 'admin',
      firstname: 'Admin',
      lastname: 'User',
      email: 'admin@moodle.emulator.local',
    };
    this.t = {
      users: new Map(),
      courses: new Map(),
      enrolments: [],
      completions: [],
      lastUserId: 2,
      lastCourseId: 1,
    };
    this.t.users.set(1, guest);
    this.t.users.set(2, admin);
    this.t.courses.set(1, {
      id: 1,
      category: 0,
      sortorder: 1,
      fullname: this.site.fullname,
      shortname: this.site.shortname,
      idnumber: '',
      summary: '',
      format: 'site',
      startdate: 0,
      enddate: 0,
      visible: 1,
      enablecompletion: 0,
      timecreated: now,
      timemodified: now,
      enrolMethods: [],
      completionCriteria: [],
    });
  }

  /** Runs `work` as one database transaction: a throw undoes every change it made. */
  transaction<T>(work: () => T): T {
    const saved = structuredClone(this.t);
    try {
      return work();
    } catch (e) {
      this.t = saved;
      throw e;
    }
  }

  /** The id of the administrator the web service tokens belong to. */
  readonly adminId = 2;

  /** Every user row, deleted ones included, in id order. */
  allUsers(): MoodleUser[] {
    return [...this.t.users.values()];
  }

  /** Users that are not deleted, in id order (without guest and admin unless `withSystemUsers`). */
  users(withSystemUsers = false): MoodleUser[] {
    return this.allUsers().filter((u) => !u.deleted && (withSystemUsers || u.id > 2));
  }

  /** A user row by id, deleted or not. */
  user(id: number): MoodleUser | undefined {
    return this.t.users.get(id);
  }

  /** Users (not deleted) whose `field` equals `value` exactly, as an SQL `=` on PostgreSQL. */
  usersBy(field: 'id' | 'idnumber' | 'username' | 'email', value: string | number): MoodleUser[] {
    return this.allUsers().filter((u) => String(u[field]) === String(value));
  }

  /** Whether a user (deleted rows aside) already has this e-mail, compared case-insensitively. */
  emailTaken(email: string, exceptId?: number): boolean {
    const lower = email.toLowerCase();
    return this.allUsers().some((u) => u.id !== exceptId && u.email.toLowerCase() === lower);
  }

  /** Inserts a user; the caller has validated it. */
  insertUser(fields: Partial<MoodleUser>): MoodleUser {
    const user: MoodleUser = { ...blankUser(++this.t.lastUserId, this.now()), ...fields };
    user.id = this.t.lastUserId;
    this.t.users.set(user.id, user);
    return user;
  }

  /** Applies changes to a user row and stamps `timemodified`. */
  updateUser(user: MoodleUser, changes: Partial<MoodleUser>): MoodleUser {
    Object.assign(user, changes, { timemodified: this.now() });
    return user;
  }

  /** `user_delete_user`: marks the row deleted, frees its username and e-mail, drops its enrolments. */
  deleteUser(user: MoodleUser): void {
    const now = this.now();
    Object.assign(user, {
      deleted: true,
      username: `${user.email}.${now}`,
      email: md5(user.username),
      idnumber: '',
      timemodified: now,
    });
    this.t.enrolments = this.t.enrolments.filter((e) => e.userid !== user.id);
  }

  /** Every course, the front page (id 1) included, in id order. */
  courses(): MoodleCourse[] {
    return [...this.t.courses.values()];
  }

  /** A course by id. */
  course(id: number): MoodleCourse | undefined {
    return this.t.courses.get(id);
  }

  /** Creates a course in category 1 (or the one given) with completion enabled and self completion. */
  createCourse(input: NewCourse): MoodleCourse {
    const now = this.now();
    const id = ++this.t.lastCourseId;
    if (this.courses().some((c) => c.shortname === input.shortname))
      throw new Error(`a course with shortname ${input.shortname} exists`);
    if (input.idnumber && this.courses().some((c) => c.idnumber === input.idnumber))
      throw new Error(`a course with idnumber ${input.idnumber} exists`);
    const course: MoodleCourse = {
      id,
      category: input.categoryid ?? 1,
      sortorder: 10_000 + id,
      fullname: input.fullname,
      shortname: input.shortname,
      idnumber: input.idnumber ?? '',
      summary: input.summary ?? '',
      format: input.format ?? 'topics',
      startdate: input.startdate ?? now,
      enddate: input.enddate ?? 0,
      visible: input.visible === false ? 0 : 1,
      enablecompletion: input.enablecompletion === false ? 0 : 1,
      timecreated: now,
      timemodified: now,
      enrolMethods: input.enrolMethods ?? ['manual'],
      completionCriteria: input.completionCriteria ?? [SELF_COMPLETION],
    };
    this.t.courses.set(id, course);
    return course;
  }

  /** Enrolments, of one course or of all. */
  enrolments(courseid?: number): MoodleEnrolment[] {
    return this.t.enrolments.filter((e) => courseid === undefined || e.courseid === courseid);
  }

  /** The enrolment of a user in a course. */
  enrolment(userid: number, courseid: number): MoodleEnrolment | undefined {
    return this.t.enrolments.find((e) => e.userid === userid && e.courseid === courseid);
  }

  /** `enrol_plugin::enrol_user`: creates or updates the enrolment and adds the role. */
  enrol(
    userid: number,
    courseid: number,
    roleid: number,
    fields: Pick<MoodleEnrolment, 'status' | 'timestart' | 'timeend'>,
  ): MoodleEnrolment {
    const existing = this.enrolment(userid, courseid);
    if (existing) {
      Object.assign(existing, fields);
      if (!existing.roleids.includes(roleid)) existing.roleids.push(roleid);
      return existing;
    }
    const created: MoodleEnrolment = {
      userid,
      courseid,
      roleids: [roleid],
      ...fields,
      timecreated: this.now(),
    };
    this.t.enrolments.push(created);
    return created;
  }

  /** `enrol_plugin::unenrol_user`: removes the enrolment and its role assignments (nothing if none). */
  unenrol(userid: number, courseid: number): void {
    this.t.enrolments = this.t.enrolments.filter((e) => !(e.userid === userid && e.courseid === courseid));
  }

  /** Completed courses, of one user or of all. */
  completions(userid?: number): MoodleCompletion[] {
    return this.t.completions.filter((c) => userid === undefined || c.userid === userid);
  }

  /** The completion of a user in a course, if completed. */
  completion(userid: number, courseid: number): MoodleCompletion | undefined {
    return this.t.completions.find((c) => c.userid === userid && c.courseid === courseid);
  }

  /** Marks every criterion and the course complete for the user, as when a learner finishes a course. */
  completeCourse(userid: number, courseid: number, timecompleted = this.now()): MoodleCompletion {
    if (!this.course(courseid)) throw new Error(`no course ${courseid}`);
    if (!this.user(userid)) throw new Error(`no user ${userid}`);
    const existing = this.completion(userid, courseid);
    if (existing) {
      existing.timecompleted = timecompleted;
      return existing;
    }
    const created = { userid, courseid, timecompleted };
    this.t.completions.push(created);
    return created;
  }
}
