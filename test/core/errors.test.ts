import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthenticationError,
  CancelledError,
  DailyLimitReachedError,
  ExpressionError,
  ExpressionSyntaxError,
  JunctionError,
  LeaseLostError,
  NotFoundError,
  RemoteError,
  TaskBusyError,
  TransformError,
  UsageError,
  ValidationError,
  WebhookSignatureError,
  WebhookTooManyEventsError,
} from '../../src/core/errors.ts';
import { SecretDestinationError } from '../../src/core/secret-destination.ts';

test('a JunctionError without a code of its own is internal_error, named JunctionError, without details or cause', () => {
  const e = new JunctionError('went wrong');
  assert.ok(e instanceof Error);
  assert.equal(e.code, 'internal_error');
  assert.equal(e.name, 'JunctionError');
  assert.equal(e.message, 'went wrong');
  assert.equal(e.details, undefined);
  assert.equal('cause' in e, false);
});

test('details and a cause, even a falsy one, are kept', () => {
  const cause = new Error('root');
  const e = new JunctionError('went wrong', { cause, details: { field: 'x', n: 0 } });
  assert.equal(e.cause, cause);
  assert.deepEqual(e.details, { field: 'x', n: 0 });
  const nullCause = new JunctionError('x', { cause: null });
  assert.equal('cause' in nullCause, true);
  assert.equal(nullCause.cause, null);
});

test('each error class has its stable code and is named after itself', () => {
  const cases: [JunctionError, string, string][] = [
    [new ValidationError('m'), 'validation_error', 'ValidationError'],
    [new ExpressionError('m'), 'expression_error', 'ExpressionError'],
    [new NotFoundError('m'), 'not_found', 'NotFoundError'],
    [new TaskBusyError('m'), 'task_busy', 'TaskBusyError'],
    [new CancelledError('m'), 'cancelled', 'CancelledError'],
    [new WebhookSignatureError('m'), 'webhook_signature_invalid', 'WebhookSignatureError'],
    [new WebhookTooManyEventsError('m'), 'webhook_too_many_events', 'WebhookTooManyEventsError'],
    [new LeaseLostError('m'), 'lease_lost', 'LeaseLostError'],
    [new UsageError('m'), 'usage', 'UsageError'],
    [new SecretDestinationError('m'), 'secret_destination_changed', 'SecretDestinationError'],
  ];
  for (const [e, code, name] of cases) {
    assert.ok(e instanceof JunctionError, name);
    assert.equal(e.code, code, name);
    assert.equal(e.name, name);
    assert.equal(e.message, 'm', name);
  }
});

test('an expression syntax error names its line and column and carries the position in its details', () => {
  const e = new ExpressionSyntaxError("unexpected ')'", 14, 2, 5);
  assert.equal(e.code, 'expression_syntax');
  assert.equal(e.name, 'ExpressionSyntaxError');
  assert.equal(e.message, "unexpected ')' at line 2, column 5");
  assert.deepEqual([e.position, e.line, e.column], [14, 2, 5]);
  assert.deepEqual(e.details, { position: 14, line: 2, column: 5 });
});

test('a transform error is transform_failed unless it names its own code, and carries the field', () => {
  const plain = new TransformError('not a date', 'birthday');
  assert.equal(plain.code, 'transform_failed');
  assert.equal(plain.field, 'birthday');
  assert.deepEqual(plain.details, { field: 'birthday' });
  assert.equal(new TransformError('bad', 'email', 'invalid_email').code, 'invalid_email');
  assert.equal(new TransformError('bad', 'email', '').code, 'transform_failed');
});

test('a remote error carries the status, whether to retry, details and cause; its code may be given', () => {
  const cause = new Error('socket');
  const e = new RemoteError('HubSpot answered 502', 502, true, { cause, details: { url: '/x' } });
  assert.equal(e.code, 'remote_error');
  assert.equal(e.name, 'RemoteError');
  assert.deepEqual([e.status, e.retryable, e.cause, e.details], [502, true, cause, { url: '/x' }]);
  assert.equal(new RemoteError('m', 400, false).retryable, false);
  assert.equal(new RemoteError('m', 409, false, { code: 'conflict' }).code, 'conflict');
  assert.equal(new RemoteError('m', 409, false, { code: '' }).code, 'remote_error');
});

test('rejected credentials are an authentication_failed remote error', () => {
  const e = new AuthenticationError('token expired', 401, false);
  assert.ok(e instanceof RemoteError);
  assert.deepEqual(
    [e.code, e.name, e.status, e.retryable],
    ['authentication_failed', 'AuthenticationError', 401, false],
  );
});

test('a spent daily budget is a retryable 429 remote error with code daily_limit_reached', () => {
  const cause = new Error('budget');
  const e = new DailyLimitReachedError('daily limit reached', { cause, details: { remaining: 0 } });
  assert.ok(e instanceof RemoteError);
  assert.deepEqual(
    [e.code, e.name, e.status, e.retryable, e.message, e.cause, e.details],
    [
      'daily_limit_reached',
      'DailyLimitReachedError',
      429,
      true,
      'daily limit reached',
      cause,
      { remaining: 0 },
    ],
  );
  assert.equal(new DailyLimitReachedError('x').details, undefined);
});
