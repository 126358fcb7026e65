/**
 * What an emulated external function is: its parameter and return descriptions (read from Moodle's
 * `*_parameters()` / `*_returns()`), whether it writes, and its body. The REST layer validates the
 * parameters against the description before `execute` runs, and cleans the result after.
 */
import type { Desc, SingleDesc } from './external.ts';
import type { SiteFacts } from './param-types.ts';
import type { MoodleState } from './store.ts';

/** Site settings the functions consult. */
export interface SiteConfig extends SiteFacts {
  /** Site full name (`$SITE->fullname`). */
  fullname: string;
  /** `$CFG->release` as get_site_info reports it. */
  release: string;
  /** `$CFG->version`. */
  version: string;
  /** `$CFG->allowaccountssameemail`; off by default, so e-mail addresses are unique. */
  allowAccountsSameEmail: boolean;
  /** Whether debuginfo is sent with errors (`$CFG->debug` at NORMAL or above). */
  debug: boolean;
}

/** What a function body may use. */
export interface CallContext {
  state: MoodleState;
  site: SiteConfig;
  /** `$CFG->wwwroot`, taken from the request's Host. */
  wwwroot: string;
  /** The functions the calling token's service offers. */
  serviceFunctions: readonly string[];
}

/** One external function. */
export interface ExternalFunction {
  name: string;
  parameters: SingleDesc;
  /** Null when Moodle's `*_returns()` is null: the JSON answer is then `null`. */
  returns: Desc | null;
  /** Whether the function may change the site (counted in `stats.writes`). */
  writes: boolean;
  // Parameters arrive validated against `parameters`; their shape is the description's, not a static type.
  // biome-ignore lint/suspicious/noExplicitAny: validated parameters of any described shape
  execute(params: any, ctx: CallContext): unknown;
}

/** Tags a function definition (no behaviour; it keeps the definitions typed). */
export function defineFunction(fn: ExternalFunction): ExternalFunction {
  return fn;
}
