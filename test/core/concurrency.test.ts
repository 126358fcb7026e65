import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapConcurrent } from '../../src/core/concurrency.ts';

/** A task function that records which inputs it got and how many ran at once, each taking `ms(input)`. */
function probe(ms: (n: number) => number) {
  const seen: number[] = [];
  let running = 0;
  let peak = 0;
  const fn = async (n: number) => {
    seen.push(n);
    running++;
    peak = Math.max(peak, running);
    await sleep(ms(n));
    running--;
    return n * 10;
  };
  return { fn, seen, peak: () => peak };
}

test('the results keep the input order although later inputs finish first', async () => {
  const p = probe((n) => (5 - n) * 5);
  assert.deepEqual(await mapConcurrent([1, 2, 3, 4], 4, p.fn), [10, 20, 30, 40]);
});

test('every input is handed to the function exactly once', async () => {
  const p = probe(() => 1);
  await mapConcurrent([1, 2, 3, 4, 5], 2, p.fn);
  assert.deepEqual([...p.seen].sort(), [1, 2, 3, 4, 5]);
});

test('no more than the limit run at once, and the limit is used', async () => {
  const p = probe(() => 5);
  assert.deepEqual(await mapConcurrent([1, 2, 3, 4, 5], 2, p.fn), [10, 20, 30, 40, 50]);
  assert.equal(p.peak(), 2);
});

test('a limit above the number of inputs runs them all at once', async () => {
  const p = probe(() => 5);
  assert.deepEqual(await mapConcurrent([1, 2, 3], 10, p.fn), [10, 20, 30]);
  assert.equal(p.peak(), 3);
  assert.deepEqual(p.seen, [1, 2, 3]);
});

test('an unbounded limit runs every input at once', async () => {
  const p = probe(() => 5);
  assert.deepEqual(await mapConcurrent([1, 2, 3], Number.POSITIVE_INFINITY, p.fn), [10, 20, 30]);
  assert.equal(p.peak(), 3);
});

test('no inputs give no results and no calls', async () => {
  const p = probe(() => 1);
  assert.deepEqual(await mapConcurrent([], 3, p.fn), []);
  assert.deepEqual(p.seen, []);
});

test('a failing call fails the whole map with its error', async () => {
  const boom = new Error('boom');
  await assert.rejects(
    mapConcurrent([1, 2, 3], 2, async (n) => {
      if (n === 2) throw boom;
      return n;
    }),
    boom,
  );
});
