import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heldBy } from '../../src/scheduler/due.ts';

const idle = { running: false, firstRunDue: false };
const running = { running: true, firstRunDue: false };
const firstRunDue = { running: false, firstRunDue: true };

describe('a task that runs after others (task.after)', () => {
  test('waits while a task it runs after is running or about to run for the first time, not otherwise', () => {
    const after = new Map([['enrol', ['users']]]);
    assert.equal(heldBy('enrol', after, new Map([['users', running]])), 'users');
    assert.equal(heldBy('enrol', after, new Map([['users', firstRunDue]])), 'users');
    assert.equal(heldBy('enrol', after, new Map([['users', idle]])), undefined, 'ran before and idle');
    assert.equal(heldBy('enrol', after, new Map()), undefined, 'a task that does not exist holds nothing');
  });

  test('waits for the whole chain: the last task waits for the middle one, which waits for the first', () => {
    const after = new Map([
      ['deals', ['people']],
      ['people', ['companies']],
    ]);
    const state = new Map([
      ['companies', firstRunDue],
      ['people', firstRunDue],
      ['deals', firstRunDue],
    ]);
    assert.equal(heldBy('companies', after, state), undefined);
    assert.equal(heldBy('people', after, state), 'companies');
    assert.equal(heldBy('deals', after, state), 'people');
  });

  test('tasks that run after each other (a cycle) do not hold each other for good', () => {
    const after = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['self', ['self']],
    ]);
    const state = new Map(['a', 'b', 'c', 'self'].map((id) => [id, firstRunDue]));
    for (const id of ['a', 'b', 'c', 'self']) assert.equal(heldBy(id, after, state), undefined, id);
  });
});
