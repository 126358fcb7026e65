import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROLES, roleAtMost } from '../../src/core/users.ts';

test('an instance user is an admin or a viewer', () => {
  assert.deepEqual(ROLES, ['admin', 'viewer']);
});

test("a token's role is at most its owner's: a viewer's token cannot be admin, an admin's may be either", () => {
  assert.equal(roleAtMost('admin', 'admin'), true);
  assert.equal(roleAtMost('viewer', 'admin'), true);
  assert.equal(roleAtMost('viewer', 'viewer'), true);
  assert.equal(roleAtMost('admin', 'viewer'), false);
});
