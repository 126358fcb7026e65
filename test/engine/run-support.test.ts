// Unit tests of the engine's small run-support modules: who holds a run (owner.ts), the page write journal
// (write-journal.ts) and crash points (failpoints.ts). Kept apart from the tests that load the connector
// registry (run-connections.test.ts), so a mutant here costs a light test file.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { FAILPOINTS, failpointHooks } from '../../src/engine/failpoints.ts';
import { currentOwner, ownerIsGone } from '../../src/engine/owner.ts';
import { pageJournal } from '../../src/engine/write-journal.ts';
import type { Store } from '../../src/store/store.ts';

describe('owner: who holds a run', () => {
  test('this process is host:pid', () => {
    assert.equal(currentOwner(), `${hostname()}:${process.pid}`);
  });

  test('a process on this host that no longer exists is gone; one that exists or cannot be signalled is not', (t) => {
    // Asking the system with signal 0: ESRCH means no such process; EPERM means it exists (another user's).
    const asked: unknown[] = [];
    let answer: string | null = 'ESRCH';
    t.mock.method(process, 'kill', (pid: number, signal: unknown) => {
      asked.push([pid, signal]);
      if (answer) throw Object.assign(new Error(answer), { code: answer });
      return true;
    });
    assert.equal(ownerIsGone(`${hostname()}:4242`), true);
    answer = 'EPERM';
    assert.equal(ownerIsGone(`${hostname()}:4242`), false);
    answer = null;
    assert.equal(ownerIsGone(`${hostname()}:4242`), false);
    assert.deepEqual(asked, [
      [4242, 0],
      [4242, 0],
      [4242, 0],
    ]);
  });

  test('pid 0 and this very process are never asked about', (t) => {
    const asked: unknown[] = [];
    t.mock.method(process, 'kill', (pid: number) => {
      asked.push(pid);
      throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
    });
    assert.equal(ownerIsGone(`${hostname()}:0`), false);
    assert.equal(ownerIsGone(currentOwner()), false);
    assert.deepEqual(asked, []);
  });

  test('this process, a living one, another host or a malformed owner are not judged gone', () => {
    assert.equal(ownerIsGone(currentOwner()), false);
    assert.equal(ownerIsGone(`${hostname()}:${process.ppid}`), false);
    assert.equal(ownerIsGone('another-host:1'), false);
    assert.equal(ownerIsGone(`${hostname()}:abc`), false);
    assert.equal(ownerIsGone(`${hostname()}:0`), false);
    assert.equal(ownerIsGone(`${hostname()}:-5`), false);
    assert.equal(ownerIsGone(`${hostname()}:1.5`), false);
  });

  test('a host name with colons is read up to the last one', () => {
    assert.equal(ownerIsGone(`a:${hostname()}:999999999`), false);
  });
});

describe('pageJournal: what a run notes for its successor', () => {
  const storeOf = () => {
    const calls: unknown[][] = [];
    const store = {
      writeJournal: {
        get: async (...a: unknown[]) => {
          calls.push(['get', ...a]);
          return { value: 1 };
        },
        put: async (...a: unknown[]) => {
          calls.push(['put', ...a]);
        },
        clear: async (...a: unknown[]) => {
          calls.push(['clear', ...a]);
        },
      },
    } as unknown as Store;
    return { store, calls };
  };

  test('notes are read and written under the task, and a page that noted something clears them once', async () => {
    const { store, calls } = storeOf();
    const journal = pageJournal(store, 'task-1');
    assert.deepEqual(await journal.get('import'), { value: 1 });
    await journal.put('import', { process: 7 });
    await journal.settle();
    await journal.settle();
    assert.deepEqual(calls, [
      ['get', 'task-1', 'import'],
      ['put', 'task-1', 'import', { process: 7 }],
      ['clear', 'task-1'],
    ]);
  });

  test('a page that noted nothing costs no query', async () => {
    const { store, calls } = storeOf();
    await pageJournal(store, 'task-1').settle();
    assert.deepEqual(calls, []);
  });
});

describe('failpointHooks: crash points for the chaos suite', () => {
  test('unset, there are no hooks', () => {
    assert.deepEqual(failpointHooks(undefined), {});
    assert.deepEqual(failpointHooks(''), {});
  });

  test('each point arms its own hook', () => {
    const names = {
      'after-read': 'afterRead',
      'after-write': 'afterWrite',
      'after-marks': 'afterMarks',
      'after-commit': 'afterCommit',
    };
    for (const point of FAILPOINTS)
      assert.deepEqual(Object.keys(failpointHooks(`${point}:3`)), [names[point]]);
  });

  test('an unknown point is refused, naming the known ones', () => {
    assert.throws(
      () => failpointHooks('after-lunch:1'),
      /unknown failpoint 'after-lunch' \(one of after-read, after-write, after-marks, after-commit\)/,
    );
  });

  test('the process is killed when the n-th page reaches the point, not before', (t) => {
    const kills: unknown[] = [];
    t.mock.method(process, 'kill', (pid: number, signal: unknown) => {
      kills.push([pid, signal]);
      return true;
    });
    const third = failpointHooks('after-write:3');
    third.afterWrite?.();
    third.afterWrite?.();
    assert.deepEqual(kills, []);
    third.afterWrite?.();
    assert.deepEqual(kills, [[process.pid, 'SIGKILL']]);
    const first = failpointHooks('after-commit');
    first.afterCommit?.();
    assert.equal(kills.length, 2, 'without a count the first page is killed');
  });
});
