/**
 * Every error Junction raises on purpose is a JunctionError with a stable snake_case `code`.
 * The code is what API clients, logs and execution items show; the message is for people.
 */
export class JunctionError extends Error {
  readonly code: string = 'internal_error';
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

/** A configuration file, mapping definition or task that does not validate. */
export class ValidationError extends JunctionError {
  override readonly code = 'validation_error';
}

/** A filter or formula that cannot be parsed; `details.position` is the 0-based offset. */
export class ExpressionSyntaxError extends JunctionError {
  override readonly code = 'expression_syntax';
  constructor(
    message: string,
    readonly position: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`, { details: { position, line, column } });
  }
}

/** An expression that parses but cannot be evaluated (unknown function, wrong argument count…). */
export class ExpressionError extends JunctionError {
  override readonly code = 'expression_error';
}

/** A single field of a single record could not be transformed (bad e-mail, unparseable date…). */
export class TransformError extends JunctionError {
  override readonly code: string = 'transform_failed';
  constructor(
    message: string,
    readonly field: string,
    code?: string,
  ) {
    super(message, { details: { field } });
    if (code) (this as { code: string }).code = code;
  }
}

/** Something named by id does not exist in the store. */
export class NotFoundError extends JunctionError {
  override readonly code = 'not_found';
}

/** An outside system answered with an error we could not retry away. */
export class RemoteError extends JunctionError {
  override readonly code: string = 'remote_error';
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
    options: { cause?: unknown; details?: Record<string, unknown>; code?: string } = {},
  ) {
    super(message, options);
    if (options.code) (this as { code: string }).code = options.code;
  }
}

/** Credentials rejected by the outside system (401/403). */
export class AuthenticationError extends RemoteError {
  override readonly code = 'authentication_failed';
}

/** A task is already running; a second run must not start. */
export class TaskBusyError extends JunctionError {
  override readonly code = 'task_busy';
}

/** The run was aborted (process shutdown, cancel). */
export class CancelledError extends JunctionError {
  override readonly code = 'cancelled';
}

/** An incoming webhook whose signature is wrong, stale or replayed; nothing of it is processed. */
export class WebhookSignatureError extends JunctionError {
  override readonly code = 'webhook_signature_invalid';
}

/** A webhook call brings more events than one call may (a system's batch is smaller): nothing of it is taken. */
export class WebhookTooManyEventsError extends JunctionError {
  override readonly code = 'webhook_too_many_events';
}

/**
 * The run no longer holds its execution's lease: another process closed it as crashed and took the task
 * over (its heartbeat lapsed). The run must stop before it writes anything more.
 */
export class LeaseLostError extends JunctionError {
  override readonly code = 'lease_lost';
}

/** A command-line call whose words are off (missing argument, unknown option): shown with the usage. */
export class UsageError extends JunctionError {
  override readonly code = 'usage';
}

/**
 * The outside account's daily request budget is nearly spent: Junction stops calling it (the rest stays for
 * the account's other integrations) until the day's budget is renewed. The run ends with this code.
 */
export class DailyLimitReachedError extends RemoteError {
  override readonly code = 'daily_limit_reached';
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, 429, true, options);
  }
}
