import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { connectorErrorStatus } from '../connectors/registry.ts';
import { JunctionError } from '../core/errors.ts';

/** HTTP status of each error code; codes not listed are 500 (remote errors 502). */
const STATUS_BY_CODE: Record<string, number> = {
  validation_error: 400,
  file_not_allowed: 400,
  file_not_found: 400,
  expression_syntax: 400,
  expression_error: 400,
  task_setup_invalid: 400,
  secret_destination_changed: 400,
  wrong_current_password: 400,
  password_unchanged: 400,
  token_role_too_high: 400,
  import_task_not_runnable: 400,
  interval_out_of_range: 400,
  smtp_not_configured: 400,
  test_mail_failed: 502,
  unauthenticated: 401,
  invalid_credentials: 401,
  webhook_signature_invalid: 401,
  forbidden: 403,
  csrf_failed: 403,
  password_change_required: 403,
  not_found: 404,
  webhook_too_many_events: 413,
  unknown_object: 404,
  task_busy: 409,
  id_taken: 409,
  workspace_not_empty: 409,
  workspace_busy: 409,
  conflict: 409,
  rate_limited: 429,
  authentication_failed: 502,
  remote_error: 502,
};

/** The caller is not logged in. */
export class UnauthenticatedError extends JunctionError {
  override readonly code = 'unauthenticated';
}
/** Wrong username or password. */
export class InvalidCredentialsError extends JunctionError {
  override readonly code = 'invalid_credentials';
}
/**
 * The current password given to change it is wrong. Not 401: the caller is logged in, and a 401 would end
 * the dashboard's session instead of showing the mistake beside the field.
 */
export class WrongCurrentPasswordError extends JunctionError {
  override readonly code = 'wrong_current_password';
}
/** The new password is the one it replaces (a one-time password kept). */
export class PasswordUnchangedError extends JunctionError {
  override readonly code = 'password_unchanged';
}
/** An API token was asked for with a role above its owner's. */
export class TokenRoleTooHighError extends JunctionError {
  override readonly code = 'token_role_too_high';
}
/** Logged in, but the role does not allow this. */
export class ForbiddenError extends JunctionError {
  override readonly code = 'forbidden';
}
/** The user logged in with a one-time password and must change it before anything else. */
export class PasswordChangeRequiredError extends JunctionError {
  override readonly code = 'password_change_required';
}
/** A cookie-authenticated change without the session's CSRF token. */
export class CsrfError extends JunctionError {
  override readonly code = 'csrf_failed';
}

/** Node's error codes for a host that cannot be reached or does not answer. */
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function statusOf(code: string): number {
  // The house's codes, then what the systems declare for theirs (in their own folders).
  return STATUS_BY_CODE[code] ?? connectorErrorStatus(code) ?? (code.startsWith('remote_') ? 502 : 500);
}

/** Every error leaves the API as `{ error: { code, message, details? } }`; unknown throws are wrapped. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | JunctionError | Error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        field: [err.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message,
      }));
      return reply.code(400).send({
        error: {
          code: 'validation_error',
          message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
          details: { issues },
        },
      });
    }
    if (err instanceof JunctionError) {
      return reply.code(statusOf(err.code)).send({
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
    }
    // A business database or API that cannot be reached (describe, test, preview): the outside
    // system's problem, answered as such — not an internal error.
    const network = (err as NodeJS.ErrnoException).code;
    if (network && UNREACHABLE_CODES.has(network)) {
      return reply.code(502).send({
        error: { code: 'remote_unreachable', message: `the system could not be reached (${network})` },
      });
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode < 500) {
      const code =
        fe.statusCode === 429
          ? 'rate_limited'
          : fe.statusCode === 404
            ? 'not_found'
            : fe.statusCode === 413
              ? 'payload_too_large'
              : 'bad_request';
      return reply.code(fe.statusCode).send({ error: { code, message: fe.message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send({ error: { code: 'internal_error', message: 'internal error; see the server log' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    }),
  );
}
