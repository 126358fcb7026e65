import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endsWithLoneEscape, likeMatches, likePatternText } from '../../src/core/expression/like.ts';

describe('LIKE in memory', () => {
  test('a lone trailing escape is counted from the end: an odd run of backslashes is lone, an even one not', () => {
    assert.equal(endsWithLoneEscape(''), false);
    assert.equal(endsWithLoneEscape('a'), false);
    assert.equal(endsWithLoneEscape('\\'), true);
    assert.equal(endsWithLoneEscape('a\\'), true);
    assert.equal(endsWithLoneEscape('a\\\\'), false);
    assert.equal(endsWithLoneEscape('\\\\\\'), true);
    assert.equal(endsWithLoneEscape('\\a'), false);
  });

  test('a pattern ending in a lone escape matches nothing, not even the text before the escape', () => {
    assert.equal(likeMatches('a', 'a\\'), false);
    assert.equal(likeMatches('a\\', 'a\\'), false);
    assert.equal(likeMatches('a\\', 'a\\\\'), true);
  });

  test('an escape makes only the next character literal; later wildcards keep their meaning', () => {
    assert.equal(likeMatches('_xyz', '\\_%'), true);
    assert.equal(likeMatches('axyz', '\\_%'), false);
    assert.equal(likeMatches('%ab', '\\%_b'), true);
  });

  test('patterns keep matching correctly across many distinct patterns (the compiled-pattern cache is cleared)', () => {
    for (let i = 0; i < 1200; i++) {
      assert.equal(likeMatches(`id-${i}-x`, `ID-${i}-_`), true);
      assert.equal(likeMatches(`id-${i}`, `id-${i + 1}%`), false);
    }
    assert.equal(likeMatches('ID-0-X', 'id-0-_'), true);
  });

  test('a constant pattern is SQL text only when it is text-like and has no lone trailing escape', () => {
    assert.equal(likePatternText('a%'), 'a%');
    assert.equal(likePatternText('a\\\\'), 'a\\\\');
    assert.equal(likePatternText(12), '12');
    assert.equal(likePatternText('a\\'), null);
    assert.equal(likePatternText(true), null);
    assert.equal(likePatternText(false), null);
    assert.equal(likePatternText(null), null);
    assert.equal(likePatternText(undefined), null);
  });
});
