/**
 * One web service call, as webservice/rest/locallib.php and webservice/lib.php run it: read the request
 * variables (`array_merge($_GET, $_POST)`), take out `wstoken`, `wsfunction`, `moodlewsrestformat` and
 * the `moodlewssetting*` flags, authenticate the token, load the function (missing name, unknown
 * function, not in the token's service), validate the parameters, execute, clean the result, and answer
 * JSON or XML. Every Moodle error is answered HTTP 200 in the requested format.
 */
import { accessException, invalidParameter, invalidToken, MoodleException } from './errors.ts';
import { cleanReturnValue, type Json, validateParameters, xmlError, xmlize } from './external.ts';
import type { CallContext, ExternalFunction, SiteConfig } from './function.ts';
import { findFunction } from './functions.ts';
import type { PhpArray } from './php-params.ts';
import { recordNotFound } from './record-lookup.ts';
import type { MoodleState } from './store.ts';

/** A token and the functions of its service (undefined: every emulated function). */
export interface ServiceToken {
  token: string;
  functions?: readonly string[];
}

/** The answer to send: always HTTP 200. */
export interface RestAnswer {
  contentType: string;
  body: string;
  /** The called function, once known (for stats). */
  functionName?: string;
  /** The function that ran changes the site. */
  writes: boolean;
  /** The Moodle error answered, if any. */
  error?: MoodleException;
}

// PHP's json_encode escapes slashes and every non-ASCII character.
function phpJson(value: Json): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function accessDenied(name: string): MoodleException {
  return accessException(
    `Access to the function ${name}() is not allowed.\n` +
      '                     There could be multiple reasons for this:\n' +
      '                     1. The service linked to the user token does not contain the function.\n' +
      '                     2. The service is user-restricted and the user is not listed.\n' +
      '                     3. The service is IP-restricted and the user IP is not listed.\n' +
      '                     4. The service is time-restricted and the time has expired.\n' +
      '                     5. The token is time-restricted and the time has expired.\n' +
      '                     6. The service requires a specific capability which the user does not have.\n' +
      '                     7. The function is called with username/password (no user token is sent)\n' +
      '                     and none of the services has the function to allow the user.\n' +
      '                     These settings can be found in Administration > Site administration\n' +
      '                     > Server > Web services > External services and Manage tokens.',
  );
}

const scalar = (v: PhpArray | string | undefined) => (typeof v === 'string' ? v : undefined);

/** Everything a call needs besides the request. */
export interface RestDeps {
  state: MoodleState;
  site: SiteConfig;
  tokens: readonly ServiceToken[];
  allFunctions: readonly string[];
}

/** Runs one call; `variables` are the merged GET and POST variables, `wwwroot` the site's base URL. */
export function runWebServiceCall(variables: PhpArray, wwwroot: string, deps: RestDeps): RestAnswer {
  const vars: PhpArray = new Map(variables);
  for (const key of [...vars.keys()]) if (key.startsWith('moodlewssetting')) vars.delete(key);
  const format = scalar(vars.get('moodlewsrestformat')) === 'json' ? 'json' : 'xml';
  const token = scalar(vars.get('wstoken'));
  const functionName = scalar(vars.get('wsfunction'));
  for (const key of ['moodlewsrestformat', 'wstoken', 'wsfunction']) vars.delete(key);
  let fn: ExternalFunction | undefined;
  try {
    const service = deps.tokens.find((t) => t.token === token);
    if (!service) throw invalidToken();
    if (!functionName) throw invalidParameter('Missing function name');
    fn = findFunction(functionName);
    if (!fn) throw recordNotFound('external_functions', { name: functionName });
    const offered = service.functions ?? deps.allFunctions;
    if (!offered.includes(fn.name)) throw accessDenied(functionName);
    const params = validateParameters(fn.parameters, vars, deps.site);
    const ctx: CallContext = { state: deps.state, site: deps.site, wwwroot, serviceFunctions: offered };
    const result = fn.execute(params, ctx);
    const cleaned = fn.returns === null ? null : cleanReturnValue(fn.returns, result, deps.site);
    if (format === 'json')
      return { contentType: 'application/json', body: phpJson(cleaned), functionName, writes: fn.writes };
    const xml = `<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n${xmlize(cleaned, fn.returns)}</RESPONSE>\n`;
    return { contentType: 'application/xml; charset=utf-8', body: xml, functionName, writes: fn.writes };
  } catch (e) {
    if (!(e instanceof MoodleException)) throw e;
    const writes = fn?.writes ?? false;
    if (format === 'json')
      return {
        contentType: 'application/json',
        body: phpJson(e.body(deps.site.debug) as unknown as Json),
        functionName,
        writes,
        error: e,
      };
    return {
      contentType: 'application/xml; charset=utf-8',
      body: xmlError(e, deps.site.debug),
      functionName,
      writes,
      error: e,
    };
  }
}
