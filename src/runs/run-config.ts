/** Timings of runs, scheduling and workers: one place, read from the environment once per process. */
export interface RunConfig {
  /**
   * Run lease: a running execution without a heartbeat for this long is taken as crashed, and another
   * process may close it and take the task over (JUNCTION_RUN_LEASE_MS, default 120 000).
   */
  leaseMs: number;
  /** How often due tasks are looked for (JUNCTION_SCHEDULER_TICK_MS, default 5 000). */
  tickMs: number;
  /** How often an idle worker looks for jobs (JUNCTION_WORKER_POLL_MS, default 2 000). */
  pollMs: number;
  /** Seconds before a failed job is retried (JUNCTION_RETRY_DELAY_SECONDS, default 30). */
  retryDelaySeconds: number;
  /** Runs one worker process takes on at once (JUNCTION_WORKER_CONCURRENCY, default 2). */
  concurrency: number;
  /**
   * How long a change-driven run waits after the first change it was woken for, so that a burst of
   * changes becomes one run (JUNCTION_CHANGE_COALESCE_MS, default 1 000).
   */
  changeCoalesceMs: number;
  /**
   * How often change-driven tasks ask their source whether anything changed (a database's modified
   * column) when the source cannot notify (JUNCTION_CHANGE_POLL_MS, default 2 000); sources that notify
   * (PostgreSQL triggers) are still asked every 15 × this as a safety net.
   */
  changePollMs: number;
}

export const DEFAULT_RUN_CONFIG: Readonly<RunConfig> = Object.freeze({
  leaseMs: 120_000,
  tickMs: 5_000,
  pollMs: 2_000,
  retryDelaySeconds: 30,
  concurrency: 2,
  changeCoalesceMs: 1_000,
  changePollMs: 2_000,
});

/** Reads the run timings from the environment; unset or invalid values keep their defaults. */
export function readRunConfig(env: NodeJS.ProcessEnv = process.env): RunConfig {
  const num = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return env[name] && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  const d = DEFAULT_RUN_CONFIG;
  return {
    leaseMs: Math.max(1_000, num('JUNCTION_RUN_LEASE_MS', d.leaseMs)),
    tickMs: num('JUNCTION_SCHEDULER_TICK_MS', d.tickMs),
    pollMs: num('JUNCTION_WORKER_POLL_MS', d.pollMs),
    retryDelaySeconds: Math.round(num('JUNCTION_RETRY_DELAY_SECONDS', d.retryDelaySeconds)),
    concurrency: Math.max(1, Math.round(num('JUNCTION_WORKER_CONCURRENCY', d.concurrency))),
    changeCoalesceMs: num('JUNCTION_CHANGE_COALESCE_MS', d.changeCoalesceMs),
    changePollMs: Math.max(100, num('JUNCTION_CHANGE_POLL_MS', d.changePollMs)),
  };
}
