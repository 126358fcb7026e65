import { z } from 'zod';

/** Connection config of one Moodle site. */
export const MoodleConfigSchema = z.object({
  /** The site's address, e.g. https://lms.example.ch (the emulator's URL in tests and the demo). */
  baseUrl: z
    .string()
    .url()
    .meta({
      label: { de: 'Adresse der Moodle-Site', en: 'Moodle site address' },
      placeholder: 'https://lms.example.ch',
      widget: 'url',
    }),
  /** Web service calls per rolling 10 s. Moodle has no limit of its own; proxies in front of it may. */
  requestsPer10s: z
    .number()
    .int()
    .positive()
    .default(200)
    .meta({ label: { de: 'Anfragen pro 10 Sekunden', en: 'Requests per 10 seconds' }, widget: 'number' }),
  /** Write batches in flight at once. */
  concurrency: z.number().int().min(1).max(8).default(2),
  timeoutMs: z.number().int().positive().default(30_000),
});
export type MoodleConfig = z.infer<typeof MoodleConfigSchema>;

/** A web service token (Site administration → Server → Web services → Manage tokens), sent as `wstoken`. */
export const MoodleSecretSchema = z.object({
  token: z
    .string()
    .min(1)
    .meta({
      label: { de: 'Webservice-Token', en: 'Web service token' },
      help: {
        de: 'Website-Administration → Server → Webservices → Tokens verwalten',
        en: 'Site administration → Server → Web services → Manage tokens',
      },
    }),
});
export type MoodleSecret = z.infer<typeof MoodleSecretSchema>;

/** Every failed call: HTTP 200 with Moodle's exception (`debuginfo` only on sites that debug). */
export const MoodleErrorSchema = z.object({
  exception: z.string(),
  errorcode: z.string(),
  message: z.string().default(''),
  debuginfo: z.string().optional(),
});
export type MoodleErrorBody = z.infer<typeof MoodleErrorSchema>;

const warning = z.looseObject({
  item: z.string().optional(),
  itemid: z.number().optional(),
  warningcode: z.string().optional(),
  message: z.string().optional(),
});

/** A user as `core_user_get_users_by_field` returns it (empty optional fields are left out by Moodle). */
export const MoodleUserSchema = z.looseObject({
  id: z.number(),
  username: z.string().optional(),
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  email: z.string().optional(),
  idnumber: z.string().optional(),
  auth: z.string().optional(),
  suspended: z.boolean().optional(),
  department: z.string().optional(),
  institution: z.string().optional(),
  city: z.string().optional(),
  country: z.string().optional(),
  phone1: z.string().optional(),
  phone2: z.string().optional(),
  address: z.string().optional(),
  lang: z.string().optional(),
  timezone: z.string().optional(),
  customfields: z.array(z.looseObject({ shortname: z.string(), value: z.string() })).optional(),
});
export type MoodleUser = z.infer<typeof MoodleUserSchema>;
export const MoodleUsersSchema = z.array(MoodleUserSchema);

/** `core_user_create_users`: the new users' ids, in the order sent. */
export const MoodleCreatedUsersSchema = z.array(z.object({ id: z.number(), username: z.string() }));

/** Functions whose description returns nothing answer `null`; newer releases answer `{ warnings }`. */
export const MoodleWarningsSchema = z
  .union([z.null(), z.looseObject({ warnings: z.array(warning).default([]) })])
  .transform((v) => v?.warnings ?? []);

/** A course as `core_course_get_courses_by_field` and `core_course_get_courses` list it. */
export const MoodleCourseSchema = z.looseObject({
  id: z.number(),
  shortname: z.string(),
  fullname: z.string(),
  idnumber: z.string().optional(),
  format: z.string().optional(),
  enablecompletion: z.number().optional(),
});
export type MoodleCourse = z.infer<typeof MoodleCourseSchema>;
export const MoodleCoursesByFieldSchema = z.object({
  courses: z.array(MoodleCourseSchema),
  warnings: z.array(warning).default([]),
});
export const MoodleCoursesSchema = z.array(MoodleCourseSchema);

/** A user of `core_enrol_get_enrolled_users`, with the roles the user has in the course. */
export const MoodleEnrolledUserSchema = z.looseObject({
  id: z.number(),
  username: z.string().optional(),
  email: z.string().optional(),
  idnumber: z.string().optional(),
  roles: z.array(z.looseObject({ roleid: z.number(), shortname: z.string() })).optional(),
});
export type MoodleEnrolledUser = z.infer<typeof MoodleEnrolledUserSchema>;
export const MoodleEnrolledUsersSchema = z.array(MoodleEnrolledUserSchema);

/** `core_completion_get_course_completion_status`: no course-level date, only each criterion's. */
export const MoodleCompletionStatusSchema = z.object({
  completionstatus: z.object({
    completed: z.boolean(),
    aggregation: z.number().optional(),
    completions: z.array(
      z.looseObject({
        type: z.number(),
        complete: z.boolean(),
        timecompleted: z.number().nullable().optional(),
      }),
    ),
  }),
  warnings: z.array(warning).default([]),
});
export type MoodleCompletionStatus = z.infer<typeof MoodleCompletionStatusSchema>;

/** `core_webservice_get_site_info`, as far as the connection test reads it. */
export const MoodleSiteInfoSchema = z.looseObject({
  sitename: z.string(),
  username: z.string(),
  release: z.string().optional(),
  functions: z.array(z.object({ name: z.string() })).default([]),
});
