import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileAccessOf } from '../../src/config/environment.ts';

/**
 * Review finding (issue 21): a protected folder that did not exist yet when the policy was made (`workspaces/`,
 * `imports/`, made on first use) was held by its name, not its real path. With the data folder reached
 * through a symlink (a mounted disk linked into place), the default workspace read every other workspace's
 * files and import uploads by their relative path.
 */
const work = mkdtempSync(join(tmpdir(), 'junction-linked-data-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("through a symlinked data folder, the default workspace still cannot name another workspace's files or imports", () => {
  mkdirSync(join(work, 'disk', 'data'), { recursive: true });
  symlinkSync(join(work, 'disk', 'data'), join(work, 'data'));
  const dataDir = join(work, 'data');
  const filesDir = join(dataDir, 'files');
  const files = fileAccessOf({
    dataDir,
    databaseUrl: undefined,
    filesDirs: [filesDir],
    uploadsDir: join(dataDir, 'uploads'),
  });
  // Made after the policy: workspace b's folder on its first use, an import of b's.
  files.forWorkspace('b');
  writeFileSync(join(filesDir, 'workspaces', 'b', 'own.csv'), 'id\n1\n');
  mkdirSync(join(filesDir, 'imports', 'workspaces', 'b', 'upload-id'), { recursive: true });
  writeFileSync(join(filesDir, 'imports', 'workspaces', 'b', 'upload-id', 'upload'), 'id\n1\n');
  writeFileSync(join(filesDir, 'default.csv'), 'id\n1\n');

  for (const path of ['workspaces/b/own.csv', 'imports/workspaces/b/upload-id/upload'])
    assert.throws(() => files.resolve(path), { code: 'file_not_allowed' }, path);
  // Each keeps its own.
  assert.equal(files.resolve('default.csv'), join(work, 'disk', 'data', 'files', 'default.csv'));
  assert.equal(
    files.forWorkspace('b').resolve('own.csv'),
    join(work, 'disk', 'data', 'files', 'workspaces', 'b', 'own.csv'),
  );
});
