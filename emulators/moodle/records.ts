/**
 * The site's records as the emulator keeps them (the `mdl_user`, `mdl_course`, enrolment and completion
 * rows the emulated functions read and write), the standard roles, and the defaults of new records.
 */

/** One row of `mdl_user` (the fields the emulated functions read or write). */
export interface MoodleUser {
  id: number;
  username: string;
  auth: string;
  confirmed: boolean;
  deleted: boolean;
  suspended: boolean;
  idnumber: string;
  firstname: string;
  lastname: string;
  email: string;
  /** Never returned; `''` when Moodle was asked to create (and mail) one. */
  password: string;
  lang: string;
  theme: string;
  timezone: string;
  calendartype: string;
  mailformat: number;
  maildisplay: number;
  description: string;
  city: string;
  country: string;
  institution: string;
  department: string;
  phone1: string;
  phone2: string;
  address: string;
  /** Additional names and other free text fields (middlename, alternatename, …). */
  extra: Record<string, string>;
  interests: string;
  firstaccess: number;
  lastaccess: number;
  timecreated: number;
  timemodified: number;
  customfields: Record<string, string>;
  preferences: Record<string, string>;
}

/** A course completion criterion (`course_completion_criteria`). */
export interface CompletionCriterion {
  /** COMPLETION_CRITERIA_TYPE_*: 1 self, 2 date, 3 unenrol, 4 activity, 5 duration, 6 grade, 7 role, 8 course. */
  type: number;
  title: string;
  details: { type: string; criteria: string; requirement: string };
}

/** One row of `mdl_course`. */
export interface MoodleCourse {
  id: number;
  category: number;
  sortorder: number;
  fullname: string;
  shortname: string;
  idnumber: string;
  summary: string;
  format: string;
  startdate: number;
  enddate: number;
  visible: number;
  enablecompletion: number;
  timecreated: number;
  timemodified: number;
  /** Enabled enrolment instances; a course without `manual` refuses manual enrolments (`wsnoinstance`). */
  enrolMethods: string[];
  completionCriteria: CompletionCriterion[];
}

/** A manual enrolment (`user_enrolments` plus the role assignments in the course). */
export interface MoodleEnrolment {
  userid: number;
  courseid: number;
  roleids: number[];
  /** ENROL_USER_ACTIVE (0) or ENROL_USER_SUSPENDED (1). */
  status: 0 | 1;
  timestart: number;
  timeend: number;
  timecreated: number;
}

/** A completed course (`course_completions` with `timecompleted` set). */
export interface MoodleCompletion {
  userid: number;
  courseid: number;
  timecompleted: number;
}

/** The standard roles of a Moodle install (id, shortname); names are empty, Moodle shows localised ones. */
export const ROLES = [
  { id: 1, shortname: 'manager' },
  { id: 2, shortname: 'coursecreator' },
  { id: 3, shortname: 'editingteacher' },
  { id: 4, shortname: 'teacher' },
  { id: 5, shortname: 'student' },
  { id: 6, shortname: 'guest' },
  { id: 7, shortname: 'user' },
  { id: 8, shortname: 'frontpage' },
] as const;
/** Roles an administrator may assign in a course context (the others live at system or category level). */
export const COURSE_ASSIGNABLE_ROLES: readonly number[] = [1, 3, 4, 5];
/** The role of the users Moodle tracks in completion (`moodle/course:isincompletionreports`). */
export const STUDENT_ROLE = 5;
/** The role shown as course contact (the site's default `coursecontact`). */
export const CONTACT_ROLE = 3;

/** Self completion, the criterion courses created by the emulator get unless told otherwise. */
export const SELF_COMPLETION: CompletionCriterion = {
  type: 1,
  title: 'Self completion',
  details: { type: 'Self completion', criteria: '', requirement: 'Marking yourself complete' },
};

/** Fields of a new course; everything else takes the defaults of a new Moodle course. */
export interface NewCourse {
  fullname: string;
  shortname: string;
  idnumber?: string;
  categoryid?: number;
  summary?: string;
  format?: string;
  visible?: boolean;
  enablecompletion?: boolean;
  startdate?: number;
  enddate?: number;
  enrolMethods?: string[];
  completionCriteria?: CompletionCriterion[];
}

/** A user row with the defaults of `user_create_user`. */
export function blankUser(id: number, now: number): MoodleUser {
  return {
    id,
    username: '',
    auth: 'manual',
    confirmed: true,
    deleted: false,
    suspended: false,
    idnumber: '',
    firstname: '',
    lastname: '',
    email: '',
    password: '',
    lang: 'en',
    theme: '',
    timezone: '99',
    calendartype: 'gregorian',
    mailformat: 1,
    maildisplay: 2,
    description: '',
    city: '',
    country: '',
    institution: '',
    department: '',
    phone1: '',
    phone2: '',
    address: '',
    extra: {},
    interests: '',
    firstaccess: 0,
    lastaccess: 0,
    timecreated: now,
    timemodified: now,
    customfields: {},
    preferences: {},
  };
}
