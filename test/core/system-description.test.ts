import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH_KINDS } from '../../src/core/system-description.ts';

test('the ways a system authenticates Junction are a stable list GET /api/systems answers with', () => {
  assert.deepEqual(AUTH_KINDS, [
    'none',
    'database',
    'apiKey',
    'basic',
    'oauth2',
    'clientCredentials',
    'token',
  ]);
});
