import type { z } from 'zod';
import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { HttpClient } from '../http-client.ts';
import { type MoodleErrorBody, MoodleErrorSchema } from './schemas.ts';

/** The path of Moodle's REST server. */
export const REST_PATH = '/webservice/rest/server.php';

/**
 * PHP's `max_input_vars` is 1000 on a default install: variables beyond it are dropped without an error,
 * so a call never carries more than this many form variables (batches are cut to fit).
 */
export const MAX_FORM_VARS = 900;

/** Moodle error codes that say "try again later", not "this record is wrong". */
const TRANSIENT = new Set(['sitemaintenance', 'dbconnectionfailed', 'dmlreadexception']);

/** A value a web service call carries: scalars, lists and structures, nested. */
export type MoodleParam =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly MoodleParam[]
  | { readonly [key: string]: MoodleParam };

/**
 * Flattens parameters into Moodle's form syntax, as PHP parses it back into arrays.
 *
 * @example
 * encodeParams({ users: [{ email: 'a@b.ch' }] }) // → { 'users[0][email]': 'a@b.ch' }
 */
export function encodeParams(params: Record<string, MoodleParam>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, value: MoodleParam): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(`${prefix}[${i}]`, v);
    else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value as Record<string, MoodleParam>)) walk(`${prefix}[${k}]`, v);
    // PARAM_BOOL takes only 0 and 1.
    else out[prefix] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return out;
}

/** Form variables one item of a list parameter takes (to cut batches under `MAX_FORM_VARS`). */
export function formVars(item: Record<string, MoodleParam>): number {
  return Object.keys(encodeParams({ x: item })).length;
}

/** Moodle refused a call (its exception); `code` is `moodle_<errorcode>`. */
export class MoodleApiError extends RemoteError {
  constructor(
    readonly fn: string,
    readonly body: MoodleErrorBody,
  ) {
    const detail = body.debuginfo ? ` (${body.debuginfo.trim().slice(0, 300)})` : '';
    super(
      `Moodle refused ${fn}: ${body.message || body.errorcode}${detail}`,
      200,
      TRANSIENT.has(body.errorcode),
      {
        code: `moodle_${body.errorcode}`,
        details: { exception: body.exception, errorcode: body.errorcode },
      },
    );
  }
}

/** Whether an answer is Moodle's exception structure rather than the function's result. */
function asError(body: unknown): MoodleErrorBody | null {
  if (body === null || typeof body !== 'object' || !('exception' in body)) return null;
  const parsed = MoodleErrorSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/**
 * Calls web service functions over the REST protocol: `POST /webservice/rest/server.php` with `wstoken`,
 * `wsfunction`, `moodlewsrestformat=json` and the parameters in PHP's array syntax. Moodle answers every
 * refusal with HTTP 200 and `{ exception, errorcode, message }`: that becomes a `MoodleApiError`
 * (`invalidtoken` an `AuthenticationError`, which ends the run).
 */
export function createMoodleClient(http: HttpClient, token: string) {
  return {
    async call<S extends z.ZodType>(
      fn: string,
      params: Record<string, MoodleParam>,
      schema: S,
      o: { idempotent?: boolean } = {},
    ): Promise<z.infer<S>> {
      const res = await http.request('POST', REST_PATH, {
        // The token travels in the body, never in a URL that logs or proxies keep.
        form: { wstoken: token, wsfunction: fn, moodlewsrestformat: 'json', ...encodeParams(params) },
        idempotent: o.idempotent ?? true,
      });
      if (res.status !== 200) {
        const retryable = res.status === 429 || res.status >= 500;
        throw new RemoteError(`Moodle answered ${res.status} to ${fn}`, res.status, retryable, {
          code: retryable ? 'moodle_unavailable' : `moodle_http_${res.status}`,
        });
      }
      const error = asError(res.body);
      if (error?.errorcode === 'invalidtoken')
        throw new AuthenticationError(`Moodle refused the web service token: ${error.message}`, 200, false);
      if (error) throw new MoodleApiError(fn, error);
      const parsed = schema.safeParse(res.body);
      if (!parsed.success)
        throw new RemoteError(
          `Moodle answered ${fn} with an unexpected body: ${parsed.error.message.slice(0, 300)}`,
          200,
          false,
          { code: 'moodle_unexpected_response' },
        );
      return parsed.data;
    },
  };
}
export type MoodleClient = ReturnType<typeof createMoodleClient>;
