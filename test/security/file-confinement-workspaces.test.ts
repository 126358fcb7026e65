import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { fileAccessOf } from '../../src/config/environment.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { purgeEveryWorkspace } from '../../src/import/workspace.ts';
import { purgeUploads } from '../../src/scheduler/retention.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import { moveUploadsIntoWorkspaces, purgeUnnamedUploads } from '../../src/server/uploads.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { eventually } from '../helpers/eventually.ts';
import { type Client, createTestServer, login } from '../helpers/server.ts';
import { generateImportPeople, PEOPLE_FIELDS, writePeopleXlsx } from '../import/fixtures.ts';
import { createCustomersTable } from '../import/setup.ts';

/**
 * Review finding (high, issue 21): JUNCTION_FILES_DIR was shared by every workspace, so one customer's admin
 * could name another customer's file in a spreadsheet connection. Each workspace now reads only its own
 * part: `default` the files folder without `workspaces/` (and `imports/`), every other one `workspaces/<id>/`.
 */
const KEY_HEX = 'cd'.repeat(32);
const log = pino({ level: 'silent' });
const PASSWORD = 'member-password-123';

function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }) {
  const boundary = `----junction${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), 'content-type': `multipart/form-data; boundary=${boundary}` };
}

describe('each workspace reads only its own files folder (SQLite store)', () => {
  let work: string;
  let dataDir: string;
  let filesDir: string;
  let uploadsDir: string;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let bea: Client;

  /** A request as `c` in `workspace` (the dashboard's switcher sends the header). */
  const as = (c: Client, workspace: string) => ({
    get: (url: string) =>
      app.inject({ method: 'GET', url, headers: { cookie: c.cookie, 'x-junction-workspace': workspace } }),
    send: (method: 'POST' | 'PUT', url: string, body?: unknown) =>
      app.inject({
        method,
        url,
        headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'x-junction-workspace': workspace },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    upload: (url: string, fields: Record<string, string>, file: { name: string; content: Buffer }) => {
      const { payload, ...headers } = multipart(fields, file);
      return app.inject({
        method: 'POST',
        url,
        payload,
        headers: { ...headers, cookie: c.cookie, 'x-csrf-token': c.csrf, 'x-junction-workspace': workspace },
      });
    },
  });
  const inB = () => as(bea, 'b');
  const inDefault = () => as(admin, 'default');
  const refusedWithout = (res: LightMyRequestResponse, ...leaks: string[]) => {
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'file_not_allowed', res.body);
    for (const leak of leaks) assert.ok(!res.body.includes(leak), `the answer leaks '${leak}': ${res.body}`);
  };
  const spreadsheet = (file: string) => ({ name: 'sheet', system: 'spreadsheet', config: { file } });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'junction-ws-files-'));
    dataDir = join(work, 'data');
    filesDir = join(dataDir, 'files');
    uploadsDir = join(dataDir, 'uploads');
    mkdirSync(dataDir, { recursive: true });
    const databaseUrl = `sqlite:${join(dataDir, 'junction.db')}`;
    const files = fileAccessOf({ dataDir, databaseUrl, filesDirs: [filesDir], uploadsDir });
    store = await openStore({
      databaseUrl,
      dataDir,
      secretBox: createSecretBox(Buffer.from(KEY_HEX, 'hex')),
    });
    // The default workspace's customer file, workspace a's, and workspace b's own.
    writeFileSync(join(filesDir, 'default.csv'), 'id;email\n1;DEFAULT-CONTENT@example.ch\n');
    mkdirSync(join(filesDir, 'workspaces', 'a'), { recursive: true });
    writeFileSync(join(filesDir, 'workspaces', 'a', 'a.csv'), 'id;email\n1;A-CONTENT@example.ch\n');
    mkdirSync(join(filesDir, 'workspaces', 'b'), { recursive: true });
    writeFileSync(join(filesDir, 'workspaces', 'b', 'own.csv'), 'id;email\n1;b@example.ch\n');
    symlinkSync(join(filesDir, 'default.csv'), join(filesDir, 'workspaces', 'b', 'link.csv'));
    for (const id of ['a', 'b']) await store.workspaces.save({ id, name: id.toUpperCase() });
    ({ app, admin } = await createTestServer(store, {
      files,
      importsDir: join(filesDir, 'imports'),
      uploadsDir,
    }));
    await store.users.create({
      username: 'bea',
      name: 'Bea',
      role: 'viewer',
      passwordHash: await hashPassword(PASSWORD),
      workspaces: [{ id: 'b', role: 'admin' }],
    });
    bea = await login(app, { username: 'bea', password: PASSWORD });
  });
  after(async () => {
    await app?.close();
    await store?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("a workspace's admin cannot name the default workspace's or another workspace's files: ../, absolute, symlink", async () => {
    for (const [id, file] of [
      ['up', '../../default.csv'],
      ['absolute', join(filesDir, 'default.csv')],
      ['other', join(filesDir, 'workspaces', 'a', 'a.csv')],
      ['sibling', '../a/a.csv'],
      ['link', 'link.csv'],
    ] as const) {
      const refused = await inB().send('PUT', `/api/connections/${id}`, spreadsheet(file));
      refusedWithout(refused, 'DEFAULT', 'A-CONTENT');
      // A customer's admin learns nothing of the hub's folders or settings beyond the path they typed.
      if (!file.startsWith('/')) refusedWithout(refused, work, 'JUNCTION_FILES_DIR', 'allowedFolders');
      // Saved behind the API (before this check, or a symlink retargeted later): every use is refused too.
      await store
        .inWorkspace('b')
        .connections.save({ id, ...spreadsheet(file), system: 'spreadsheet', secret: {} });
      refusedWithout(await inB().get(`/api/connections/${id}/describe`), 'DEFAULT-CONTENT', 'A-CONTENT');
    }
    // A file that does not exist in another workspace's folder is refused the same: nothing tells it is missing.
    const missing = await inB().send('PUT', '/api/connections/probe', spreadsheet('../a/missing.csv'));
    refusedWithout(missing);
    assert.equal(
      missing.json().error.message.replace('missing', 'a'),
      (await inB().send('PUT', '/api/connections/probe', spreadsheet('../a/a.csv'))).json().error.message,
    );
  });

  test('the default workspace cannot name files under workspaces/, and keeps its own by their relative path', async () => {
    for (const file of [join(filesDir, 'workspaces', 'b', 'own.csv'), 'workspaces/b/own.csv']) {
      refusedWithout(await inDefault().send('PUT', '/api/connections/peek', spreadsheet(file)));
    }
    await store.connections.save({
      id: 'peek',
      ...spreadsheet('workspaces/a/a.csv'),
      system: 'spreadsheet',
      secret: {},
    });
    refusedWithout(await inDefault().get('/api/connections/peek/describe'), 'A-CONTENT');
    // The default workspace's own files still work, by a relative path as before workspaces.
    assert.equal(
      (await inDefault().send('PUT', '/api/connections/mine', spreadsheet('default.csv'))).statusCode,
      200,
    );
    assert.equal((await inDefault().get('/api/connections/mine/describe')).statusCode, 200);
  });

  test("a workspace's own file works by its relative path: describe, and an import into its own SQLite file that runs", async () => {
    const own = await inB().send('PUT', '/api/connections/b-own', spreadsheet('own.csv'));
    assert.equal(own.statusCode, 200, own.body);
    const described = await inB().get('/api/connections/b-own/describe');
    assert.equal(described.statusCode, 200, described.body);
    assert.deepEqual(
      described.json().objects[0].fields.map((f: { name: string }) => f.name),
      ['id', 'email'],
    );
    // The target is a business database named relative to b's folder: the run resolves it there.
    const erp = join(filesDir, 'workspaces', 'b', 'erp.db');
    await createCustomersTable({ dialect: 'sqlite', url: `sqlite:${erp}`, drop: async () => {} });
    const b = store.inWorkspace('b');
    await b.connections.save({
      id: 'b-upload',
      name: 'Uploads',
      system: 'spreadsheet',
      config: {},
      secret: {},
    });
    const erpSaved = await inB().send('PUT', '/api/connections/b-erp', {
      name: 'ERP',
      system: 'sql',
      config: { url: 'sqlite:erp.db' },
    });
    assert.equal(erpSaved.statusCode, 200, erpSaved.body);
    await b.mappings.save(
      MappingDefinitionSchema.parse({
        id: 'b-import',
        name: 'File → customers',
        source: { connectionId: 'b-upload', object: 'Kunden', key: 'Kundennummer' },
        target: { connectionId: 'b-erp', object: 'customers' },
        matchKey: { target: 'customer_no' },
        fields: [{ target: 'customer_no', from: 'Kundennummer', required: true }, ...PEOPLE_FIELDS],
      }),
    );
    const xlsx = join(work, 'kunden.xlsx');
    await writePeopleXlsx(xlsx, generateImportPeople(5, new Map([[2, 'email']])));
    const uploaded = await inB().upload(
      '/api/imports',
      { mappingId: 'b-import' },
      {
        name: 'kunden.xlsx',
        content: readFileSync(xlsx),
      },
    );
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    const id = uploaded.json().id as string;
    // The upload and its error file lie in b's own imports folder, inside the protected imports/.
    assert.ok(existsSync(join(filesDir, 'imports', 'workspaces', 'b', id, 'upload')));
    assert.ok(existsSync(join(filesDir, 'imports', 'workspaces', 'b', id, 'errors.xlsx')));
    assert.ok(!existsSync(join(filesDir, 'imports', id)), 'not among the default workspace imports');
    const ran = await inB().send('POST', `/api/imports/${id}/run`, { validRowsOnly: true });
    assert.equal(ran.statusCode, 202, ran.body);
    const executionId = ran.json().executionId as string;
    const execution = await eventually(
      'the import run finished',
      async () => {
        const e = await b.executions.get(executionId);
        return e.status !== 'running' && e;
      },
      { timeoutMs: 60_000 },
    );
    // The import's record is written once its run is over: wait for it before the folder goes.
    await eventually(
      'the import is finished',
      async () => (await inB().get(`/api/imports/${id}`)).json().status === 'finished',
    );
    assert.equal(execution.error, null, JSON.stringify(execution.error));
    assert.equal(execution.counts.created, 4);
    // Another workspace finds neither the import nor its error file.
    for (const url of [`/api/imports/${id}`, `/api/imports/${id}/error-file`]) {
      assert.equal((await inDefault().get(url)).statusCode, 404, url);
      assert.equal((await as(admin, 'a').get(url)).statusCode, 404, url);
    }
    assert.equal((await inB().get(`/api/imports/${id}/error-file`)).statusCode, 200);
    // Retention reaches every workspace's imports: a day's retention removes b's once it is older.
    await store.settings.update({ retentionDays: 1 });
    const later = new Date(Date.now() + 2 * 86_400_000);
    assert.equal(await purgeUploads(store, purgeEveryWorkspace(join(filesDir, 'imports')), log, later), 1);
    assert.ok(
      !existsSync(join(filesDir, 'imports', 'workspaces', 'b', id)),
      "b's upload and its data are gone",
    );
  });

  test("a dashboard upload lands in its workspace's part of the uploads folder, which no other workspace may name", async () => {
    const res = await inB().upload(
      '/api/files?system=spreadsheet',
      {},
      {
        name: 'liste.csv',
        content: Buffer.from('id;email\n1;UPLOADED@example.ch\n'),
      },
    );
    assert.equal(res.statusCode, 201, res.body);
    const path = res.json().path as string;
    assert.ok(path.startsWith(join(uploadsDir, 'workspaces', 'b', 'connections')), path);
    assert.equal((await inB().send('PUT', '/api/connections/b-list', spreadsheet(path))).statusCode, 200);
    refusedWithout(await inDefault().send('PUT', '/api/connections/theirs', spreadsheet(path)), 'UPLOADED');
    refusedWithout(
      await as(admin, 'a').send('PUT', '/api/connections/theirs', spreadsheet(path)),
      'UPLOADED',
    );
    // The clean-up sweeps every workspace's part and keeps what a connection names.
    await purgeUnnamedUploads({ store, uploadsDir, filesFolder: filesDir, graceMs: 0 });
    assert.ok(existsSync(path), 'a named upload stays');
    assert.equal(readdirSync(join(uploadsDir, 'workspaces', 'b', 'connections')).length, 1);
  });

  test('uploads another workspace made before each had its own part move there at start; one default names too stays', async () => {
    const upload = (id: string, content: string) => {
      const dir = join(uploadsDir, 'connections', id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'kunden.csv'), content);
      return join(dir, 'kunden.csv');
    };
    const own = upload('11111111-1111-4111-8111-111111111111', 'id;email\n1;b-old@example.ch\n');
    const defaults = upload(
      '22222222-2222-4222-8222-222222222222',
      'id;email\n1;DEFAULT-UPLOAD@example.ch\n',
    );
    const b = store.inWorkspace('b');
    await b.connections.save({ id: 'b-old', ...spreadsheet(own), system: 'spreadsheet', secret: {} });
    await b.connections.save({ id: 'b-grab', ...spreadsheet(defaults), system: 'spreadsheet', secret: {} });
    await store.connections.save({ id: 'd-up', ...spreadsheet(defaults), system: 'spreadsheet', secret: {} });
    refusedWithout(await inB().get('/api/connections/b-old/describe'));

    assert.equal(await moveUploadsIntoWorkspaces({ store, filesFolder: filesDir, uploadsDir }), 1);
    const moved = join(
      uploadsDir,
      'workspaces',
      'b',
      'connections',
      '11111111-1111-4111-8111-111111111111',
      'kunden.csv',
    );
    assert.equal((await b.connections.get('b-old')).config.file, moved);
    assert.equal((await inB().get('/api/connections/b-old/describe')).statusCode, 200);
    // Named by default too: it stays default's, and b's connection stays refused.
    assert.ok(existsSync(defaults));
    assert.equal((await b.connections.get('b-grab')).config.file, defaults);
    refusedWithout(await inB().get('/api/connections/b-grab/describe'), 'DEFAULT-UPLOAD');
    assert.equal((await inDefault().get('/api/connections/d-up/describe')).statusCode, 200);
    assert.equal(
      await moveUploadsIntoWorkspaces({ store, filesFolder: filesDir, uploadsDir }),
      0,
      'once only',
    );
  });

  test('a workspace is not deleted while its files folder holds files (one made again under its id would read them); its imports go with it', async () => {
    await store.workspaces.save({ id: 'gone', name: 'Gone' });
    mkdirSync(join(filesDir, 'workspaces', 'gone'), { recursive: true });
    writeFileSync(
      join(filesDir, 'workspaces', 'gone', 'kunden.csv'),
      'id;email\n1;GONE-CONTENT@example.ch\n',
    );
    const importOfIt = join(filesDir, 'imports', 'workspaces', 'gone', 'an-import');
    mkdirSync(importOfIt, { recursive: true });
    writeFileSync(join(importOfIt, 'upload'), 'GONE-UPLOAD');
    const defaultImports = readdirSync(join(filesDir, 'imports'));
    const remove = () =>
      app.inject({
        method: 'DELETE',
        url: '/api/workspaces/gone',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      });
    const refused = await remove();
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.code, 'workspace_not_empty');
    assert.match(refused.json().error.message, /still has files in .*workspaces\/gone/);
    assert.equal((await store.workspaces.get('gone')).id, 'gone', 'the workspace stays');
    assert.ok(existsSync(join(importOfIt, 'upload')), 'nothing of it was removed');
    rmSync(join(filesDir, 'workspaces', 'gone', 'kunden.csv'));
    const removed = await remove();
    assert.equal(removed.statusCode, 200, removed.body);
    await assert.rejects(store.workspaces.get('gone'), { code: 'not_found' });
    assert.ok(!existsSync(join(filesDir, 'imports', 'workspaces', 'gone')), 'its imports went with it');
    assert.deepEqual(
      readdirSync(join(filesDir, 'imports')),
      defaultImports,
      "the other workspaces' imports stay",
    );
  });

  test('the policy: a connection without a workspace, or with a malformed one, reads nothing', () => {
    const files = fileAccessOf({ dataDir, databaseUrl: undefined, filesDirs: [filesDir], uploadsDir });
    assert.equal(files.resolve('default.csv'), join(filesDir, 'default.csv'));
    assert.equal(files.forWorkspace('b').resolve('own.csv'), join(filesDir, 'workspaces', 'b', 'own.csv'));
    for (const ws of [undefined, '../b', '\u0000none'])
      assert.throws(() => files.forWorkspace(ws).resolve(join(filesDir, 'default.csv')), {
        code: 'file_not_allowed',
      });
    // A new workspace's folder is made on first use, readable by Junction's user only.
    files.forWorkspace('fresh');
    assert.equal(statSync(join(filesDir, 'workspaces', 'fresh')).mode & 0o777, 0o700);
  });
});
