import { z } from 'zod';
import { scheduleProblem } from './schedule.ts';
import { NOTIFY_ON } from './types.ts';

/** Longest interval a task may be scheduled at: a week. */
export const MAX_INTERVAL_MINUTES = 7 * 24 * 60;

/**
 * A task with `onChange` also runs when its source reports a change (a database notification, a short
 * poll of the modified column, a webhook); its interval or cron, if any, stays as the safety net.
 */
const onChange = z.boolean().optional();

/**
 * With `onChange`: change-driven runs start at least this many minutes after the task's last run began (the
 * changes meanwhile ride along in one run). A workspace's own people always get at least their workspace's
 * shortest interval (core/workspaces.ts bindChangeGap); absent: every change runs within seconds.
 */
const changeGapMinutes = z.number().positive().max(MAX_INTERVAL_MINUTES).optional();

/**
 * When a task runs by itself: every N minutes since its last run, on a cron schedule in a time zone,
 * and/or when its source changes.
 */
export const ScheduleSchema = z
  .union([
    z
      .object({ everyMinutes: z.number().positive().max(MAX_INTERVAL_MINUTES), onChange, changeGapMinutes })
      .strict(),
    z
      .object({ cron: z.string().min(1), timezone: z.string().optional(), onChange, changeGapMinutes })
      .strict(),
    z.object({ onChange: z.literal(true), changeGapMinutes }).strict(),
  ])
  // A cron pattern or time zone the scheduler cannot use is refused when saved, not found at every tick.
  .superRefine((schedule, ctx) => {
    const problem = scheduleProblem(schedule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: 'cron' in schedule ? ['cron'] : [] });
  });

/**
 * A task: runs a mapping definition on its schedule (or only when asked), in full or incrementally, and
 * mails its outcome. The one schema of a task: the API's body, the YAML file's entry (`TaskFileSchema`
 * in config-file.ts, which names the mapping `mapping`) and the dashboard's types derive from it.
 */
export const TaskSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
  name: z.string().min(1),
  mappingId: z.string().min(1),
  /** Absent or null: the task runs only when asked ("run now", CLI, webhooks). */
  schedule: ScheduleSchema.nullable().default(null),
  enabled: z.boolean().default(true),
  /** 'incremental' reads only records changed since the last completed run; 'full' reads all. */
  mode: z.enum(['incremental', 'full']).default('incremental'),
  /** Which outcomes are mailed, and to whom (empty: the settings' default recipients). */
  notify: z
    .object({
      on: z.array(z.enum(NOTIFY_ON)).default(['failure']),
      to: z.array(z.string().email()).default([]),
    })
    .strict()
    .default({ on: ['failure'], to: [] }),
  /**
   * The mass-deletion guard: a run that would delete (or archive) more than `percent` of the linked
   * records, and more than `atLeast`, deletes nothing and waits for an admin to confirm. Absent: 10 %, 20.
   */
  deletionGuard: z
    .object({
      percent: z.number().min(0).max(100).default(10),
      atLeast: z.number().int().min(0).default(20),
    })
    .strict()
    .optional(),
  /**
   * Tasks this one runs after: its scheduled run waits while one of them is running or due for its first
   * run, so a new workspace fills a system in order (users before their enrolments). Manual runs never wait.
   */
  after: z.array(z.string().min(1)).optional(),
  /** Values the mapping's filter and formulas read with `param('name')`. */
  params: z.record(z.string(), z.unknown()).default({}),
});

/** A task as stored and run. */
export type Task = z.infer<typeof TaskSchema>;
/** A task as written (API body, YAML): defaults may be left out. */
export type TaskInput = z.input<typeof TaskSchema>;
