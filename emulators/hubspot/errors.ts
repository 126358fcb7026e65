/**
 * HubSpot's error shapes: the top-level body of a failed call (`Error` in the OpenAPI documents) and
 * the per-input entries of a 207 batch answer (`StandardError`).
 */

/** One entry of `errors[]` in a top-level error body (`ErrorDetail` in the spec). */
export interface ErrorDetail {
  message: string;
  code?: string;
  in?: string;
  context?: Record<string, string[]>;
}

/** A property value HubSpot refused, as listed in "Property values were not valid: [...]". */
export interface PropertyIssue {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
}

/** Thrown by route handlers; the server's error handler turns it into HubSpot's error body. */
export class HubSpotHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly category: string,
    message: string,
    readonly extra: { errors?: ErrorDetail[]; context?: Record<string, string[]>; subCategory?: string } = {},
  ) {
    super(message);
    this.name = 'HubSpotHttpError';
  }
}

/** The JSON body HubSpot sends with a failed call. */
export function errorBody(
  correlationId: string,
  category: string,
  message: string,
  extra: HubSpotHttpError['extra'] = {},
): Record<string, unknown> {
  return { status: 'error', message, correlationId, category, ...extra };
}

/** 400 VALIDATION_ERROR with a free-form message. */
export function validationError(message: string, errors?: ErrorDetail[]): HubSpotHttpError {
  return new HubSpotHttpError(400, 'VALIDATION_ERROR', message, errors ? { errors } : {});
}

/** 404 OBJECT_NOT_FOUND. */
export function notFound(message: string, id?: string): HubSpotHttpError {
  return new HubSpotHttpError(
    404,
    'OBJECT_NOT_FOUND',
    message,
    id === undefined ? {} : { context: { id: [id] } },
  );
}

/** Builds one property issue the way HubSpot lists it. */
export function propertyIssue(name: string, error: string, message: string): PropertyIssue {
  return { isValid: false, message, error, name, localizedErrorMessage: message };
}

/** The message HubSpot uses when property values fail validation. */
export function propertyIssuesMessage(issues: readonly PropertyIssue[]): string {
  return `Property values were not valid: ${JSON.stringify(issues)}`;
}

/** 400 VALIDATION_ERROR for invalid property values, naming each property and its error code. */
export function propertyValidationError(issues: readonly PropertyIssue[]): HubSpotHttpError {
  return validationError(
    propertyIssuesMessage(issues),
    issues.map((i) => ({ message: i.message, code: i.error, context: { propertyName: [i.name] } })),
  );
}

/** One failed input of a batch, in the `StandardError` shape the 207 answers use. */
export function batchInputError(
  category: string,
  message: string,
  context: Record<string, string[]>,
): Record<string, unknown> {
  return { status: 'error', category, message, context, errors: [], links: {} };
}
