import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureFirstAdmin } from '../../src/server/auth/bootstrap.ts';
import { verifyPassword } from '../../src/server/auth/passwords.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * Finding 12: a too-short JUNCTION_ADMIN_PASSWORD was silently replaced by a generated one (not marked
 * must-change), and the environment's password was printed to stdout.
 */
const CLI = new URL('../../bin/junction.js', import.meta.url).pathname;

for (const dialect of DIALECTS) {
  describe(`the first admin (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    test('a JUNCTION_ADMIN_PASSWORD under 10 characters is refused and creates no user', async () => {
      await assert.rejects(ensureFirstAdmin(store, { JUNCTION_ADMIN_PASSWORD: 'short' }), {
        code: 'admin_password_too_short',
        message: /JUNCTION_ADMIN_PASSWORD is too short \(5 characters\).*at least 10/,
      });
      assert.equal(await store.users.count(), 0);
    });

    test("the environment's password is used as given and never handed back for printing", async () => {
      const admin = await ensureFirstAdmin(store, { JUNCTION_ADMIN_PASSWORD: 'a-long-enough-one' });
      assert.deepEqual(admin, { username: 'admin', password: null });
      const found = await store.users.findForLogin('admin');
      assert.ok(found && (await verifyPassword('a-long-enough-one', found.passwordHash)));
      assert.equal(found.user.mustChangePassword, false);
    });
  });
}

/** Runs `junction start` until it prints its banner (or exits); returns what it printed and its exit code. */
function start(env: Record<string, string>): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: { ...process.env, JUNCTION_DEMO: '0', PORT: '0', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Press Ctrl-C')) child.kill('SIGINT');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

describe('junction start and JUNCTION_ADMIN_PASSWORD', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'junction-bootstrap-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a too-short password stops the start with a clear message, before the data folder is touched', async () => {
    const data = join(dir, 'short');
    const { out, code } = await start({ JUNCTION_DATA_DIR: data, JUNCTION_ADMIN_PASSWORD: 'abc123' });
    assert.equal(code, 1, out);
    assert.match(out, /JUNCTION_ADMIN_PASSWORD is too short/);
    assert.ok(!existsSync(data), 'no store was created');
  });

  test('a good password starts the hub and is not printed', async () => {
    const password = 'operator-chosen-secret-42';
    const { out } = await start({ JUNCTION_DATA_DIR: join(dir, 'good'), JUNCTION_ADMIN_PASSWORD: password });
    assert.match(out, /login: +admin \/ the password in JUNCTION_ADMIN_PASSWORD/, out);
    assert.ok(!out.includes(password), 'the password is not printed');
  });
});
