import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { JunctionError } from '../../src/core/errors.ts';
import {
  WORKSPACES_FOLDER,
  workspaceFolderOf,
  workspaceFoldersIn,
} from '../../src/core/workspace-folders.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'junction-ws-folders-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('default keeps the hub-wide folder itself; another workspace its workspaces/<id> below it', () => {
  assert.equal(WORKSPACES_FOLDER, 'workspaces');
  assert.equal(workspaceFolderOf('/data/files', 'default'), '/data/files');
  assert.equal(workspaceFolderOf('/data/files', 'acme'), '/data/files/workspaces/acme');
});

test('a malformed workspace id is refused, so no id walks out of the folder', () => {
  for (const id of ['..', '../etc', 'a/b', 'Acme', '']) {
    assert.throws(
      () => workspaceFolderOf('/data/files', id),
      (err: unknown) =>
        err instanceof JunctionError &&
        err.message === `'${id}' is not a workspace id` &&
        JSON.stringify(err.details) === JSON.stringify({ workspaceId: id }),
      id,
    );
  }
});

test('a folder without workspaces/ (or none at all) holds only default’s part', async () => {
  assert.deepEqual(await workspaceFoldersIn(root), [{ workspaceId: 'default', folder: root }]);
  const missing = join(root, 'missing');
  assert.deepEqual(await workspaceFoldersIn(missing), [{ workspaceId: 'default', folder: missing }]);
});

test("every workspace's part on disk is listed, default first, the others by id; stray names are left out", async () => {
  const folder = join(root, 'files');
  for (const id of ['zeta', 'acme', 'mid', 'default', 'Not-An-Id', '.hidden'])
    await mkdir(join(folder, WORKSPACES_FOLDER, id), { recursive: true });
  assert.deepEqual(await workspaceFoldersIn(folder), [
    { workspaceId: 'default', folder },
    { workspaceId: 'acme', folder: join(folder, 'workspaces', 'acme') },
    { workspaceId: 'mid', folder: join(folder, 'workspaces', 'mid') },
    { workspaceId: 'zeta', folder: join(folder, 'workspaces', 'zeta') },
  ]);
});

test('a file where workspaces/ would be counts as no workspace folders', async () => {
  const folder = join(root, 'plain');
  await mkdir(folder);
  await writeFile(join(folder, WORKSPACES_FOLDER), 'not a folder');
  assert.deepEqual(await workspaceFoldersIn(folder), [{ workspaceId: 'default', folder }]);
});

test('another error reading workspaces/ is not taken for an empty hub', async () => {
  const folder = join(root, 'looped');
  await mkdir(folder);
  await symlink(join(folder, WORKSPACES_FOLDER), join(folder, WORKSPACES_FOLDER));
  await assert.rejects(workspaceFoldersIn(folder), { code: 'ELOOP' });
});
