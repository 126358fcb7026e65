import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createScreen } from '../../src/cli/terminal.ts';
import { ZERO_COUNTS } from '../../src/core/types.ts';

/** A stand-in for a terminal's stderr: keeps what is written, answers the cursor calls cli-progress makes. */
function fakeTerminal(isTTY: boolean) {
  let text = '';
  const stream = {
    isTTY,
    columns: 120,
    write(s: string) {
      text += s;
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

test('on a terminal, log lines are readable text written above the progress bar, not JSON', async () => {
  const term = fakeTerminal(true);
  const screen = createScreen(term.stream, {});
  assert.equal(screen.pretty, true);
  const log = pino({ level: 'info' }, screen.logDestination);
  const progress = screen.progress();
  progress.update({ ...ZERO_COUNTS, read: 40, created: 40 }, null);
  log.warn({ taskId: 'people' }, 'HubSpot answered 429; waiting');
  progress.update({ ...ZERO_COUNTS, read: 80, created: 80 }, null);
  progress.stop();
  const out = term.text();
  assert.match(out, /WARN.*HubSpot answered 429; waiting/);
  assert.doesNotMatch(out, /"level":40/);
  assert.match(out, /80 read \| 80 created/);
  // The bar is drawn again after the line: the last thing on screen is the bar, not the log line.
  assert.ok(out.lastIndexOf('80 read') > out.indexOf('HubSpot answered 429'));
});

test('with LOG_FORMAT=json or off a terminal, logs stay one JSON object per line', () => {
  for (const [isTTY, env] of [
    [true, { LOG_FORMAT: 'json' }],
    [false, {}],
  ] as const) {
    const term = fakeTerminal(isTTY);
    const screen = createScreen(term.stream, env);
    assert.equal(screen.pretty, false);
    pino({ level: 'info' }, screen.logDestination).info({ taskId: 'people' }, 'run finished');
    const line = JSON.parse(term.text().trim()) as { msg: string; taskId: string };
    assert.equal(line.msg, 'run finished');
    assert.equal(line.taskId, 'people');
  }
});
