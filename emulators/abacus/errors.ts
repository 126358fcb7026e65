/**
 * The entity API's error shape. OData v4 JSON errors are `{ error: { code, message, target?, details? } }`
 * (OData JSON Format §21); Abacus answers in that shape, and its codes are not published, so the
 * emulator uses HTTP-reason codes in PascalCase (`BadRequest`, `NotFound`, …).
 */

/** Thrown by routes and hooks; the server's error handler turns it into the OData error body. */
export class AbacusHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'AbacusHttpError';
  }
}

/** The JSON body of a failed entity API call. */
export function errorBody(code: string, message: string, target?: string): { error: Record<string, string> } {
  return { error: { code, message, ...(target === undefined ? {} : { target }) } };
}

/** 400 with the property the problem is about. */
export function badRequest(message: string, target?: string): AbacusHttpError {
  return new AbacusHttpError(400, 'BadRequest', message, target);
}

/** 404 for a missing entity or mandant. */
export function notFound(message: string): AbacusHttpError {
  return new AbacusHttpError(404, 'NotFound', message);
}

/** 409 for a key or date that is already taken. */
export function conflict(message: string, target?: string): AbacusHttpError {
  return new AbacusHttpError(409, 'Conflict', message, target);
}
