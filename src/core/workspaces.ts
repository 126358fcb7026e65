import { Cron } from 'croner';
import { JunctionError } from './errors.ts';
import type { Schedule } from './types.ts';

/**
 * Workspaces: a customer or a department of one hub, owning its connections, mappings and tasks (and through
 * them runs, links, errors and audit entries). Roles are per workspace; the instance administrator
 * (`users.role = admin`) is admin in every one and alone creates workspaces and users.
 */
export const WORKSPACE_ROLES = ['admin', 'operator', 'viewer'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** A workspace's id: lower-case, as it goes into URLs, headers and `--workspace` (the API and the CLI). */
export const WORKSPACE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The workspace everything that existed before workspaces moved into, and the demo's. */
export const DEFAULT_WORKSPACE = 'default';

/** Whether `role` allows at least what `needed` allows (admin ⊃ operator ⊃ viewer). */
export const roleAtLeast = (role: WorkspaceRole, needed: WorkspaceRole): boolean =>
  WORKSPACE_ROLES.indexOf(role) <= WORKSPACE_ROLES.indexOf(needed);

/** The lower of two roles (a token's against its owner's role in the workspace). */
export const lowerRole = (a: WorkspaceRole, b: WorkspaceRole): WorkspaceRole => (roleAtLeast(a, b) ? b : a);

/** What the instance administrator allows a workspace. */
export interface WorkspaceLimits {
  /** The interval range (minutes) a workspace's users may give their tasks (seed: 10–45 minutes). */
  minIntervalMinutes: number;
  maxIntervalMinutes: number;
  /** Runs of the workspace's tasks at once; null: no limit of its own. */
  maxConcurrentRuns: number | null;
  /**
   * The share (percent, 1–100) of an outside account's rate limit the workspace's tasks get while tasks of
   * other workspaces draw on the same account; never more while they wait, all of it alone. Null: no share
   * of its own (it splits what the shares leave with the other workspaces without one).
   */
  rateShare: number | null;
}

export const DEFAULT_LIMITS: WorkspaceLimits = {
  minIntervalMinutes: 10,
  maxIntervalMinutes: 45,
  maxConcurrentRuns: null,
  rateShare: null,
};

export interface Workspace {
  id: string;
  name: string;
  limits: WorkspaceLimits;
}

/** A task's interval outside the range its workspace allows. */
export class IntervalOutOfRangeError extends JunctionError {
  override readonly code = 'interval_out_of_range';
}

/** An id already used by an object of another workspace (ids are unique in the hub, not per workspace). */
export class IdTakenError extends JunctionError {
  override readonly code = 'id_taken';
}

/** A workspace that still owns connections, mappings or tasks cannot be deleted. */
export class WorkspaceNotEmptyError extends JunctionError {
  override readonly code = 'workspace_not_empty';
}

/** The workspace's concurrent-run limit is reached; the run was not started. */
export class WorkspaceBusyError extends JunctionError {
  override readonly code = 'workspace_busy';
}

/**
 * The refusal of a run (or import) that would exceed its workspace's `maxConcurrentRuns`, naming the numbers;
 * `waiting`: tasks refused earlier whose places in the workspace's line come first (store executions.begin).
 */
export const workspaceBusy = (
  workspaceId: string,
  active: number,
  max: number,
  waiting = 0,
): WorkspaceBusyError =>
  waiting > 0
    ? new WorkspaceBusyError(
        `workspace '${workspaceId}' runs ${active === 0 ? 'no task' : `${active} task${active === 1 ? '' : 's'}`} (at most ${max} at once) and ${waiting} task${waiting === 1 ? '' : 's'} waiting for a place go${waiting === 1 ? 'es' : ''} first; try again after ${waiting === 1 ? 'it has' : 'they have'} run`,
        { details: { workspaceId, active, max, waiting } },
      )
    : new WorkspaceBusyError(
        `workspace '${workspaceId}' already runs ${active} task${active === 1 ? '' : 's'} (at most ${max} at once); try again when one has finished`,
        { details: { workspaceId, active, max } },
      );

/**
 * A task's schedule as a save stores it: the one place the workspace's range binds a schedule, for every
 * route that saves one. `limits` null: not bound (the instance administrator, who sets the range and may
 * leave it). Bound, a new interval outside the range, or a new cron firing more often than its shortest
 * interval, is refused (`interval_out_of_range`, naming the field); an interval or cron kept as it was is
 * not checked again (keepsInterval); an `onChange` schedule's change gap is bound as
 * `bindChangeGap` says (a kept or missing one is raised to the shortest interval, a shorter one given is
 * refused). Without a schedule (the task runs only when asked) there is nothing to bind.
 */
export function bindSchedule(
  schedule: Schedule | null,
  previous: Schedule | null | undefined,
  limits: WorkspaceLimits | null,
): Schedule | null {
  if (schedule === null) return null;
  if (limits) {
    if ('everyMinutes' in schedule && !keepsInterval(schedule, previous))
      checkInterval(schedule.everyMinutes, limits);
    if ('cron' in schedule && !keepsCron(schedule, previous))
      checkCron(schedule.cron, schedule.timezone, limits);
  }
  return bindChangeGap(schedule, previous, limits);
}

/**
 * Whether a save keeps the task's interval as it was. Kept, it is not bound again: the instance administrator
 * may have set it outside the range (or narrowed the range since), and an operator who renames the task or
 * changes its change gap must not be refused for a value they did not send, nor made to overwrite it.
 */
const keepsInterval = (
  schedule: Schedule & { everyMinutes: number },
  previous: Schedule | null | undefined,
) => previous != null && 'everyMinutes' in previous && previous.everyMinutes === schedule.everyMinutes;

/** Whether a save keeps the task's cron and its time zone as they were (see keepsInterval). */
const keepsCron = (schedule: Extract<Schedule, { cron: string }>, previous: Schedule | null | undefined) =>
  previous != null &&
  'cron' in previous &&
  previous.cron === schedule.cron &&
  previous.timezone === schedule.timezone;

/** Refuses an interval outside the workspace's range, naming the range (the dashboard shows it at the field). */
function checkInterval(everyMinutes: number, limits: WorkspaceLimits): void {
  const { minIntervalMinutes: min, maxIntervalMinutes: max } = limits;
  if (everyMinutes < min || everyMinutes > max)
    throw new IntervalOutOfRangeError(
      `the interval must be between ${min} and ${max} minutes (${everyMinutes} given)`,
      { details: { field: 'everyMinutes', min, max } },
    );
}

/**
 * The range's lower end holds for change-driven runs too: a workspace's own people cannot make a task run on
 * every change of a shared account. Their `onChange` schedule keeps a change gap of at least the shortest
 * interval (left out or sent back unchanged: the task's previous gap, at least the shortest interval); a new
 * shorter one is refused. Changes within the gap are coalesced into one run at its end (runs/run-service.ts),
 * none is lost.
 * `limits` null: the instance administrator, bound by nothing, whose save without a gap keeps the previous one.
 */
function bindChangeGap(
  schedule: Schedule,
  previous: Schedule | null | undefined,
  limits: WorkspaceLimits | null,
): Schedule {
  if (schedule.onChange !== true) return schedule;
  const kept = schedule.changeGapMinutes ?? previous?.changeGapMinutes;
  if (!limits) return kept === undefined ? schedule : { ...schedule, changeGapMinutes: kept };
  // The task's own gap sent back as it was (the task form, the tasks page's enable/disable send the whole
  // schedule) is kept, as a left-out one is: raised to the range, not refused for a value nobody changed.
  const given =
    schedule.changeGapMinutes === previous?.changeGapMinutes ? undefined : schedule.changeGapMinutes;
  const min = limits.minIntervalMinutes;
  if (given !== undefined && given < min)
    throw new IntervalOutOfRangeError(
      `changes may start a run at most every ${min} minutes in this workspace (${given} given)`,
      { details: { field: 'changeGapMinutes', min, max: limits.maxIntervalMinutes } },
    );
  return { ...schedule, changeGapMinutes: Math.max(kept ?? min, min) };
}

/** Minutes a change-driven run of a task with this schedule waits after the task's last run began (0: none). */
export const changeGapOf = (schedule: Schedule | null | undefined): number =>
  schedule?.onChange === true ? (schedule.changeGapMinutes ?? 0) : 0;

/**
 * The range's lower end holds for crons too: a cron that fires more often than every `minIntervalMinutes`
 * (over its next 100 times) is refused. Its upper end does not: a nightly cron is a schedule, not a gap.
 */
function checkCron(cron: string, timezone: string | undefined, limits: WorkspaceLimits): void {
  const times = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) }).nextRuns(100);
  const min = limits.minIntervalMinutes;
  for (let i = 1; i < times.length; i++) {
    const gap = ((times[i] as Date).getTime() - (times[i - 1] as Date).getTime()) / 60_000;
    if (gap < min)
      throw new IntervalOutOfRangeError(
        `the schedule runs every ${gap} minutes at times; this workspace allows at most one run every ${min} minutes`,
        { details: { field: 'cron', min, max: limits.maxIntervalMinutes } },
      );
  }
}
