import { type Connector, defineConnector, type ObjectDescription, urlDestination } from '../connector.ts';
import { createMoodleClient } from './client.ts';
import { readCompletions, readCompletionsByKeys } from './completions.ts';
import { createCourseFinder } from './enrolment-fields.ts';
import { writeEnrolments } from './enrolments.ts';
import { MoodleConfigSchema, MoodleSecretSchema, MoodleSiteInfoSchema } from './schemas.ts';
import { lookupUsers } from './user-fields.ts';
import { writeUsers } from './users.ts';

/** The functions the connector calls: the token's service must offer them all. */
export const MOODLE_FUNCTIONS = [
  'core_webservice_get_site_info',
  'core_user_create_users',
  'core_user_update_users',
  'core_user_get_users_by_field',
  'core_user_delete_users',
  'core_course_get_courses',
  'core_course_get_courses_by_field',
  'enrol_manual_enrol_users',
  'enrol_manual_unenrol_users',
  'core_enrol_get_enrolled_users',
  'core_completion_get_course_completion_status',
];

/** Users, enrolments (targets) and completions (a source), with the fields a mapping may use. */
export const MOODLE_OBJECTS: ObjectDescription[] = [
  {
    name: 'users',
    label: 'Users',
    fields: [
      { name: 'id', label: 'Moodle user id', type: 'number', unique: true, readOnly: true },
      { name: 'idnumber', label: 'ID number (the business system’s key)', type: 'string', unique: true },
      { name: 'email', label: 'E-mail', type: 'string', unique: true, required: true },
      {
        name: 'username',
        label: 'Username (default: the e-mail, lower-cased)',
        type: 'string',
        unique: true,
      },
      { name: 'firstname', label: 'First name', type: 'string', required: true },
      { name: 'lastname', label: 'Last name', type: 'string', required: true },
      { name: 'auth', label: 'Authentication (manual, ldap, oauth2, …)', type: 'string' },
      { name: 'password', label: 'Password (absent: Moodle creates and mails one)', type: 'string' },
      { name: 'suspended', label: 'Suspended', type: 'boolean' },
      { name: 'institution', label: 'Institution', type: 'string' },
      { name: 'department', label: 'Department', type: 'string' },
      { name: 'phone1', label: 'Phone', type: 'string' },
      { name: 'phone2', label: 'Mobile phone', type: 'string' },
      { name: 'address', label: 'Address', type: 'string' },
      { name: 'city', label: 'City', type: 'string' },
      { name: 'country', label: 'Country (ISO code, e.g. CH)', type: 'string' },
      { name: 'lang', label: 'Language (an installed language pack)', type: 'string' },
      { name: 'timezone', label: 'Time zone', type: 'string' },
      { name: 'description', label: 'Description', type: 'string' },
    ],
  },
  {
    name: 'enrolments',
    label: 'Course enrolments (manual)',
    fields: [
      { name: 'id', label: 'Enrolment (<courseid>:<userid>)', type: 'string', unique: true },
      { name: 'userid', label: 'Moodle user id', type: 'number' },
      { name: 'user_idnumber', label: 'User by ID number', type: 'string' },
      { name: 'user_email', label: 'User by e-mail', type: 'string' },
      { name: 'user_username', label: 'User by username', type: 'string' },
      { name: 'courseid', label: 'Moodle course id', type: 'number' },
      { name: 'course_idnumber', label: 'Course by ID number', type: 'string' },
      { name: 'course_shortname', label: 'Course by short name', type: 'string' },
      {
        name: 'role',
        label: 'Role (default student)',
        type: 'enum',
        options: ['student', 'teacher', 'editingteacher', 'manager'].map((r) => ({ value: r, label: r })),
      },
      { name: 'roleid', label: 'Role id (5 = student)', type: 'number' },
      { name: 'timestart', label: 'Enrolment starts', type: 'datetime' },
      { name: 'timeend', label: 'Enrolment ends', type: 'datetime' },
      { name: 'suspended', label: 'Enrolment suspended', type: 'boolean' },
    ],
  },
  {
    name: 'completions',
    label: 'Course completions (read from Moodle)',
    fields: [
      { name: 'id', label: 'Enrolment (<courseid>:<userid>)', type: 'string', unique: true },
      { name: 'userid', label: 'Moodle user id', type: 'number' },
      { name: 'user_idnumber', label: 'User ID number', type: 'string' },
      { name: 'user_email', label: 'User e-mail', type: 'string' },
      { name: 'user_username', label: 'Username', type: 'string' },
      { name: 'courseid', label: 'Moodle course id', type: 'number' },
      { name: 'course_idnumber', label: 'Course ID number', type: 'string' },
      { name: 'course_shortname', label: 'Course short name', type: 'string' },
      { name: 'course_fullname', label: 'Course name', type: 'string' },
      { name: 'completed', label: 'Completed', type: 'boolean' },
      { name: 'timecompleted', label: 'Completed at (its last criterion)', type: 'datetime' },
    ],
  },
];

/**
 * Moodle (LMS) through its web services REST protocol: people → users (matched by `idnumber` or e-mail,
 * batched create and update, suspension as archive), enrolments → manual enrolments (student by default,
 * course by `idnumber` or short name), and course completions read back. Token auth (`wstoken`).
 */
export const moodleConnector = defineConnector({
  system: 'moodle',
  label: { de: 'Moodle (Lernplattform)', en: 'Moodle (learning platform)' },
  name: 'Moodle',
  mark: { short: 'MO', color: '#f98012' },
  auth: 'token',
  configSchema: MoodleConfigSchema,
  secretSchema: MoodleSecretSchema,
  destination: (config) => urlDestination(config.baseUrl),
  http: (config) => ({
    baseUrl: config.baseUrl,
    limits: { batchSize: 50, requestsPer10s: config.requestsPer10s, concurrency: config.concurrency },
    timeoutMs: config.timeoutMs,
  }),
  create(ctx): Connector {
    const client = createMoodleClient(ctx.http, ctx.secret.token);
    const findCourses = createCourseFinder(client);
    const unknown = (object: string): never => {
      throw new Error(`Moodle has no object '${object}' (users, enrolments, completions)`);
    };

    return {
      system: 'moodle',
      // 50 users a call stay under PHP's max_input_vars with every field mapped (calls are cut to fit anyway).
      limits: {
        batchSize: 50,
        requestsPer10s: ctx.config.requestsPer10s,
        concurrency: ctx.config.concurrency,
      },
      async describe() {
        return MOODLE_OBJECTS;
      },
      read(object) {
        if (object !== 'completions') throw new Error(`Moodle ${object} cannot be read; only completions`);
        return readCompletions(client, ctx.config.concurrency * 2);
      },
      async readByKeys(object, _keyField, keys) {
        if (object !== 'completions') throw new Error(`Moodle ${object} cannot be read; only completions`);
        return readCompletionsByKeys(client, keys, ctx.config.concurrency * 2);
      },
      async write(object, ops) {
        if (object === 'users') return writeUsers(client, ops);
        if (object === 'enrolments') return writeEnrolments(client, findCourses, ops);
        return unknown(object);
      },
      async lookup(object, property, values) {
        if (object !== 'users') throw new Error(`Moodle ${object} cannot be looked up; only users`);
        return lookupUsers(client, property, values);
      },
      async check() {
        try {
          const info = await client.call('core_webservice_get_site_info', {}, MoodleSiteInfoSchema);
          const offered = new Set(info.functions.map((f) => f.name));
          const missing = MOODLE_FUNCTIONS.filter((f) => !offered.has(f));
          if (missing.length)
            return {
              ok: false,
              message: `Moodle accepted the token, but its service lacks ${missing.join(', ')}`,
            };
          return { ok: true, message: `Moodle accepted the token (${info.sitename}, user ${info.username})` };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
    };
  },
});
