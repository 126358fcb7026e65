/** Brevo's error answers: every failed call carries `{ code, message }`. */

/** The `code` values Brevo uses in error bodies. */
export const BREVO_ERROR_CODES = [
  'invalid_parameter',
  'missing_parameter',
  'out_of_range',
  'duplicate_parameter',
  'document_not_found',
  'unauthorized',
  'permission_denied',
  'method_not_allowed',
  'too_many_requests',
  'internal_error',
] as const;
export type BrevoErrorCode = (typeof BREVO_ERROR_CODES)[number];

/** Thrown by route handlers; the server's error handler turns it into Brevo's error body. */
export class BrevoHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: BrevoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrevoHttpError';
  }
}

/** 400 invalid_parameter. */
export const invalidParameter = (message: string) => new BrevoHttpError(400, 'invalid_parameter', message);
/** 400 missing_parameter. */
export const missingParameter = (message: string) => new BrevoHttpError(400, 'missing_parameter', message);
/** 400 duplicate_parameter (an e-mail or EXT_ID another contact already has). */
export const duplicateParameter = (message: string) =>
  new BrevoHttpError(400, 'duplicate_parameter', message);
/** 404 document_not_found. */
export const notFound = (message: string) => new BrevoHttpError(404, 'document_not_found', message);
