import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Schedule } from '../../src/core/types.ts';
import { bindSchedule, DEFAULT_LIMITS, type WorkspaceLimits } from '../../src/core/workspaces.ts';

const RANGE: WorkspaceLimits = { ...DEFAULT_LIMITS, minIntervalMinutes: 10, maxIntervalMinutes: 45 };
const WIDE: WorkspaceLimits = { ...DEFAULT_LIMITS, minIntervalMinutes: 30, maxIntervalMinutes: 120 };

/** The refusal bindSchedule throws, to compare its code, message and details. */
function refusal(schedule: Schedule, previous: Schedule | null, limits: WorkspaceLimits) {
  try {
    bindSchedule(schedule, previous, limits);
  } catch (err) {
    const e = err as { code: string; message: string; details?: Record<string, unknown> };
    return { code: e.code, message: e.message, details: e.details };
  }
  assert.fail(`${JSON.stringify(schedule)} was not refused`);
}

describe('bindSchedule: a workspace user’s interval', () => {
  test('an interval within the range, its ends included, is saved as given', () => {
    for (const everyMinutes of [10, 30, 45])
      assert.deepEqual(bindSchedule({ everyMinutes }, null, RANGE), { everyMinutes });
  });

  test('an interval below or above the range is refused interval_out_of_range at everyMinutes, naming the range', () => {
    assert.deepEqual(refusal({ everyMinutes: 5 }, null, RANGE), {
      code: 'interval_out_of_range',
      message: 'the interval must be between 10 and 45 minutes (5 given)',
      details: { field: 'everyMinutes', min: 10, max: 45 },
    });
    assert.deepEqual(refusal({ everyMinutes: 46 }, null, RANGE).details, {
      field: 'everyMinutes',
      min: 10,
      max: 45,
    });
  });

  test('the range is the workspace’s own, not the default one', () => {
    assert.equal(refusal({ everyMinutes: 20 }, null, WIDE).code, 'interval_out_of_range');
    assert.deepEqual(bindSchedule({ everyMinutes: 90 }, null, WIDE), { everyMinutes: 90 });
  });

  test('an interval kept as the instance administrator set it, outside the range, is not refused; a changed one is', () => {
    const kept: Schedule = { everyMinutes: 5, onChange: true, changeGapMinutes: 20 };
    assert.deepEqual(bindSchedule({ ...kept, changeGapMinutes: 30 }, kept, RANGE), {
      ...kept,
      changeGapMinutes: 30,
    });
    assert.equal(refusal({ ...kept, everyMinutes: 6 }, kept, RANGE).details?.field, 'everyMinutes');
    assert.equal(refusal(kept, { cron: '*/5 * * * *' }, RANGE).details?.field, 'everyMinutes');
  });

  test('a cron kept as it was is not refused; the same cron in another time zone, or a new cron, is', () => {
    const kept: Schedule = { cron: '*/5 * * * *', timezone: 'Europe/Zurich' };
    assert.deepEqual(bindSchedule({ ...kept }, kept, RANGE), kept);
    assert.equal(refusal({ cron: '*/5 * * * *' }, kept, RANGE).details?.field, 'cron');
    assert.equal(refusal({ ...kept, cron: '*/6 * * * *' }, kept, RANGE).details?.field, 'cron');
    assert.equal(refusal(kept, { everyMinutes: 5 }, RANGE).details?.field, 'cron');
  });
});

describe('bindSchedule: a workspace user’s cron', () => {
  test('a cron firing more often than the shortest interval is refused interval_out_of_range at cron', () => {
    assert.deepEqual(refusal({ cron: '*/5 * * * *' }, null, RANGE), {
      code: 'interval_out_of_range',
      message:
        'the schedule runs every 5 minutes at times; this workspace allows at most one run every 10 minutes',
      details: { field: 'cron', min: 10, max: 45 },
    });
  });

  test('a cron that fires closely only at times (two runs 5 minutes apart each hour) is refused', () => {
    assert.equal(refusal({ cron: '0,5 * * * *' }, null, RANGE).details?.field, 'cron');
  });

  test('a cron at the shortest interval and a nightly one (beyond the longest interval) are saved as given', () => {
    for (const cron of ['*/10 * * * *', '*/15 * * * *', '0 2 * * *'])
      assert.deepEqual(bindSchedule({ cron }, null, RANGE), { cron });
    const zoned: Schedule = { cron: '30 6 * * 1-5', timezone: 'Europe/Berlin' };
    assert.deepEqual(bindSchedule(zoned, null, RANGE), zoned);
  });
});

describe('bindSchedule: a workspace user’s change-driven task', () => {
  test('without a change gap it gets the shortest interval as its gap', () => {
    assert.deepEqual(bindSchedule({ onChange: true }, null, RANGE), { onChange: true, changeGapMinutes: 10 });
  });

  test('a change gap shorter than the shortest interval is refused interval_out_of_range at changeGapMinutes', () => {
    assert.deepEqual(refusal({ onChange: true, changeGapMinutes: 5 }, null, RANGE), {
      code: 'interval_out_of_range',
      message: 'changes may start a run at most every 10 minutes in this workspace (5 given)',
      details: { field: 'changeGapMinutes', min: 10, max: 45 },
    });
  });

  test('a change gap of at least the shortest interval is kept as given, beyond the longest interval too', () => {
    for (const changeGapMinutes of [10, 60])
      assert.deepEqual(bindSchedule({ onChange: true, changeGapMinutes }, null, RANGE), {
        onChange: true,
        changeGapMinutes,
      });
  });

  test('a gap left out keeps the previous one, raised to the shortest interval when it was shorter', () => {
    const schedule: Schedule = { everyMinutes: 20, onChange: true };
    assert.deepEqual(bindSchedule(schedule, { onChange: true, changeGapMinutes: 25 }, RANGE), {
      ...schedule,
      changeGapMinutes: 25,
    });
    assert.deepEqual(bindSchedule(schedule, { onChange: true, changeGapMinutes: 1 }, RANGE), {
      ...schedule,
      changeGapMinutes: 10,
    });
  });

  test('a gap sent back as the task has it, below the range, is kept raised to the shortest interval, not refused; a new short one is', () => {
    // The task form and the tasks page's enable/disable send the whole schedule the instance administrator set.
    const admins: Schedule = { everyMinutes: 20, onChange: true, changeGapMinutes: 2 };
    assert.deepEqual(bindSchedule({ ...admins }, admins, RANGE), { ...admins, changeGapMinutes: 10 });
    assert.equal(
      refusal({ ...admins, changeGapMinutes: 3 }, admins, RANGE).details?.field,
      'changeGapMinutes',
    );
    assert.equal(refusal({ ...admins }, { everyMinutes: 20 }, RANGE).details?.field, 'changeGapMinutes');
  });

  test('an interval-driven task gets no change gap', () => {
    assert.deepEqual(bindSchedule({ everyMinutes: 20 }, { onChange: true, changeGapMinutes: 25 }, RANGE), {
      everyMinutes: 20,
    });
  });

  test('the interval or cron is refused before the gap is looked at', () => {
    assert.equal(
      refusal({ cron: '* * * * *', onChange: true, changeGapMinutes: 1 }, null, RANGE).details?.field,
      'cron',
    );
  });
});

describe('bindSchedule: the instance administrator (no limits) and no schedule', () => {
  test('the instance administrator’s interval, cron and change gap are saved as given, however short', () => {
    for (const schedule of [
      { everyMinutes: 1 },
      { everyMinutes: 10_000 },
      { cron: '* * * * *' },
      { onChange: true, changeGapMinutes: 1 },
      { onChange: true },
    ] as Schedule[])
      assert.deepEqual(bindSchedule(schedule, null, null), schedule);
  });

  test('the instance administrator’s change-driven save without a gap keeps the previous one, not raised', () => {
    assert.deepEqual(bindSchedule({ onChange: true }, { onChange: true, changeGapMinutes: 3 }, null), {
      onChange: true,
      changeGapMinutes: 3,
    });
  });

  test('a task without a schedule (run only when asked) has nothing to bind', () => {
    assert.equal(bindSchedule(null, { everyMinutes: 5 }, RANGE), null);
    assert.equal(bindSchedule(null, null, null), null);
  });

  test('the schedule given is not changed in place', () => {
    const given: Schedule = { onChange: true };
    bindSchedule(given, null, RANGE);
    assert.deepEqual(given, { onChange: true });
  });
});
