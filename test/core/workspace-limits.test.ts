import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JunctionError } from '../../src/core/errors.ts';
import {
  changeGapOf,
  DEFAULT_LIMITS,
  DEFAULT_WORKSPACE,
  IdTakenError,
  IntervalOutOfRangeError,
  lowerRole,
  roleAtLeast,
  WORKSPACE_ID,
  WORKSPACE_ROLES,
  WorkspaceBusyError,
  WorkspaceNotEmptyError,
  type WorkspaceRole,
  workspaceBusy,
} from '../../src/core/workspaces.ts';

test('a workspace id is lower-case letters, digits, _ and -, starting with a letter or digit, at most 63 long', () => {
  for (const id of ['a', '7', 'acme', 'acme_2-b', 'default', `a${'b'.repeat(62)}`])
    assert.equal(WORKSPACE_ID.test(id), true, id);
  for (const id of [
    '',
    'Acme',
    '-acme',
    '_acme',
    'a.b',
    'a b',
    'a/b',
    'x/acme',
    'acme/x',
    'zürich',
    `a${'b'.repeat(63)}`,
  ])
    assert.equal(WORKSPACE_ID.test(id), false, id);
});

test('the workspace from before workspaces is default; a new one gets 10–45 minutes and no run or rate limit', () => {
  assert.equal(DEFAULT_WORKSPACE, 'default');
  assert.deepEqual(DEFAULT_LIMITS, {
    minIntervalMinutes: 10,
    maxIntervalMinutes: 45,
    maxConcurrentRuns: null,
    rateShare: null,
  });
});

test('workspace roles rank admin over operator over viewer', () => {
  assert.deepEqual(WORKSPACE_ROLES, ['admin', 'operator', 'viewer']);
  const allows: [WorkspaceRole, WorkspaceRole, boolean][] = [
    ['admin', 'admin', true],
    ['admin', 'operator', true],
    ['admin', 'viewer', true],
    ['operator', 'admin', false],
    ['operator', 'operator', true],
    ['operator', 'viewer', true],
    ['viewer', 'admin', false],
    ['viewer', 'operator', false],
    ['viewer', 'viewer', true],
  ];
  for (const [role, needed, ok] of allows) assert.equal(roleAtLeast(role, needed), ok, `${role} ≥ ${needed}`);
});

test("a token's role in a workspace is the lower of its own and its owner's", () => {
  assert.equal(lowerRole('admin', 'viewer'), 'viewer');
  assert.equal(lowerRole('viewer', 'admin'), 'viewer');
  assert.equal(lowerRole('operator', 'admin'), 'operator');
  assert.equal(lowerRole('admin', 'operator'), 'operator');
  assert.equal(lowerRole('operator', 'viewer'), 'viewer');
  assert.equal(lowerRole('operator', 'operator'), 'operator');
});

test('the workspace errors have their stable codes', () => {
  const cases: [JunctionError, string][] = [
    [new IntervalOutOfRangeError('m'), 'interval_out_of_range'],
    [new IdTakenError('m'), 'id_taken'],
    [new WorkspaceNotEmptyError('m'), 'workspace_not_empty'],
    [new WorkspaceBusyError('m'), 'workspace_busy'],
  ];
  for (const [e, code] of cases) {
    assert.ok(e instanceof JunctionError, code);
    assert.equal(e.code, code);
  }
});

test('a full workspace refuses a run workspace_busy, naming how many run and how many may', () => {
  const one = workspaceBusy('acme', 1, 1);
  assert.ok(one instanceof WorkspaceBusyError);
  assert.equal(one.code, 'workspace_busy');
  assert.equal(
    one.message,
    "workspace 'acme' already runs 1 task (at most 1 at once); try again when one has finished",
  );
  assert.deepEqual(one.details, { workspaceId: 'acme', active: 1, max: 1 });
  assert.equal(
    workspaceBusy('acme', 3, 2).message,
    "workspace 'acme' already runs 3 tasks (at most 2 at once); try again when one has finished",
  );
});

test('a refusal behind tasks waiting longer names how many wait and that they go first, with its details', () => {
  const one = workspaceBusy('acme', 1, 1, 1);
  assert.equal(one.code, 'workspace_busy');
  assert.equal(
    one.message,
    "workspace 'acme' runs 1 task (at most 1 at once) and 1 task waiting for a place goes first; try again after it has run",
  );
  assert.deepEqual(one.details, { workspaceId: 'acme', active: 1, max: 1, waiting: 1 });
  assert.equal(
    workspaceBusy('acme', 2, 2, 3).message,
    "workspace 'acme' runs 2 tasks (at most 2 at once) and 3 tasks waiting for a place go first; try again after they have run",
  );
  // Nothing runs, the places are all held by waiting tasks: not "try again when one has finished".
  assert.equal(
    workspaceBusy('acme', 0, 1, 2).message,
    "workspace 'acme' runs no task (at most 1 at once) and 2 tasks waiting for a place go first; try again after they have run",
  );
  assert.deepEqual(workspaceBusy('acme', 2, 2, 0).details, { workspaceId: 'acme', active: 2, max: 2 });
});

test('a change gap holds only for a schedule that runs on changes', () => {
  assert.equal(changeGapOf({ onChange: true, changeGapMinutes: 15 }), 15);
  assert.equal(changeGapOf({ everyMinutes: 30, onChange: true, changeGapMinutes: 20 }), 20);
  assert.equal(changeGapOf({ onChange: true }), 0);
  assert.equal(changeGapOf({ everyMinutes: 30, changeGapMinutes: 20 }), 0);
  assert.equal(changeGapOf({ everyMinutes: 30, onChange: false, changeGapMinutes: 20 }), 0);
  assert.equal(changeGapOf(null), 0);
  assert.equal(changeGapOf(undefined), 0);
});
