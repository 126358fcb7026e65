/**
 * Moodle web services emulator: a local Fastify app that answers like a Moodle site's REST server
 * (`/webservice/rest/server.php`) for the user, course, manual enrolment and completion functions a
 * connector needs, keeps the site in memory and injects faults on demand.
 *
 * @example
 * const moodle = createMoodleEmulator({ tokens: ['0123456789abcdef0123456789abcdef'] });
 * const baseUrl = await moodle.listen();
 * const course = moodle.state.createCourse({ fullname: 'First aid', shortname: 'FA-1', idnumber: 'FA1' });
 * await fetch(`${baseUrl}/webservice/rest/server.php`, {
 *   method: 'POST',
 *   body: new URLSearchParams({ wstoken: '0123…', wsfunction: 'core_course_get_courses', moodlewsrestformat: 'json' }),
 * });
 * await moodle.close();
 */
import type { FastifyInstance } from 'fastify';
import { type RateLimitOptions, RollingWindowLimiter } from '../abacus/rate-limit.ts';
import { type HeldRequests, serverLifecycle } from '../shared/lifecycle.ts';
import { FaultInjector, type MoodleFaults } from './faults.ts';
import type { SiteConfig } from './function.ts';
import { FUNCTION_NAMES } from './functions.ts';
import type { ServiceToken } from './rest-server.ts';
import { buildServer, type EmulatorStats, emptyStats } from './server.ts';
import { MoodleState } from './store.ts';

export type { RateLimitOptions } from '../abacus/rate-limit.ts';
export type { MoodleErrorBody } from './errors.ts';
export type { MoodleFaults } from './faults.ts';
export type { SiteConfig } from './function.ts';
export { FUNCTION_NAMES } from './functions.ts';
export { encodeMoodleParams } from './php-params.ts';
export type {
  CompletionCriterion,
  MoodleCompletion,
  MoodleCourse,
  MoodleEnrolment,
  MoodleUser,
  NewCourse,
} from './records.ts';
export { COURSE_ASSIGNABLE_ROLES, ROLES, SELF_COMPLETION, STUDENT_ROLE } from './records.ts';
export type { ServiceToken } from './rest-server.ts';
export { type EmulatorStats, REST_PATH } from './server.ts';
export type { MoodleState } from './store.ts';

/** The token an emulator accepts when none are configured. */
export const DEFAULT_TOKEN = '0123456789abcdef0123456789abcdef';

/** Options of `createMoodleEmulator`. */
export interface MoodleEmulatorOptions {
  /** Accepted `wstoken` values, each offering every emulated function unless it names its own list. */
  tokens?: (string | ServiceToken)[];
  /** Site settings; see `SiteConfig`. Defaults: languages `en`, e-mail unique, debugging on. */
  site?: Partial<SiteConfig>;
  /** Rolling window per token. Moodle has no limit of its own (proxies in front of it do): default off. */
  rateLimit?: RateLimitOptions;
  /** Faults in force from the start; change them later with `setFaults`. */
  faults?: Partial<MoodleFaults>;
  /** Clock in milliseconds (times in answers are Unix seconds of it). Default `Date.now`. */
  now?: () => number;
  /** Fastify request logging (pino); off by default. */
  logger?: boolean;
}

/** A running or runnable emulator. */
export interface MoodleEmulator {
  /** Starts listening on 127.0.0.1 and resolves to the site URL (e.g. `http://127.0.0.1:41234`). */
  listen(port?: number): Promise<string>;
  /** Stops the server, releasing requests held by the timeout fault. */
  close(): Promise<void>;
  /** The Fastify app, e.g. for `app.inject()`. */
  readonly app: FastifyInstance;
  /** Users, courses, enrolments and completions, for fixtures (`createCourse`, `completeCourse`) and inspection. */
  readonly state: MoodleState;
  /** The site settings in force. */
  readonly site: Readonly<SiteConfig>;
  /** Request counts since creation or the last `reset()`. */
  readonly stats: EmulatorStats;
  /** Changes some fault settings at run time. */
  setFaults(partial: Partial<MoodleFaults>): void;
  /** Back to a fresh site: clears users, courses, stats and rate-limit counts, restores the initial faults. */
  reset(): void;
}

/** Site settings of a fresh emulator. */
export const DEFAULT_SITE: SiteConfig = {
  fullname: 'Junction Moodle emulator',
  release: '4.1.5 (Build: 20230814)',
  version: '2022112805',
  allowAccountsSameEmail: false,
  debug: true,
  languages: ['en'],
  themes: ['boost', 'classic'],
  authPlugins: [
    'manual',
    'nologin',
    'email',
    'cas',
    'db',
    'ldap',
    'lti',
    'mnet',
    'oauth2',
    'shibboleth',
    'webservice',
  ],
};

/** Creates a Moodle emulator; call `listen()` to serve it over HTTP. */
export function createMoodleEmulator(options: MoodleEmulatorOptions = {}): MoodleEmulator {
  const now = options.now ?? Date.now;
  const site: SiteConfig = { ...DEFAULT_SITE, ...options.site };
  const state = new MoodleState({ fullname: site.fullname, shortname: 'junction' }, now);
  const tokens = (options.tokens ?? [DEFAULT_TOKEN]).map((t) => (typeof t === 'string' ? { token: t } : t));
  const faults = new FaultInjector(options.faults);
  const limiter = new RollingWindowLimiter(options.rateLimit ?? { max: Number.POSITIVE_INFINITY }, now);
  const stats = emptyStats();
  const held: HeldRequests = new Set();
  const reset = () => {
    state.reset();
    faults.reset();
    limiter.reset();
    Object.assign(stats, emptyStats());
  };
  const app = buildServer(
    { state, site, tokens, allFunctions: FUNCTION_NAMES, faults, limiter, stats, held, reset },
    { logger: options.logger },
  );

  return {
    app,
    state,
    site,
    stats,
    ...serverLifecycle(app, held),
    setFaults(partial) {
      faults.set(partial);
    },
    reset,
  };
}
