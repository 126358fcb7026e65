/**
 * Moodle's exceptions as the REST server reports them: every failed call is answered HTTP 200 with
 * `{ exception, errorcode, message, debuginfo? }` (webservice/rest/locallib.php, `generate_error`), where
 * `exception` is the PHP class name, `message` the English language string of `errorcode`, and `debuginfo`
 * is present only when the site's debugging is on.
 */

/** The JSON body of a failed call. */
export interface MoodleErrorBody {
  exception: string;
  errorcode: string;
  message: string;
  debuginfo?: string;
}

/** Thrown by functions and by the server; the REST layer turns it into the error body. */
export class MoodleException extends Error {
  constructor(
    /** PHP class of the exception, e.g. `invalid_parameter_exception`. */
    readonly exception: string,
    /** Moodle's error code (the language string key), e.g. `invalidparameter`. */
    readonly errorcode: string,
    message: string,
    /** Developer detail, only sent when debugging is on. */
    readonly debuginfo?: string,
  ) {
    super(message);
    this.name = 'MoodleException';
  }

  /** The body the REST server answers with; `debug` says whether the site shows debuginfo. */
  body(debug: boolean): MoodleErrorBody {
    const body: MoodleErrorBody = {
      exception: this.exception,
      errorcode: this.errorcode,
      message: this.message,
    };
    if (debug && this.debuginfo !== undefined) body.debuginfo = this.debuginfo;
    return body;
  }
}

/** invalid_parameter_exception: a parameter failed validation; the detail names it. */
export const invalidParameter = (debuginfo: string) =>
  new MoodleException(
    'invalid_parameter_exception',
    'invalidparameter',
    'Invalid parameter value detected',
    debuginfo,
  );

/** invalid_response_exception: a return value did not fit the function's return description. */
export const invalidResponse = (debuginfo: string) =>
  new MoodleException(
    'invalid_response_exception',
    'invalidresponse',
    'Invalid response value detected',
    debuginfo,
  );

/** webservice_access_exception: the token's service may not call this (or the token expired, …). */
export const accessException = (debuginfo: string) =>
  new MoodleException(
    'webservice_access_exception',
    'accessexception',
    'Access control exception',
    debuginfo,
  );

/** moodle_exception `invalidtoken`: no token record matches `wstoken` (a missing token included). */
export const invalidToken = () =>
  new MoodleException('moodle_exception', 'invalidtoken', 'Invalid token - token not found');

/** dml_missing_record_exception: a `MUST_EXIST` record lookup found nothing. */
export const missingRecord = (table: string, debuginfo: string) =>
  new MoodleException(
    'dml_missing_record_exception',
    'invalidrecord',
    `Can't find data record in database table ${table}.`,
    debuginfo,
  );

/** dml_write_exception: the database refused a write (e.g. a unique index). */
export const writeException = (debuginfo: string) =>
  new MoodleException('dml_write_exception', 'dmlwriteexception', 'Error writing to database', debuginfo);

/** coding_exception: Moodle's "must be fixed by a programmer" error. */
export const codingException = (hint: string, debuginfo?: string) =>
  new MoodleException(
    'coding_exception',
    'codingerror',
    `Coding error detected, it must be fixed by a programmer: ${hint}`,
    debuginfo,
  );

/** A plain moodle_exception with its code and English message. */
export const moodleException = (errorcode: string, message: string, debuginfo?: string) =>
  new MoodleException('moodle_exception', errorcode, message, debuginfo);
