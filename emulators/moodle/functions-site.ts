/**
 * core_webservice_get_site_info (webservice/externallib.php) and core_completion_get_course_completion_status
 * (completion/classes/external.php). Note that the completion status carries no course-level completion
 * date: only each criterion's `timecompleted`.
 */
import { moodleException } from './errors.ts';
import { multiple, single, value, warnings } from './external.ts';
import { type CallContext, defineFunction } from './function.ts';
import { recordNotFound } from './record-lookup.ts';
import { STUDENT_ROLE } from './records.ts';

/** core_webservice_get_site_info: the token's user, the site and the functions its service offers. */
export const getSiteInfo = defineFunction({
  name: 'core_webservice_get_site_info',
  writes: false,
  parameters: single({ serviceshortnames: multiple(value('alphanumext'), 'default') }),
  returns: single({
    sitename: value('raw'),
    username: value('raw'),
    firstname: value('text'),
    lastname: value('text'),
    fullname: value('text'),
    lang: value('lang'),
    userid: value('int'),
    siteurl: value('raw'),
    userpictureurl: value('url'),
    functions: multiple(single({ name: value('raw'), version: value('text') })),
    downloadfiles: value('int', 'optional'),
    uploadfiles: value('int', 'optional'),
    release: value('text', 'optional'),
    version: value('text', 'optional'),
    mobilecssurl: value('url', 'optional'),
    advancedfeatures: multiple(single({ name: value('alphanumext'), value: value('int') }), 'optional'),
    usercanmanageownfiles: value('bool', 'optional'),
    userquota: value('int', 'optional'),
    usermaxuploadfilesize: value('int', 'optional'),
    userhomepage: value('int', 'optional'),
  }),
  execute(_params: unknown, ctx: CallContext) {
    const admin = ctx.state.user(ctx.state.adminId);
    const features = [
      'usecomments',
      'usetags',
      'enablenotes',
      'messaging',
      'enableblogs',
      'enablecompletion',
      'enablebadges',
    ];
    return {
      sitename: ctx.site.fullname,
      siteurl: ctx.wwwroot,
      username: admin?.username,
      firstname: admin?.firstname,
      lastname: admin?.lastname,
      fullname: `${admin?.firstname} ${admin?.lastname}`,
      lang: 'en',
      userid: ctx.state.adminId,
      userpictureurl: `${ctx.wwwroot}/theme/image.php/boost/core/1/u/f1`,
      downloadfiles: 0,
      uploadfiles: 0,
      release: ctx.site.release,
      version: ctx.site.version,
      functions: ctx.serviceFunctions.map((name) => ({ name, version: ctx.site.version })),
      mobilecssurl: '',
      advancedfeatures: [
        ...features.map((name) => ({ name, value: 1 })),
        { name: 'mnet_dispatcher_mode', value: 0 },
      ],
      usercanmanageownfiles: true,
      userquota: 0,
      usermaxuploadfilesize: -1,
      userhomepage: 1,
    };
  },
});

/** core_completion_get_course_completion_status for one enrolled student. */
export const getCourseCompletionStatus = defineFunction({
  name: 'core_completion_get_course_completion_status',
  writes: false,
  parameters: single({ courseid: value('int'), userid: value('int') }),
  returns: single({
    completionstatus: single({
      completed: value('bool'),
      aggregation: value('int'),
      completions: multiple(
        single({
          type: value('int'),
          title: value('text'),
          status: value('notags'),
          complete: value('bool'),
          timecompleted: value('int'),
          details: single({
            type: value('text'),
            criteria: value('raw'),
            requirement: value('text'),
            status: value('raw'),
          }),
        }),
      ),
    }),
    warnings: warnings(),
  }),
  execute({ courseid, userid }: { courseid: number; userid: number }, { state }: CallContext) {
    const course = state.course(courseid);
    if (!course) throw recordNotFound('course', { id: courseid });
    const user = state.user(userid);
    if (!user) throw recordNotFound('user', { id: userid });
    if (user.deleted) throw moodleException('userdeleted', 'This user account has been deleted');
    if (user.suspended) throw moodleException('suspended', 'Your account has been suspended');
    if (!course.enablecompletion) throw moodleException('cannotviewreport', 'You cannot view this report');
    const enrolment = state.enrolment(userid, courseid);
    const now = state.now();
    const tracked =
      enrolment !== undefined &&
      enrolment.status === 0 &&
      enrolment.timestart <= now &&
      (enrolment.timeend === 0 || enrolment.timeend > now) &&
      enrolment.roleids.includes(STUDENT_ROLE);
    if (!tracked) throw moodleException('usernotenroled', 'User is not enrolled in this course');
    if (course.completionCriteria.length === 0)
      throw moodleException('nocriteriaset', 'No completion criteria set for this course');
    const done = state.completion(userid, courseid);
    return {
      completionstatus: {
        completed: done !== undefined,
        aggregation: 1,
        completions: course.completionCriteria.map((c) => ({
          type: c.type,
          title: c.title,
          status: done ? 'Yes' : 'No',
          complete: done !== undefined,
          // Moodle leaves an unfinished criterion's timecompleted null, which clean_returnvalue passes on.
          timecompleted: done ? done.timecompleted : null,
          details: { ...c.details, status: done ? 'Yes' : 'No' },
        })),
      },
      warnings: [],
    };
  },
});
