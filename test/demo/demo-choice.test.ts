import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideDemo, demoChoiceFromEnv } from '../../src/cli/demo.ts';

describe('whether `junction start` loads the demo', () => {
  const base = { choice: 'offer' as const, firstStart: true, loaded: false, interactive: true };

  test('a new data folder on a terminal asks', () => {
    assert.equal(decideDemo(base), 'ask');
  });

  test('a new data folder without a terminal starts empty unless --demo or JUNCTION_DEMO=1 says otherwise', () => {
    assert.equal(decideDemo({ ...base, interactive: false }), 'skip');
    assert.equal(decideDemo({ ...base, interactive: false, choice: 'yes' }), 'load');
    assert.equal(decideDemo({ ...base, interactive: false, choice: demoChoiceFromEnv('1') }), 'load');
  });

  test('a data folder used before is not asked again, but a loaded demo gets its emulators back', () => {
    assert.equal(decideDemo({ ...base, firstStart: false }), 'skip');
    assert.equal(decideDemo({ ...base, firstStart: false, loaded: true, interactive: false }), 'load');
  });

  test('--no-demo and JUNCTION_DEMO=0 never load it', () => {
    assert.equal(decideDemo({ ...base, choice: 'no', loaded: true }), 'skip');
    assert.equal(demoChoiceFromEnv('0'), 'no');
    assert.equal(demoChoiceFromEnv(' TRUE '), 'yes');
    assert.equal(demoChoiceFromEnv(undefined), 'offer');
    assert.equal(demoChoiceFromEnv('maybe'), 'offer');
  });
});
