import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cron } from 'croner';
import {
  DEFAULT_TIMEZONE,
  isValidTimezone,
  nextRunAt,
  runsOnChange,
  scheduleProblem,
} from '../../src/core/schedule.ts';

const at = (iso: string) => new Date(iso);

test('schedules are in Swiss time unless they name a zone', () => {
  assert.equal(DEFAULT_TIMEZONE, 'Europe/Zurich');
});

test('IANA zones the runtime knows are valid; others, misspelt or empty ones are not', () => {
  for (const tz of ['Europe/Zurich', 'UTC', 'America/New_York']) assert.equal(isValidTimezone(tz), true, tz);
  for (const tz of ['Mars/Olympus', 'Europe/Zürich', '']) assert.equal(isValidTimezone(tz), false, tz);
});

test('a schedule of changes only has no problem', () => {
  assert.equal(scheduleProblem({ onChange: true }), null);
  assert.equal(scheduleProblem({ onChange: true, changeGapMinutes: 0 }), null);
});

test('an interval must be a positive finite number of minutes, fractions allowed', () => {
  for (const everyMinutes of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
    assert.equal(
      scheduleProblem({ everyMinutes }),
      'everyMinutes must be a positive number',
      String(everyMinutes),
    );
  for (const everyMinutes of [0.5, 1, 45]) assert.equal(scheduleProblem({ everyMinutes }), null);
  assert.equal(
    scheduleProblem({ everyMinutes: 0, onChange: true }),
    'everyMinutes must be a positive number',
  );
});

test('a cron with an unknown zone is reported naming the zone', () => {
  assert.equal(
    scheduleProblem({ cron: '0 6 * * *', timezone: 'Mars/Olympus' }),
    "unknown time zone 'Mars/Olympus'",
  );
});

test('a cron with an empty zone is refused (croner would run it in the server’s zone, not the default)', () => {
  assert.equal(scheduleProblem({ cron: '0 6 * * *', timezone: '' }), "unknown time zone ''");
});

test('a cron croner cannot read is reported with the expression and croner’s reason', () => {
  let reason = '';
  try {
    new Cron('61 * * * *', { paused: true });
  } catch (err) {
    reason = (err as Error).message;
  }
  assert.notEqual(reason, '');
  assert.equal(
    scheduleProblem({ cron: '61 * * * *', timezone: 'UTC' }),
    `invalid cron expression '61 * * * *': ${reason}`,
  );
  assert.equal(scheduleProblem({ cron: '61 * * * *' }), `invalid cron expression '61 * * * *': ${reason}`);
});

test('a valid cron, with or without its own zone, has no problem', () => {
  assert.equal(scheduleProblem({ cron: '0 6 * * 1-5' }), null);
  assert.equal(scheduleProblem({ cron: '*/15 * * * *', timezone: 'UTC', onChange: true }), null);
});

test('a task runs on changes only when its schedule says onChange: true', () => {
  assert.equal(runsOnChange({ onChange: true }), true);
  assert.equal(runsOnChange({ everyMinutes: 30, onChange: true }), true);
  assert.equal(runsOnChange({ everyMinutes: 30, onChange: false }), false);
  assert.equal(runsOnChange({ cron: '0 6 * * *' }), false);
  assert.equal(runsOnChange(null), false);
  assert.equal(runsOnChange(undefined), false);
});

test('an interval task that never ran is due now; one that ran is due one interval later', () => {
  const now = at('2025-03-10T12:05:00Z');
  assert.deepEqual(nextRunAt({ everyMinutes: 15 }, null, now), now);
  assert.deepEqual(
    nextRunAt({ everyMinutes: 15 }, at('2025-03-10T12:00:00Z'), now),
    at('2025-03-10T12:15:00Z'),
  );
  assert.deepEqual(
    nextRunAt({ everyMinutes: 15 }, at('2025-03-10T11:50:00Z'), now),
    at('2025-03-10T12:05:00Z'),
  );
  assert.deepEqual(nextRunAt({ everyMinutes: 15 }, at('2025-03-10T11:00:00Z'), now), now);
});

test('a task that runs on changes only is never due by the clock', () => {
  assert.equal(nextRunAt({ onChange: true }, at('2025-03-10T11:00:00Z'), at('2025-03-10T12:00:00Z')), null);
});

test('a cron task that never ran waits for its first slot after now instead of running at once', () => {
  const now = at('2025-01-10T10:30:00Z');
  assert.deepEqual(nextRunAt({ cron: '0 6 * * *', timezone: 'UTC' }, null, now), at('2025-01-11T06:00:00Z'));
});

test('a cron without a zone takes the instance default given, else Swiss time; its own zone wins', () => {
  const now = at('2025-01-10T10:30:00Z');
  assert.deepEqual(nextRunAt({ cron: '0 6 * * *' }, null, now, 'UTC'), at('2025-01-11T06:00:00Z'));
  assert.deepEqual(nextRunAt({ cron: '0 6 * * *' }, null, now), at('2025-01-11T05:00:00Z'));
  assert.deepEqual(
    nextRunAt({ cron: '0 6 * * *', timezone: 'America/New_York' }, null, now, 'UTC'),
    at('2025-01-10T11:00:00Z'),
  );
});

test('a cron task is due at its next slot after its last run, or now when that slot has passed', () => {
  const now = at('2025-01-10T10:30:00Z');
  const cron = { cron: '0 * * * *', timezone: 'UTC' };
  assert.deepEqual(nextRunAt(cron, at('2025-01-10T10:00:00Z'), now), at('2025-01-10T11:00:00Z'));
  assert.deepEqual(nextRunAt(cron, at('2025-01-10T08:00:00Z'), now), now);
});

test('a cron whose last time has passed is never due again', () => {
  const due = nextRunAt({ cron: '2020-01-01T00:00:00', timezone: 'UTC' }, null, at('2025-01-10T10:30:00Z'));
  assert.equal(due?.getTime(), 8.64e15);
});
