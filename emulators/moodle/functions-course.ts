/**
 * core_course_get_courses and core_course_get_courses_by_field, from course/externallib.php, as an
 * administrator (who holds moodle/course:update everywhere) sees them. Both list the front page (id 1)
 * when asked for every course, as Moodle does.
 */
import { invalidParameter } from './errors.ts';
import { multiple, single, value, warnings } from './external.ts';
import { type CallContext, defineFunction } from './function.ts';
import { cleanParam } from './param-types.ts';
import { CONTACT_ROLE, type MoodleCourse } from './records.ts';

const formatOption = single({ name: value('alphanumext'), value: value('raw') });

/** core_course_get_courses: every course, or those in `options[ids]`; unknown ids are left out. */
export const getCourses = defineFunction({
  name: 'core_course_get_courses',
  writes: false,
  parameters: single({ options: single({ ids: multiple(value('int'), 'optional') }, 'default') }),
  returns: multiple(
    single({
      id: value('int'),
      shortname: value('raw'),
      categoryid: value('int'),
      categorysortorder: value('int', 'optional'),
      fullname: value('raw'),
      displayname: value('raw'),
      idnumber: value('raw', 'optional'),
      summary: value('raw'),
      summaryformat: value('int'),
      format: value('plugin'),
      showgrades: value('int', 'optional'),
      newsitems: value('int', 'optional'),
      startdate: value('int'),
      enddate: value('int'),
      numsections: value('int', 'optional'),
      maxbytes: value('int', 'optional'),
      showreports: value('int', 'optional'),
      visible: value('int', 'optional'),
      hiddensections: value('int', 'optional'),
      groupmode: value('int', 'optional'),
      groupmodeforce: value('int', 'optional'),
      defaultgroupingid: value('int', 'optional'),
      timecreated: value('int', 'optional'),
      timemodified: value('int', 'optional'),
      enablecompletion: value('int', 'optional'),
      completionnotify: value('int', 'optional'),
      lang: value('safedir', 'optional'),
      forcetheme: value('plugin', 'optional'),
      courseformatoptions: multiple(formatOption, 'optional'),
    }),
  ),
  execute({ options }: { options: { ids?: number[] } }, { state }: CallContext) {
    const ids = options.ids ?? [];
    const courses = ids.length ? state.courses().filter((c) => ids.includes(c.id)) : state.courses();
    return courses.map((c) => {
      const site = c.format === 'site';
      const formatOptions = site
        ? []
        : [
            { name: 'hiddensections', value: '0' },
            { name: 'coursedisplay', value: '0' },
          ];
      return {
        id: c.id,
        fullname: c.fullname,
        shortname: c.shortname,
        displayname: c.fullname,
        categoryid: c.category,
        summary: c.summary,
        summaryformat: 1,
        format: c.format,
        startdate: c.startdate,
        enddate: c.enddate,
        numsections: site ? 0 : 4,
        categorysortorder: c.sortorder,
        idnumber: c.idnumber,
        showgrades: 1,
        showreports: 0,
        newsitems: site ? 3 : 5,
        visible: c.visible,
        maxbytes: 0,
        hiddensections: site ? undefined : 0,
        groupmode: 0,
        groupmodeforce: 0,
        defaultgroupingid: 0,
        lang: '',
        timecreated: c.timecreated,
        timemodified: c.timemodified,
        forcetheme: '',
        enablecompletion: c.enablecompletion,
        completionnotify: 0,
        courseformatoptions: formatOptions,
      };
    });
  },
});

/** get_course_structure(false): the course record of get_courses_by_field. */
const COURSE_STRUCTURE = single({
  id: value('int'),
  fullname: value('raw'),
  displayname: value('raw'),
  shortname: value('raw'),
  categoryid: value('int'),
  categoryname: value('raw'),
  sortorder: value('int', 'optional'),
  summary: value('raw'),
  summaryformat: value('int'),
  summaryfiles: multiple(single({ filename: value('raw') }), 'optional'),
  overviewfiles: multiple(single({ filename: value('raw') })),
  contacts: multiple(single({ id: value('int'), fullname: value('notags') })),
  enrollmentmethods: multiple(value('plugin')),
  customfields: multiple(
    single({
      name: value('raw'),
      shortname: value('raw'),
      type: value('alphanumext'),
      valueraw: value('raw'),
      value: value('raw'),
    }),
    'optional',
  ),
  idnumber: value('raw', 'optional'),
  format: value('plugin', 'optional'),
  showgrades: value('int', 'optional'),
  newsitems: value('int', 'optional'),
  startdate: value('int', 'optional'),
  enddate: value('int', 'optional'),
  maxbytes: value('int', 'optional'),
  showreports: value('int', 'optional'),
  visible: value('int', 'optional'),
  groupmode: value('int', 'optional'),
  groupmodeforce: value('int', 'optional'),
  defaultgroupingid: value('int', 'optional'),
  enablecompletion: value('int', 'optional'),
  completionnotify: value('int', 'optional'),
  lang: value('safedir', 'optional'),
  theme: value('plugin', 'optional'),
  marker: value('int', 'optional'),
  legacyfiles: value('int', 'optional'),
  calendartype: value('plugin', 'optional'),
  timecreated: value('int', 'optional'),
  timemodified: value('int', 'optional'),
  requested: value('int', 'optional'),
  cacherev: value('int', 'optional'),
  filters: multiple(
    single({ filter: value('plugin'), localstate: value('int'), inheritedstate: value('int') }),
    'optional',
  ),
  courseformatoptions: multiple(single({ name: value('raw'), value: value('raw') }), 'optional'),
});

function courseRecord(c: MoodleCourse, { state }: CallContext): Record<string, unknown> {
  const contacts = state
    .enrolments(c.id)
    .filter((e) => e.roleids.includes(CONTACT_ROLE))
    .map((e) => state.user(e.userid))
    .filter((u) => u !== undefined && !u.deleted)
    .map((u) => ({ id: u?.id, fullname: `${u?.firstname} ${u?.lastname}` }));
  return {
    id: c.id,
    fullname: c.fullname,
    displayname: c.fullname,
    shortname: c.shortname,
    categoryid: c.category,
    categoryname: c.category === 1 ? 'Category 1' : '',
    sortorder: c.sortorder,
    summary: c.summary,
    summaryformat: 1,
    summaryfiles: [],
    overviewfiles: [],
    contacts,
    enrollmentmethods: c.enrolMethods,
    format: c.format,
    showgrades: 1,
    newsitems: c.format === 'site' ? 3 : 5,
    startdate: c.startdate,
    enddate: c.enddate,
    maxbytes: 0,
    showreports: 0,
    visible: c.visible,
    groupmode: 0,
    groupmodeforce: 0,
    defaultgroupingid: 0,
    enablecompletion: c.enablecompletion,
    completionnotify: 0,
    lang: '',
    theme: '',
    marker: 0,
    filters: [],
    idnumber: c.idnumber,
    legacyfiles: 0,
    calendartype: '',
    timecreated: c.timecreated,
    timemodified: c.timemodified,
    requested: 0,
    cacherev: c.timemodified,
    courseformatoptions:
      c.format === 'site'
        ? undefined
        : [
            { name: 'hiddensections', value: 0 },
            { name: 'coursedisplay', value: 0 },
          ],
  };
}

/** core_course_get_courses_by_field: `field` '' (all), id, ids, shortname, idnumber or category. */
export const getCoursesByField = defineFunction({
  name: 'core_course_get_courses_by_field',
  writes: false,
  parameters: single({ field: value('alpha', { default: '' }), value: value('raw', { default: '' }) }),
  returns: single({ courses: multiple(COURSE_STRUCTURE), warnings: warnings() }),
  execute({ field, value: raw }: { field: string; value: string }, ctx: CallContext) {
    const all = ctx.state.courses();
    const found: { courses: MoodleCourse[]; warnings: Record<string, unknown>[] } = {
      courses: all,
      warnings: [],
    };
    switch (field) {
      case '':
        break;
      case 'id':
      case 'category': {
        const n = cleanParam(raw, 'int', ctx.site);
        found.courses = all.filter((c) => (field === 'id' ? c.id : c.category) === n);
        break;
      }
      case 'ids': {
        const ids = String(cleanParam(raw, 'sequence', ctx.site))
          .split(',')
          .filter(Boolean)
          .map(Number);
        found.courses = [];
        for (const id of ids) {
          const course = ctx.state.course(id);
          if (course) found.courses.push(course);
          else
            found.warnings.push({
              item: 'course',
              itemid: id,
              warningcode: '1',
              message: 'No access rights in course context',
            });
        }
        break;
      }
      case 'shortname':
      case 'idnumber': {
        const v = cleanParam(raw, field === 'shortname' ? 'text' : 'raw', ctx.site);
        found.courses = all.filter((c) => c[field] === v);
        break;
      }
      default:
        throw invalidParameter('Invalid field name');
    }
    return { courses: found.courses.map((c) => courseRecord(c, ctx)), warnings: found.warnings };
  },
});
