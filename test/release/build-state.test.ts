/**
 * bin/junction.js in a checkout runs dist/ only when it was built from the sources as they are now, by their
 * content (the stamp scripts/build.mjs writes), not by file times. Each test builds a small checkout: the real
 * bin/junction.js and scripts/build-state.mjs, a src/cli/main.ts and a dist/junction.js that each say which
 * one ran, and the repository's node_modules (tsx).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';

const REPO = join(import.meta.dirname, '../..');

/** The files a checkout's build depends on, with contents of their own. */
const SOURCES: Record<string, string> = {
  'src/cli/main.ts': "console.log('ran: sources');\n",
  'src/core/util.ts': 'export const one = 1;\n',
  'emulators/hubspot/index.ts': 'export const emulator = true;\n',
  'package-lock.json': '{}\n',
};

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A checkout with dist/ built from its sources as they are (the stamp written as scripts/build.mjs does). */
async function builtCheckout(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'junction-build-state-'));
  roots.push(root);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  for (const [path, text] of Object.entries(SOURCES)) write(path, text);
  for (const path of [
    'bin/junction.js',
    'bin/node-settings.js',
    'scripts/build-state.mjs',
    'scripts/build.mjs',
  ]) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    copyFileSync(join(REPO, path), join(root, path));
  }
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  write('dist/junction.js', "console.log('ran: dist');\n");
  const state = (await import(
    join(root, 'scripts/build-state.mjs')
  )) as typeof import('../../scripts/build-state.mjs');
  writeFileSync(state.codeStampOf(root), state.codeStampNow(root));
  return root;
}

/** Which code `junction` ran in the checkout. */
function ran(root: string): string {
  return execFileSync(process.execPath, [join(root, 'bin/junction.js')], { encoding: 'utf8' }).trim();
}

/** Sets a file's modification time `ms` before the build's stamp was written. */
function backdate(root: string, path: string, ms = 3_600_000) {
  const before = new Date(statSync(join(root, 'dist/.built')).mtimeMs - ms);
  utimesSync(join(root, path), before, before);
}

describe('bin/junction.js choosing dist/ or the sources', () => {
  test('runs dist/ when it was built from the sources as they are', async () => {
    assert.equal(ran(await builtCheckout()), 'ran: dist');
  });

  test('runs the sources when one was edited after the build and kept an older time (rsync -a, cp -p)', async () => {
    const root = await builtCheckout();
    writeFileSync(join(root, 'src/core/util.ts'), 'export const one = 2;\n');
    backdate(root, 'src/core/util.ts');
    assert.equal(ran(root), 'ran: sources');
  });

  test('runs the sources when a source was added or removed, whatever its time', async () => {
    const added = await builtCheckout();
    writeFileSync(join(added, 'src/core/new.ts'), 'export {};\n');
    backdate(added, 'src/core/new.ts');
    assert.equal(ran(added), 'ran: sources', 'a file added');
    const removed = await builtCheckout();
    unlinkSync(join(removed, 'emulators/hubspot/index.ts'));
    assert.equal(ran(removed), 'ran: sources', 'a file removed');
  });

  test('still runs dist/ when the sources got new times but the same content (git checkout, cp without -p)', async () => {
    const root = await builtCheckout();
    const later = new Date(Date.now() + 60_000);
    for (const path of Object.keys(SOURCES)) utimesSync(join(root, path), later, later);
    assert.equal(ran(root), 'ran: dist');
    // The stamp now holds the new times: the next start compares sizes and times only.
    const stamp = JSON.parse(readFileSync(join(root, 'dist/.built'), 'utf8')) as {
      files: Record<string, [number, number]>;
    };
    assert.equal(stamp.files['src/cli/main.ts']?.[1], statSync(join(root, 'src/cli/main.ts')).mtimeMs);
  });

  test('runs the sources when dist/ has no stamp or the plain timestamp of an older build', async () => {
    const root = await builtCheckout();
    writeFileSync(join(root, 'dist/.built'), `${new Date(Date.now() + 60_000).toISOString()}\n`);
    assert.equal(ran(root), 'ran: sources', 'an older build records no content');
    unlinkSync(join(root, 'dist/.built'));
    assert.equal(ran(root), 'ran: sources', 'a build cut short');
  });
});
