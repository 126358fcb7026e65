import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  createMoodleEmulator,
  DEFAULT_TOKEN,
  encodeMoodleParams,
  type MoodleEmulator,
  REST_PATH,
} from '../../emulators/moodle/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any Moodle answer
type Answer = { status: number; headers: Headers; text: string; body: any };

type Params = Parameters<typeof encodeMoodleParams>[0];

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : undefined };
}

/** POSTs one web service call, form-encoded in Moodle's array syntax. */
async function ws(
  base: string,
  wsfunction: string,
  params: Params = {},
  token: string | null = DEFAULT_TOKEN,
) {
  const form = encodeMoodleParams({ wsfunction, moodlewsrestformat: 'json', ...params });
  if (token !== null) form.set('wstoken', token);
  return answer(await fetch(`${base}${REST_PATH}`, { method: 'POST', body: form }));
}

/** POSTs a raw urlencoded body (and optional query string), for the array-syntax tests. */
async function raw(base: string, body: string, query = '') {
  return answer(
    await fetch(`${base}${REST_PATH}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }),
  );
}

const ada = {
  username: 'ada',
  firstname: 'Ada',
  lastname: 'Lovelace',
  email: 'ada@example.ch',
  password: 'Secret-1',
};
const bob = {
  username: 'bob',
  firstname: 'Bob',
  lastname: 'Marley',
  email: 'bob@example.ch',
  password: 'Secret-1',
};

function assertException(a: Answer, exception: string, errorcode: string, debuginfo?: string | RegExp) {
  assert.equal(a.status, 200, 'Moodle answers errors with HTTP 200');
  assert.equal(a.body.exception, exception);
  assert.equal(a.body.errorcode, errorcode);
  assert.equal(typeof a.body.message, 'string');
  if (typeof debuginfo === 'string') assert.equal(a.body.debuginfo, debuginfo);
  else if (debuginfo) assert.match(a.body.debuginfo, debuginfo);
}

describe('Moodle emulator: protocol and errors', () => {
  let moodle: MoodleEmulator;
  let base: string;
  before(async () => {
    moodle = createMoodleEmulator({
      tokens: [DEFAULT_TOKEN, { token: 'readonlytoken', functions: ['core_webservice_get_site_info'] }],
    });
    base = await moodle.listen();
  });
  after(() => moodle.close());
  beforeEach(() => moodle.reset());

  test('core_webservice_get_site_info names the admin user, the release and the functions of the token', async () => {
    const a = await ws(base, 'core_webservice_get_site_info');
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(a.body.userid, 2);
    assert.equal(a.body.username, 'admin');
    assert.equal(a.body.siteurl, base);
    assert.equal(typeof a.body.release, 'string');
    assert.equal(typeof a.body.version, 'string');
    const names = a.body.functions.map((f: { name: string }) => f.name);
    assert.ok(names.includes('core_user_create_users'));
    assert.ok(names.includes('core_completion_get_course_completion_status'));
    assert.ok(a.text.includes('http:\\/\\/'), 'slashes are escaped as PHP json_encode does');
    const limited = await ws(base, 'core_webservice_get_site_info', {}, 'readonlytoken');
    assert.deepEqual(
      limited.body.functions.map((f: { name: string }) => f.name),
      ['core_webservice_get_site_info'],
    );
  });

  test('a wrong or missing token is moodle_exception invalidtoken, answered 200', async () => {
    for (const token of ['wrong', null]) {
      const a = await ws(base, 'core_webservice_get_site_info', {}, token);
      assertException(a, 'moodle_exception', 'invalidtoken');
      assert.equal(a.body.message, 'Invalid token - token not found');
      assert.equal(a.body.debuginfo, undefined);
    }
    assert.equal(moodle.stats.invalidTokens, 2);
  });

  test('a missing function name is invalidparameter; an unknown function is dml_missing_record_exception', async () => {
    assertException(
      await ws(base, ''),
      'invalid_parameter_exception',
      'invalidparameter',
      'Missing function name',
    );
    const unknown = await ws(base, 'core_course_create_coursez');
    assertException(unknown, 'dml_missing_record_exception', 'invalidrecord', /external_functions/);
    assert.equal(unknown.body.message, "Can't find data record in database table external_functions.");
  });

  test('a function outside the token service is webservice_access_exception accessexception', async () => {
    const a = await ws(base, 'core_user_get_users_by_field', { field: 'id', values: [2] }, 'readonlytoken');
    assertException(
      a,
      'webservice_access_exception',
      'accessexception',
      /core_user_get_users_by_field\(\) is not allowed/,
    );
    assert.equal(a.body.message, 'Access control exception');
  });

  test('without moodlewsrestformat=json the answer is Moodle XML, errors included', async () => {
    const ok = await answer(
      await fetch(`${base}${REST_PATH}?wstoken=${DEFAULT_TOKEN}&wsfunction=core_course_get_courses`),
    );
    assert.match(ok.headers.get('content-type') ?? '', /application\/xml/);
    assert.match(ok.text, /<RESPONSE>\n<MULTIPLE>\n<SINGLE>\n<KEY name="id"><VALUE>1<\/VALUE>/);
    const bad = await answer(
      await fetch(`${base}${REST_PATH}?wstoken=nope&wsfunction=core_course_get_courses`),
    );
    assert.match(bad.text, /<EXCEPTION class="moodle_exception">\n<ERRORCODE>invalidtoken<\/ERRORCODE>/);
  });

  test('debuginfo is left out when the site does not debug, as on a production site', async () => {
    const quiet = createMoodleEmulator({ site: { debug: false } });
    const url = await quiet.listen();
    try {
      const a = await ws(url, 'core_user_create_users', { users: [{ ...ada, email: undefined }] });
      assertException(a, 'invalid_parameter_exception', 'invalidparameter');
      assert.equal('debuginfo' in a.body, false);
    } finally {
      await quiet.close();
    }
  });
});

describe('Moodle emulator: array syntax', () => {
  let moodle: MoodleEmulator;
  let base: string;
  before(async () => {
    moodle = createMoodleEmulator();
    base = await moodle.listen();
  });
  after(() => moodle.close());
  beforeEach(() => moodle.reset());

  const auth = `wstoken=${DEFAULT_TOKEN}&moodlewsrestformat=json`;

  test('users[n][field] builds nested records, kept in the order sent, not in index order', async () => {
    const body =
      `${auth}&wsfunction=core_user_create_users` +
      '&users[7][username]=zoe&users[7][firstname]=Zoe&users[7][lastname]=Z&users[7][email]=zoe%40example.ch&users[7][password]=x' +
      '&users[2][username]=ann&users[2][firstname]=Ann&users[2][lastname]=A&users[2][email]=ann%40example.ch&users[2][password]=x';
    const a = await raw(base, body);
    assert.deepEqual(
      a.body.map((u: { username: string }) => u.username),
      ['zoe', 'ann'],
    );
    assert.ok(a.body.every((u: { id: unknown }) => typeof u.id === 'number'));
  });

  test('values[]= appends, GET and POST variables merge, and nested criteria parse', async () => {
    await ws(base, 'core_user_create_users', { users: [ada, bob] });
    const pushed = await raw(
      base,
      'field=username&values[]=ada&values[]=bob',
      `?${auth}&wsfunction=core_user_get_users_by_field`,
    );
    assert.deepEqual(
      pushed.body.map((u: { username: string }) => u.username),
      ['ada', 'bob'],
    );
    const courses = await raw(base, `${auth}&wsfunction=core_course_get_courses&options[ids][0]=1`);
    assert.deepEqual(
      courses.body.map((c: { id: number }) => c.id),
      [1],
    );
  });

  test('a multipart body is read like an urlencoded one', async () => {
    const form = new FormData();
    form.set('wstoken', DEFAULT_TOKEN);
    form.set('wsfunction', 'core_user_create_users');
    form.set('moodlewsrestformat', 'json');
    for (const [k, v] of Object.entries(ada)) form.set(`users[0][${k}]`, v);
    const a = await answer(await fetch(`${base}${REST_PATH}`, { method: 'POST', body: form }));
    assert.equal(a.body[0].username, 'ada');
  });

  test('unexpected keys, scalars for lists and lists for scalars are invalidparameter naming the place', async () => {
    const extra = await raw(
      base,
      `${auth}&wsfunction=core_user_create_users&users[0][nickname]=x&users[0][username]=a`,
    );
    assertException(
      extra,
      'invalid_parameter_exception',
      'invalidparameter',
      /^users => .*Missing required key/,
    );
    const unexpected = await ws(base, 'core_course_get_courses', { colour: 'red' });
    assertException(
      unexpected,
      'invalid_parameter_exception',
      'invalidparameter',
      'Unexpected keys (colour) detected in parameter array.',
    );
    const scalar = await raw(base, `${auth}&wsfunction=core_user_delete_users&userids=5`);
    assertException(
      scalar,
      'invalid_parameter_exception',
      'invalidparameter',
      /userids => .*Only arrays accepted/,
    );
    const list = await raw(
      base,
      `${auth}&wsfunction=core_completion_get_course_completion_status&courseid[0]=1&userid=3`,
    );
    assertException(
      list,
      'invalid_parameter_exception',
      'invalidparameter',
      /courseid => .*Scalar type expected/,
    );
    const notInt = await ws(base, 'core_user_delete_users', { userids: ['3abc'] });
    assertException(
      notInt,
      'invalid_parameter_exception',
      'invalidparameter',
      /the value is "3abc", the server was expecting "int" type/,
    );
  });
});

describe('Moodle emulator: users', () => {
  let moodle: MoodleEmulator;
  let base: string;
  before(async () => {
    moodle = createMoodleEmulator();
    base = await moodle.listen();
  });
  after(() => moodle.close());
  beforeEach(() => moodle.reset());

  test('core_user_create_users answers [{ id, username }] with numeric ids, and the user can be read back', async () => {
    const created = await ws(base, 'core_user_create_users', { users: [{ ...ada, idnumber: 'P-1' }, bob] });
    assert.deepEqual(created.body, [
      { id: 3, username: 'ada' },
      { id: 4, username: 'bob' },
    ]);
    for (const [field, value] of [
      ['id', 3],
      ['idnumber', 'P-1'],
      ['username', 'ada'],
      ['email', 'ada@example.ch'],
    ] as const) {
      const found = await ws(base, 'core_user_get_users_by_field', { field, values: [value] });
      assert.equal(found.body.length, 1, field);
      const user = found.body[0];
      assert.equal(user.id, 3);
      assert.equal(user.fullname, 'Ada Lovelace');
      assert.equal(user.idnumber, 'P-1');
      assert.equal(user.suspended, false);
      assert.equal(user.confirmed, true);
      assert.equal(user.auth, 'manual');
      assert.equal('password' in user, false);
      assert.equal('preferences' in user, false, 'preferences are only shown to the user itself');
    }
    const [admin] = (await ws(base, 'core_user_get_users_by_field', { field: 'id', values: [2] })).body;
    assert.deepEqual(admin.preferences, []);
    const bobFound = await ws(base, 'core_user_get_users_by_field', {
      field: 'email',
      values: ['bob@example.ch'],
    });
    assert.equal('idnumber' in bobFound.body[0], false, 'an empty idnumber is not returned');
  });

  test('an upper-case username is refused, as PARAM_USERNAME cleaning would change it', async () => {
    const a = await ws(base, 'core_user_create_users', { users: [{ ...ada, username: 'Ada' }] });
    assertException(
      a,
      'invalid_parameter_exception',
      'invalidparameter',
      'users => Invalid parameter value detected: username => Invalid parameter value detected: ' +
        'Invalid external api parameter: the value is "Ada", the server was expecting "username" type',
    );
    const lookup = await ws(base, 'core_user_get_users_by_field', { field: 'username', values: ['Ada'] });
    assertException(
      lookup,
      'invalid_parameter_exception',
      'invalidparameter',
      "The field 'username' value is invalid: Ada(cleaned value: ada)",
    );
  });

  test('required fields, blank names, a missing password, a bad e-mail and duplicates are refused', async () => {
    await ws(base, 'core_user_create_users', { users: [ada] });
    const cases: [Record<string, unknown>, string | RegExp][] = [
      [{ ...bob, email: undefined }, /Missing required key in single structure: email$/],
      [{ ...bob, lastname: undefined }, /Missing required key in single structure: lastname$/],
      [{ ...bob, firstname: '  ' }, 'The field firstname cannot be blank'],
      [
        { ...bob, password: undefined },
        'Invalid password: you must provide a password, or set createpassword.',
      ],
      [{ ...bob, email: 'not-an-address' }, 'Email address is invalid: not-an-address'],
      [{ ...bob, username: 'ada' }, 'Username already exists: ada'],
      [{ ...bob, email: 'ADA@Example.ch' }, 'Email address already exists: ADA@Example.ch'],
      [{ ...bob, auth: 'webservice' }, 'Invalid authentication type: webservice'],
      [{ ...bob, lang: 'de' }, /lang => .*expecting "lang" type/],
    ];
    for (const [user, debuginfo] of cases) {
      const a = await ws(base, 'core_user_create_users', { users: [user as Params] });
      assertException(a, 'invalid_parameter_exception', 'invalidparameter', debuginfo);
    }
    assert.equal(moodle.state.users().length, 1);
  });

  test('createpassword replaces the password, and a failing record undoes the whole batch', async () => {
    const a = await ws(base, 'core_user_create_users', {
      users: [{ ...bob, password: undefined, createpassword: true }],
    });
    assert.equal(a.body[0].username, 'bob');
    const batch = await ws(base, 'core_user_create_users', {
      users: [ada, { ...ada, username: 'ada2' }],
    });
    assertException(
      batch,
      'invalid_parameter_exception',
      'invalidparameter',
      'Email address already exists: ada@example.ch',
    );
    assert.deepEqual(
      moodle.state.users().map((u) => u.username),
      ['bob'],
    );
  });

  test('with allowaccountssameemail two accounts may share an address', async () => {
    const shared = createMoodleEmulator({ site: { allowAccountsSameEmail: true } });
    const url = await shared.listen();
    try {
      const a = await ws(url, 'core_user_create_users', { users: [ada, { ...bob, email: ada.email }] });
      assert.equal(a.body.length, 2);
    } finally {
      await shared.close();
    }
  });

  test('core_user_update_users answers null, suspends and changes fields; bad or taken e-mails are skipped silently', async () => {
    await ws(base, 'core_user_create_users', { users: [ada, bob] });
    const a = await ws(base, 'core_user_update_users', {
      users: [
        { id: 3, suspended: true, lastname: 'King', email: 'ada.king@example.ch' },
        { id: 4, email: 'ADA.KING@example.ch', firstname: 'Robert' },
        { id: 99, firstname: 'Nobody' },
      ],
    });
    assert.equal(a.status, 200);
    assert.equal(a.text, 'null');
    const [adaNow] = (await ws(base, 'core_user_get_users_by_field', { field: 'id', values: [3] })).body;
    assert.equal(adaNow.suspended, true);
    assert.equal(adaNow.lastname, 'King');
    assert.equal(adaNow.email, 'ada.king@example.ch');
    const bobNow = moodle.state.user(4);
    assert.equal(bobNow?.email, 'bob@example.ch', 'the taken address was not applied');
    assert.equal(bobNow?.firstname, 'Bob', 'the whole record was skipped');
    const unsuspend = await ws(base, 'core_user_update_users', { users: [{ id: 3, suspended: false }] });
    assert.equal(unsuspend.text, 'null');
    assert.equal(moodle.state.user(3)?.suspended, false);
    const wordy = await raw(
      base,
      `wstoken=${DEFAULT_TOKEN}&moodlewsrestformat=json&wsfunction=core_user_update_users&users[0][id]=3&users[0][suspended]=true`,
    );
    assertException(wordy, 'invalid_parameter_exception', 'invalidparameter', /expecting "bool" type/);
  });

  test('core_user_delete_users answers null and frees the username and e-mail; an unknown id undoes the batch', async () => {
    await ws(base, 'core_user_create_users', { users: [ada, bob] });
    const failed = await ws(base, 'core_user_delete_users', { userids: [3, 99] });
    assertException(
      failed,
      'dml_missing_record_exception',
      'invalidrecord',
      /\{user\} WHERE id = \? AND deleted = \?/,
    );
    assert.equal(moodle.state.user(3)?.deleted, false);
    const a = await ws(base, 'core_user_delete_users', { userids: [3] });
    assert.equal(a.text, 'null');
    const gone = await ws(base, 'core_user_get_users_by_field', { field: 'id', values: [3] });
    assert.deepEqual(gone.body, []);
    const again = await ws(base, 'core_user_create_users', { users: [ada] });
    assert.equal(again.body[0].id, 5);
    assertException(
      await ws(base, 'core_user_delete_users', { userids: [2] }),
      'moodle_exception',
      'useradminodelete',
    );
  });

  test('core_user_get_users_by_field refuses an unknown field with coding_exception', async () => {
    const a = await ws(base, 'core_user_get_users_by_field', { field: 'lastname', values: ['x'] });
    assertException(a, 'coding_exception', 'codingerror', /The search field 'lastname' is not supported/);
  });
});

describe('Moodle emulator: courses, enrolments and completion', () => {
  let moodle: MoodleEmulator;
  let base: string;
  let courseId: number;
  before(async () => {
    moodle = createMoodleEmulator();
    base = await moodle.listen();
  });
  after(() => moodle.close());
  beforeEach(async () => {
    moodle.reset();
    await ws(base, 'core_user_create_users', { users: [ada, bob] });
    const res = await fetch(`${base}/_emulator/courses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fullname: 'First aid', shortname: 'FA-1', idnumber: 'FA1' }),
    });
    assert.equal(res.status, 201);
    courseId = ((await res.json()) as { id: number }).id;
  });

  test('core_course_get_courses lists the front page and the courses; ids select', async () => {
    const all = await ws(base, 'core_course_get_courses');
    assert.deepEqual(
      all.body.map((c: { id: number; format: string }) => [c.id, c.format]),
      [
        [1, 'site'],
        [courseId, 'topics'],
      ],
    );
    const course = all.body[1];
    assert.equal(course.shortname, 'FA-1');
    assert.equal(course.idnumber, 'FA1');
    assert.equal(course.categoryid, 1);
    assert.equal(course.enablecompletion, 1);
    assert.equal(typeof course.startdate, 'number');
    const some = await ws(base, 'core_course_get_courses', { options: { ids: [courseId, 77] } });
    assert.deepEqual(
      some.body.map((c: { id: number }) => c.id),
      [courseId],
    );
  });

  test('core_course_get_courses_by_field finds by idnumber, shortname, id and ids, with warnings for unknown ids', async () => {
    for (const [field, value] of [
      ['idnumber', 'FA1'],
      ['shortname', 'FA-1'],
      ['id', String(courseId)],
    ]) {
      const a = await ws(base, 'core_course_get_courses_by_field', { field, value });
      assert.deepEqual(Object.keys(a.body), ['courses', 'warnings']);
      assert.equal(a.body.courses.length, 1, field);
      assert.equal(a.body.courses[0].id, courseId);
      assert.deepEqual(a.body.courses[0].enrollmentmethods, ['manual']);
    }
    const ids = await ws(base, 'core_course_get_courses_by_field', { field: 'ids', value: `${courseId},77` });
    assert.equal(ids.body.courses.length, 1);
    assert.deepEqual(ids.body.warnings, [
      { item: 'course', itemid: 77, warningcode: '1', message: 'No access rights in course context' },
    ]);
    const none = await ws(base, 'core_course_get_courses_by_field', { field: 'idnumber', value: 'nope' });
    assert.deepEqual(none.body, { courses: [], warnings: [] });
    const all = await ws(base, 'core_course_get_courses_by_field');
    assert.equal(all.body.courses.length, 2);
    assertException(
      await ws(base, 'core_course_get_courses_by_field', { field: 'fullname', value: 'x' }),
      'invalid_parameter_exception',
      'invalidparameter',
      'Invalid field name',
    );
  });

  test('enrol_manual_enrol_users answers null; enrolled users carry their roles; re-enrolling changes nothing', async () => {
    const a = await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [
        { roleid: 5, userid: 3, courseid: courseId },
        { roleid: 3, userid: 4, courseid: courseId },
      ],
    });
    assert.equal(a.text, 'null');
    await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [{ roleid: 5, userid: 3, courseid: courseId }],
    });
    const users = await ws(base, 'core_enrol_get_enrolled_users', { courseid: courseId });
    assert.deepEqual(
      users.body.map((u: { id: number; roles: { shortname: string; roleid: number }[] }) => [
        u.id,
        u.roles.map((r) => [r.roleid, r.shortname]),
      ]),
      [
        [3, [[5, 'student']]],
        [4, [[3, 'editingteacher']]],
      ],
    );
    assert.deepEqual(users.body[0].enrolledcourses, [
      { id: courseId, fullname: 'First aid', shortname: 'FA-1' },
    ]);
    assert.deepEqual(users.body[0].groups, []);
    assert.equal(users.body[0].suspended, undefined, 'not in the enrolled-user description');
    const byField = await ws(base, 'core_course_get_courses_by_field', {
      field: 'id',
      value: String(courseId),
    });
    assert.deepEqual(byField.body.courses[0].contacts, [{ id: 4, fullname: 'Bob Marley' }]);
  });

  test('enrolment errors: unknown course, role not assignable, unknown user; the batch is undone', async () => {
    assertException(
      await ws(base, 'enrol_manual_enrol_users', { enrolments: [{ roleid: 5, userid: 3, courseid: 99 }] }),
      'invalid_parameter_exception',
      'invalidparameter',
      'Context does not exist',
    );
    const role = await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [
        { roleid: 5, userid: 3, courseid: courseId },
        { roleid: 7, userid: 4, courseid: courseId },
      ],
    });
    assertException(role, 'moodle_exception', 'wsusercannotassign');
    assert.equal(moodle.state.enrolments(courseId).length, 0, 'the first enrolment was rolled back');
    assertException(
      await ws(base, 'enrol_manual_enrol_users', {
        enrolments: [{ roleid: 5, userid: 42, courseid: courseId }],
      }),
      'coding_exception',
      'codingerror',
    );
  });

  test('enrol_manual_unenrol_users removes the enrolment; an unknown course is invalidrecord', async () => {
    await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [{ roleid: 5, userid: 3, courseid: courseId }],
    });
    const a = await ws(base, 'enrol_manual_unenrol_users', {
      enrolments: [{ userid: 3, courseid: courseId }],
    });
    assert.equal(a.text, 'null');
    assert.deepEqual((await ws(base, 'core_enrol_get_enrolled_users', { courseid: courseId })).body, []);
    assertException(
      await ws(base, 'enrol_manual_unenrol_users', { enrolments: [{ userid: 3, courseid: 99 }] }),
      'dml_missing_record_exception',
      'invalidrecord',
    );
  });

  test('core_enrol_get_enrolled_users: onlyactive leaves out suspended enrolments; userfields and limits apply', async () => {
    await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [
        { roleid: 5, userid: 3, courseid: courseId },
        { roleid: 5, userid: 4, courseid: courseId, suspend: 1 },
      ],
    });
    const all = await ws(base, 'core_enrol_get_enrolled_users', { courseid: courseId });
    assert.equal(all.body.length, 2);
    const active = await ws(base, 'core_enrol_get_enrolled_users', {
      courseid: courseId,
      options: [{ name: 'onlyactive', value: '1' }],
    });
    assert.deepEqual(
      active.body.map((u: { id: number }) => u.id),
      [3],
    );
    const slim = await ws(base, 'core_enrol_get_enrolled_users', {
      courseid: courseId,
      options: [
        { name: 'userfields', value: 'id,email' },
        { name: 'limitfrom', value: '1' },
        { name: 'limitnumber', value: '1' },
      ],
    });
    assert.deepEqual(slim.body, [{ id: 4, fullname: 'Bob Marley', email: 'bob@example.ch' }]);
    assertException(
      await ws(base, 'core_enrol_get_enrolled_users', {
        courseid: courseId,
        options: [{ name: 'userfields', value: 'id,shoesize' }],
      }),
      'moodle_exception',
      'invaliduserfield',
    );
    assertException(
      await ws(base, 'core_enrol_get_enrolled_users', { courseid: 99 }),
      'dml_missing_record_exception',
      'invalidrecord',
      /\{course\}/,
    );
  });

  test('completion status: open until the learner completes; then completed with the criterion time', async () => {
    await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [{ roleid: 5, userid: 3, courseid: courseId }],
    });
    const open = await ws(base, 'core_completion_get_course_completion_status', {
      courseid: courseId,
      userid: 3,
    });
    assert.equal(open.body.completionstatus.completed, false);
    assert.equal(open.body.completionstatus.completions[0].timecompleted, null);
    assert.deepEqual(open.body.warnings, []);

    const res = await fetch(`${base}/_emulator/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userid: 3, courseid: courseId, timecompleted: 1_767_225_600 }),
    });
    assert.equal(res.status, 201);
    const done = await ws(base, 'core_completion_get_course_completion_status', {
      courseid: courseId,
      userid: 3,
    });
    assert.deepEqual(Object.keys(done.body.completionstatus), ['completed', 'aggregation', 'completions']);
    assert.equal(done.body.completionstatus.completed, true);
    assert.equal(done.body.completionstatus.aggregation, 1);
    const [criterion] = done.body.completionstatus.completions;
    assert.equal(criterion.complete, true);
    assert.equal(criterion.timecompleted, 1_767_225_600);
    assert.deepEqual(Object.keys(criterion), [
      'type',
      'title',
      'status',
      'complete',
      'timecompleted',
      'details',
    ]);
  });

  test('completion status errors: not enrolled, a teacher, an unknown course or user', async () => {
    assertException(
      await ws(base, 'core_completion_get_course_completion_status', { courseid: courseId, userid: 3 }),
      'moodle_exception',
      'usernotenroled',
    );
    await ws(base, 'enrol_manual_enrol_users', {
      enrolments: [{ roleid: 3, userid: 4, courseid: courseId }],
    });
    assertException(
      await ws(base, 'core_completion_get_course_completion_status', { courseid: courseId, userid: 4 }),
      'moodle_exception',
      'usernotenroled',
    );
    assertException(
      await ws(base, 'core_completion_get_course_completion_status', { courseid: 99, userid: 3 }),
      'dml_missing_record_exception',
      'invalidrecord',
    );
    assertException(
      await ws(base, 'core_completion_get_course_completion_status', { courseid: courseId, userid: 99 }),
      'dml_missing_record_exception',
      'invalidrecord',
    );
  });

  test('the admin routes show the site and refuse a duplicate shortname; stats count functions and writes', async () => {
    const dup = await fetch(`${base}/_emulator/courses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fullname: 'Again', shortname: 'FA-1' }),
    });
    assert.equal(dup.status, 409);
    const state = (await (await fetch(`${base}/_emulator/state`)).json()) as {
      users: { username: string; password?: string }[];
      courses: unknown[];
    };
    assert.deepEqual(
      state.users.map((u) => u.username),
      ['guest', 'admin', 'ada', 'bob'],
    );
    assert.equal(state.users[2]?.password, undefined);
    assert.equal(state.courses.length, 2);
    assert.equal(moodle.stats.byFunction.core_user_create_users, 1);
    assert.equal(moodle.stats.writes, 1);
  });
});

describe('Moodle emulator: faults', () => {
  let moodle: MoodleEmulator;
  let base: string;
  before(async () => {
    moodle = createMoodleEmulator({ rateLimit: { max: 3, intervalMs: 60_000 } });
    base = await moodle.listen();
  });
  after(() => moodle.close());
  beforeEach(() => moodle.reset());

  test('errorRate 1 answers 500, 502 or 503 with an HTML page, not a Moodle exception', async () => {
    moodle.setFaults({ errorRate: 1, seed: 7 });
    const a = await ws(base, 'core_webservice_get_site_info');
    assert.ok([500, 502, 503].includes(a.status));
    assert.match(a.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(moodle.stats.serverErrors, 1);
    assert.equal(moodle.stats.byFunction.core_webservice_get_site_info, undefined, 'the function never ran');
  });

  test('the rate limit per token answers 429 with Retry-After; a storm does so from the first call', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await ws(base, 'core_webservice_get_site_info')).status, 200);
    const limited = await ws(base, 'core_webservice_get_site_info');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    moodle.reset();
    const res = await fetch(`${base}/_emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimitStorm: true }),
    });
    assert.equal(res.status, 200);
    assert.equal((await ws(base, 'core_webservice_get_site_info')).status, 429);
    assert.equal(moodle.stats.rateLimited, 1);
  });

  test('a hung call is closed without an answer after timeoutMs; latency delays the answer', async () => {
    moodle.setFaults({ timeoutRate: 1, timeoutMs: 50, seed: 1 });
    await assert.rejects(ws(base, 'core_webservice_get_site_info'));
    assert.equal(moodle.stats.timeouts, 1);
    moodle.setFaults({ timeoutRate: 0, latencyMs: 60 });
    const started = Date.now();
    assert.equal((await ws(base, 'core_webservice_get_site_info')).status, 200);
    assert.ok(Date.now() - started >= 55);
  });

  test('the admin routes are never faulted', async () => {
    moodle.setFaults({ errorRate: 1, rateLimitStorm: true });
    assert.equal((await fetch(`${base}/_emulator/state`)).status, 200);
  });
});
