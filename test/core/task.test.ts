import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { MAX_INTERVAL_MINUTES, ScheduleSchema, TaskSchema } from '../../src/core/task.ts';
import { NOTIFY_ON } from '../../src/core/types.ts';

/** What `schema` makes of `input`; fails the test when it refuses it. */
function parsed(schema: z.ZodType, input: unknown): unknown {
  const r = schema.safeParse(input);
  assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues));
  return r.data;
}

/** The issues `schema` refuses `input` with, as `path: code message` lines (no path: the object itself). */
function refused(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input);
  assert.ok(!r.success, `expected a refusal, got ${JSON.stringify(r.data)}`);
  return lines(r.error.issues);
}

type Issue = z.core.$ZodIssue;
/** `issues` as lines, with each branch's issues of a union that none fitted (`branch N:` before them). */
function lines(issues: readonly Issue[], prefix = ''): string[] {
  return issues.flatMap((i) =>
    i.code === 'invalid_union' && i.errors.length
      ? i.errors.flatMap((branch, n) => lines(branch, `${prefix}branch ${n}: `))
      : [`${prefix}${i.path.length ? `${i.path.join('.')}: ` : ''}${i.code} ${i.message}`],
  );
}

const TOO_SHORT = 'too_small Too small: expected string to have >=1 characters';
const NOT_POSITIVE = 'too_small Too small: expected number to be >0';
const OVER_A_WEEK = 'too_big Too big: expected number to be <=10080';
const ID_FORMAT = 'invalid_format letters, digits, - and _ only';

const MINIMAL = { id: 'people-sync', name: 'People', mappingId: 'people' };
const task = (patch: Record<string, unknown> = {}) => ({ ...MINIMAL, ...patch });
/** The parsed task's `key`. */
const parsedKey = (patch: Record<string, unknown>, key: string) =>
  (parsed(TaskSchema, task(patch)) as Record<string, unknown>)[key];

describe('schedules', () => {
  test('MAX_INTERVAL_MINUTES is one week', () => {
    assert.equal(MAX_INTERVAL_MINUTES, 10_080);
  });

  test('an interval from a fraction of a minute up to exactly a week is kept; a minute more is refused', () => {
    for (const everyMinutes of [0.5, 1, 15, MAX_INTERVAL_MINUTES]) {
      assert.deepEqual(parsed(ScheduleSchema, { everyMinutes }), { everyMinutes });
    }
    assert.deepEqual(refused(ScheduleSchema, { everyMinutes: MAX_INTERVAL_MINUTES + 1 }), [
      `everyMinutes: ${OVER_A_WEEK}`,
    ]);
  });

  test('an interval of zero or less is refused at everyMinutes and, in the scheduler words, at the schedule', () => {
    for (const everyMinutes of [0, -5]) {
      assert.deepEqual(refused(ScheduleSchema, { everyMinutes }), [
        `everyMinutes: ${NOT_POSITIVE}`,
        'custom everyMinutes must be a positive number',
      ]);
    }
  });

  test('a cron pattern with or without a time zone is kept', () => {
    assert.deepEqual(parsed(ScheduleSchema, { cron: '0 6 * * 1-5' }), { cron: '0 6 * * 1-5' });
    assert.deepEqual(parsed(ScheduleSchema, { cron: '*/15 * * * *', timezone: 'Europe/Zurich' }), {
      cron: '*/15 * * * *',
      timezone: 'Europe/Zurich',
    });
  });

  test('a cron pattern the scheduler cannot use is refused at cron with its reason', () => {
    const issues = refused(ScheduleSchema, { cron: 'every day' });
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0] ?? '', /^cron: custom invalid cron expression 'every day': \S.*$/);
    const empty = refused(ScheduleSchema, { cron: '' });
    assert.equal(empty[0], `cron: ${TOO_SHORT}`);
    assert.match(empty[1] ?? '', /^cron: custom invalid cron expression '': /);
    assert.equal(empty.length, 2);
  });

  test('an unknown time zone is refused at cron, naming it', () => {
    assert.deepEqual(refused(ScheduleSchema, { cron: '0 6 * * *', timezone: 'Mars/Olympus' }), [
      "cron: custom unknown time zone 'Mars/Olympus'",
    ]);
  });

  test('on changes alone, or beside an interval or a cron, is kept', () => {
    const schedules = [
      { onChange: true },
      { onChange: true, changeGapMinutes: 5 },
      { everyMinutes: 60, onChange: true, changeGapMinutes: 2.5 },
      { everyMinutes: 60, onChange: false },
      { cron: '0 * * * *', timezone: 'UTC', onChange: true, changeGapMinutes: MAX_INTERVAL_MINUTES },
    ];
    for (const schedule of schedules) assert.deepEqual(parsed(ScheduleSchema, schedule), schedule);
  });

  test('onChange false alone is no schedule: refused', () => {
    assert.deepEqual(refused(ScheduleSchema, { onChange: false }), [
      'branch 0: everyMinutes: invalid_type Invalid input: expected number, received undefined',
      'branch 1: cron: invalid_type Invalid input: expected string, received undefined',
      'branch 2: onChange: invalid_value Invalid input: expected true',
    ]);
    assert.equal(ScheduleSchema.safeParse({}).success, false);
    assert.equal(ScheduleSchema.safeParse({ changeGapMinutes: 5 }).success, false);
  });

  test('the change gap is above zero and at most a week, beside each kind of schedule', () => {
    // A union none of whose branches fits reports each branch; the branch of the schedule's kind names the gap alone.
    const bases = [
      [{ onChange: true }, ''],
      [{ everyMinutes: 60, onChange: true }, 'branch 0: '],
      [{ cron: '0 * * * *', onChange: true }, 'branch 1: '],
    ] as const;
    for (const [base, branch] of bases) {
      assert.deepEqual(parsed(ScheduleSchema, { ...base, changeGapMinutes: MAX_INTERVAL_MINUTES }), {
        ...base,
        changeGapMinutes: MAX_INTERVAL_MINUTES,
      });
      for (const [changeGapMinutes, problem] of [
        [MAX_INTERVAL_MINUTES + 1, OVER_A_WEEK],
        [0, NOT_POSITIVE],
      ] as const) {
        const issues = refused(ScheduleSchema, { ...base, changeGapMinutes });
        const ofBranch = issues.filter(
          (i) => i.startsWith(branch) && !/^branch \d/.test(i.slice(branch.length)),
        );
        assert.deepEqual(ofBranch, [`${branch}changeGapMinutes: ${problem}`], issues.join('\n'));
      }
    }
  });

  test('a misspelt schedule key is refused, not ignored', () => {
    assert.deepEqual(refused(ScheduleSchema, { everyMinutes: 5, onchange: true }), [
      'unrecognized_keys Unrecognized key: "onchange"',
    ]);
    assert.deepEqual(refused(ScheduleSchema, { cron: '0 * * * *', timeZone: 'UTC' }), [
      'unrecognized_keys Unrecognized key: "timeZone"',
    ]);
    assert.deepEqual(refused(ScheduleSchema, { onChange: true, changeGap: 5 }), [
      'unrecognized_keys Unrecognized key: "changeGap"',
    ]);
  });

  test('an interval and a cron together are refused: a schedule is one or the other', () => {
    assert.deepEqual(refused(ScheduleSchema, { everyMinutes: 5, cron: '0 * * * *' }), [
      'branch 0: unrecognized_keys Unrecognized key: "cron"',
      'branch 1: unrecognized_keys Unrecognized key: "everyMinutes"',
      'branch 2: onChange: invalid_value Invalid input: expected true',
      'branch 2: unrecognized_keys Unrecognized keys: "everyMinutes", "cron"',
    ]);
  });
});

describe('tasks', () => {
  test('a minimal task runs only when asked, enabled, incrementally, mailing failures to the default recipients', () => {
    assert.deepEqual(parsed(TaskSchema, task()), {
      ...MINIMAL,
      schedule: null,
      enabled: true,
      mode: 'incremental',
      notify: { on: ['failure'], to: [] },
      params: {},
    });
  });

  test('a full task keeps every setting it is given', () => {
    const full = {
      ...MINIMAL,
      schedule: { cron: '0 6 * * *', timezone: 'Europe/Zurich', onChange: true, changeGapMinutes: 10 },
      enabled: false,
      mode: 'full',
      notify: { on: ['success', 'warning'], to: ['ops@example.ch', 'it@example.ch'] },
      deletionGuard: { percent: 25.5, atLeast: 3 },
      after: ['companies-sync', 'orgs'],
      params: { since: '2025-01-01', limit: 5, nested: { a: [1] } },
    };
    assert.deepEqual(parsed(TaskSchema, full), full);
  });

  test('a null schedule is kept as null (runs only when asked)', () => {
    assert.equal(parsedKey({ schedule: null }, 'schedule'), null);
    assert.deepEqual(parsedKey({ schedule: { everyMinutes: 15 } }, 'schedule'), { everyMinutes: 15 });
  });

  test("a schedule's problems are reported inside the task at schedule", () => {
    assert.deepEqual(refused(TaskSchema, task({ schedule: { cron: '0 6 * * *', timezone: 'Nowhere' } })), [
      "schedule.cron: custom unknown time zone 'Nowhere'",
    ]);
    assert.deepEqual(refused(TaskSchema, task({ schedule: { everyMinutes: 5, x: 1 } })), [
      'schedule: unrecognized_keys Unrecognized key: "x"',
    ]);
  });

  test('ids of letters, digits, - and _ are accepted, starting with a letter or digit, any case', () => {
    for (const id of ['a', 'z', 'A', 'Z', '0', '9', 'xa', 'xz', 'x0', 'x9', 'x-', 'x_', 'Sync-2025_v2']) {
      assert.equal(parsedKey({ id }, 'id'), id);
    }
  });

  test('an id with another character, or starting with - or _, is refused with the id rule', () => {
    for (const id of ['-a', '_a', 'a b', ' a', 'a ', 'a.b', 'a/b', 'zürich', 'a\nb']) {
      assert.deepEqual(refused(TaskSchema, task({ id })), [`id: ${ID_FORMAT}`], JSON.stringify(id));
    }
    assert.deepEqual(refused(TaskSchema, task({ id: '' })), [`id: ${TOO_SHORT}`, `id: ${ID_FORMAT}`]);
  });

  test('the name and the mapping are required and not empty', () => {
    assert.deepEqual(refused(TaskSchema, task({ name: '' })), [`name: ${TOO_SHORT}`]);
    assert.deepEqual(refused(TaskSchema, task({ mappingId: '' })), [`mappingId: ${TOO_SHORT}`]);
    for (const key of ['id', 'name', 'mappingId'] as const) {
      const { [key]: _, ...without } = task();
      assert.deepEqual(refused(TaskSchema, without), [
        `${key}: invalid_type Invalid input: expected string, received undefined`,
      ]);
    }
  });

  test('enabled is kept as given and must be a boolean', () => {
    assert.equal(parsedKey({ enabled: false }, 'enabled'), false);
    assert.equal(parsedKey({ enabled: true }, 'enabled'), true);
    assert.deepEqual(refused(TaskSchema, task({ enabled: 'yes' })), [
      'enabled: invalid_type Invalid input: expected boolean, received string',
    ]);
  });

  test('mode takes incremental and full and refuses a near-typo', () => {
    for (const mode of ['incremental', 'full']) assert.equal(parsedKey({ mode }, 'mode'), mode);
    for (const mode of ['Full', 'full ', 'incremental-full', '']) {
      assert.deepEqual(refused(TaskSchema, task({ mode })), [
        'mode: invalid_value Invalid option: expected one of "incremental"|"full"',
      ]);
    }
  });
});

describe('task notifications', () => {
  test('NOTIFY_ON lists the outcomes that can be mailed', () => {
    assert.deepEqual(NOTIFY_ON, ['success', 'warning', 'failure']);
  });

  test('an empty notify mails failures to the default recipients; a partial one gets the other default', () => {
    assert.deepEqual(parsedKey({ notify: {} }, 'notify'), { on: ['failure'], to: [] });
    assert.deepEqual(parsedKey({ notify: { to: ['a@example.ch'] } }, 'notify'), {
      on: ['failure'],
      to: ['a@example.ch'],
    });
    assert.deepEqual(parsedKey({ notify: { on: [] } }, 'notify'), { on: [], to: [] });
  });

  test('each outcome can be mailed; a misspelt one is refused at its place', () => {
    for (const on of NOTIFY_ON)
      assert.deepEqual(parsedKey({ notify: { on: [on] } }, 'notify'), { on: [on], to: [] });
    assert.deepEqual(refused(TaskSchema, task({ notify: { on: ['failure', 'failures'] } })), [
      'notify.on.1: invalid_value Invalid option: expected one of "success"|"warning"|"failure"',
    ]);
  });

  test('a recipient that is not an e-mail address is refused at its place', () => {
    assert.deepEqual(refused(TaskSchema, task({ notify: { to: ['ops@example.ch', 'ops'] } })), [
      'notify.to.1: invalid_format Invalid email address',
    ]);
  });

  test('a misspelt notify key is refused, not ignored', () => {
    assert.deepEqual(refused(TaskSchema, task({ notify: { on: ['failure'], cc: ['a@example.ch'] } })), [
      'notify: unrecognized_keys Unrecognized key: "cc"',
    ]);
  });
});

describe('the mass-deletion guard', () => {
  test('absent, the task has no guard of its own; empty, it gets 10 % and 20 records', () => {
    assert.equal('deletionGuard' in (parsed(TaskSchema, task()) as object), false);
    assert.deepEqual(parsedKey({ deletionGuard: {} }, 'deletionGuard'), { percent: 10, atLeast: 20 });
    assert.deepEqual(parsedKey({ deletionGuard: { percent: 50 } }, 'deletionGuard'), {
      percent: 50,
      atLeast: 20,
    });
    assert.deepEqual(parsedKey({ deletionGuard: { atLeast: 0 } }, 'deletionGuard'), {
      percent: 10,
      atLeast: 0,
    });
  });

  test('percent runs from 0 to 100, fractions allowed; below or above is refused', () => {
    for (const percent of [0, 0.5, 100]) {
      assert.deepEqual(parsedKey({ deletionGuard: { percent } }, 'deletionGuard'), { percent, atLeast: 20 });
    }
    assert.deepEqual(refused(TaskSchema, task({ deletionGuard: { percent: -0.5 } })), [
      'deletionGuard.percent: too_small Too small: expected number to be >=0',
    ]);
    assert.deepEqual(refused(TaskSchema, task({ deletionGuard: { percent: 100.5 } })), [
      'deletionGuard.percent: too_big Too big: expected number to be <=100',
    ]);
  });

  test('atLeast is a whole number from 0 up', () => {
    assert.deepEqual(parsedKey({ deletionGuard: { atLeast: 1_000_000 } }, 'deletionGuard'), {
      percent: 10,
      atLeast: 1_000_000,
    });
    assert.deepEqual(refused(TaskSchema, task({ deletionGuard: { atLeast: -1 } })), [
      'deletionGuard.atLeast: too_small Too small: expected number to be >=0',
    ]);
    assert.deepEqual(refused(TaskSchema, task({ deletionGuard: { atLeast: 2.5 } })), [
      'deletionGuard.atLeast: invalid_type Invalid input: expected int, received number',
    ]);
  });

  test('a misspelt guard key is refused, not ignored', () => {
    assert.deepEqual(refused(TaskSchema, task({ deletionGuard: { percentage: 5 } })), [
      'deletionGuard: unrecognized_keys Unrecognized key: "percentage"',
    ]);
  });
});

describe('task order and parameters', () => {
  test('after names the tasks to wait for, none empty, and is absent unless given', () => {
    assert.deepEqual(parsedKey({ after: ['a', 'bc'] }, 'after'), ['a', 'bc']);
    assert.deepEqual(parsedKey({ after: [] }, 'after'), []);
    assert.equal('after' in (parsed(TaskSchema, task()) as object), false);
    assert.deepEqual(refused(TaskSchema, task({ after: ['a', ''] })), [`after.1: ${TOO_SHORT}`]);
  });

  test('params are kept as given, of any value, and default to none', () => {
    assert.deepEqual(parsedKey({}, 'params'), {});
    assert.deepEqual(parsedKey({ params: { a: 1, b: null, c: [true] } }, 'params'), {
      a: 1,
      b: null,
      c: [true],
    });
    assert.deepEqual(refused(TaskSchema, task({ params: ['a'] })), [
      'params: invalid_type Invalid input: expected record, received array',
    ]);
  });
});

describe('misspelt task keys', () => {
  test('a misspelt top-level key is refused, not ignored, each one named', () => {
    assert.deepEqual(refused(TaskSchema, task({ shedule: { everyMinutes: 5 } })), [
      'unrecognized_keys Unrecognized key: "shedule"',
    ]);
    assert.deepEqual(refused(TaskSchema, task({ enable: false, mappingID: 'x' })), [
      'unrecognized_keys Unrecognized keys: "enable", "mappingID"',
    ]);
  });

  test("what the API and the dashboard add to a listed task is no key of the task's", () => {
    for (const key of ['kind', 'nextRunAt', 'lastExecution', 'recentExecutions', 'workspaceId'])
      assert.deepEqual(refused(TaskSchema, task({ [key]: null })), [
        `unrecognized_keys Unrecognized key: "${key}"`,
      ]);
  });

  test('the schemas derived for the API body and the configuration file refuse unknown keys too', () => {
    const { id: _id, ...body } = task({ shedule: null });
    assert.deepEqual(refused(TaskSchema.omit({ id: true }), body), [
      'unrecognized_keys Unrecognized key: "shedule"',
    ]);
    // The API's body takes no id (the path's); sent anyway, it is an unknown key, not a second id.
    assert.deepEqual(refused(TaskSchema.omit({ id: true }), task()), [
      'unrecognized_keys Unrecognized key: "id"',
    ]);
  });
});
