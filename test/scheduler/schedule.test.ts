import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextRunAt, scheduleProblem } from '../../src/core/schedule.ts';
import { TaskSchema } from '../../src/core/task.ts';

const at = (iso: string) => new Date(iso);

test('an interval task that missed many slots while the hub was down is due once, now', () => {
  const now = at('2025-03-10T12:00:00Z');
  assert.deepEqual(nextRunAt({ everyMinutes: 15 }, at('2025-03-10T09:00:00Z'), now), now);
  // Having run now, the next run is one interval later, not the next missed slot.
  assert.deepEqual(nextRunAt({ everyMinutes: 15 }, now, now), at('2025-03-10T12:15:00Z'));
});

test('a cron task runs at its wall-clock time in Europe/Zurich by default, across daylight saving', () => {
  const winter = nextRunAt({ cron: '0 6 * * *' }, at('2025-01-10T06:00:00Z'), at('2025-01-10T06:00:00Z'));
  assert.deepEqual(winter, at('2025-01-11T05:00:00Z'));
  const summer = nextRunAt({ cron: '0 6 * * *' }, at('2025-07-10T06:00:00Z'), at('2025-07-10T06:00:00Z'));
  assert.deepEqual(summer, at('2025-07-11T04:00:00Z'));
  const ny = nextRunAt(
    { cron: '0 6 * * *', timezone: 'America/New_York' },
    at('2025-01-10T12:00:00Z'),
    at('2025-01-10T12:00:00Z'),
  );
  assert.deepEqual(ny, at('2025-01-11T11:00:00Z'));
});

test('a cron task down for three days runs once on start, then at its next slot', () => {
  const now = at('2025-01-13T10:00:00Z');
  assert.deepEqual(nextRunAt({ cron: '0 6 * * *' }, at('2025-01-10T05:00:00Z'), now), now);
  assert.deepEqual(nextRunAt({ cron: '0 6 * * *' }, now, now), at('2025-01-14T05:00:00Z'));
});

test('schedules with a bad cron, an unknown zone or a zero interval are reported', () => {
  assert.match(scheduleProblem({ cron: '61 * * * *' }) ?? '', /invalid cron/);
  assert.match(scheduleProblem({ cron: '0 6 * * *', timezone: 'Mars/Olympus' }) ?? '', /unknown time zone/);
  assert.match(scheduleProblem({ everyMinutes: 0 }) ?? '', /positive/);
  assert.equal(scheduleProblem({ everyMinutes: 45 }), null);
});

test('a task that runs on changes only has no clock time; with an interval, the interval is its safety net', () => {
  const now = at('2025-03-10T12:00:00Z');
  assert.equal(nextRunAt({ onChange: true }, null, now), null);
  assert.deepEqual(nextRunAt({ everyMinutes: 60, onChange: true }, now, now), at('2025-03-10T13:00:00Z'));
});

test('a schedule of changes is written onChange: true; false alone, or unknown keys beside it, are refused', () => {
  assert.ok(
    TaskSchema.safeParse({ id: 't', name: 't', mappingId: 'm', schedule: { onChange: true } }).success,
  );
  for (const schedule of [{ onChange: false }, { onChange: true, every: 5 }, { onChange: 'yes' }])
    assert.equal(
      TaskSchema.safeParse({ id: 't', name: 't', mappingId: 'm', schedule }).success,
      false,
      JSON.stringify(schedule),
    );
});
