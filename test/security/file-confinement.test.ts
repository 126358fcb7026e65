import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { fileAccessOf, readEnvironment } from '../../src/config/environment.ts';
import type { FileAccess } from '../../src/connectors/file-access.ts';
import { confinedFactory } from '../../src/connectors/registry.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';

/**
 * Finding 1 (high): an admin could read any file of the server — the master key included — through a
 * spreadsheet connection's `file` (describe returned its content in the error) or a `sqlite:` business
 * database URL (a mapping preview read Junction's own store). Finding 14: `sqlite:/nonexistent` was a 500.
 */
const KEY_HEX = 'ab'.repeat(32);

for (const dialect of DIALECTS) {
  describe(`file confinement (${dialect.name} store)`, () => {
    let work: string;
    let dataDir: string;
    let filesDir: string;
    let outside: string;
    let db: TempDatabase | undefined;
    let store: Store;
    let files: FileAccess;
    let app: FastifyInstance;
    let admin: Client;

    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'junction-confine-'));
      dataDir = join(work, 'data');
      filesDir = join(dataDir, 'files');
      outside = join(work, 'elsewhere');
      mkdirSync(outside, { recursive: true });
      let databaseUrl: string;
      if (dialect.name === 'SQLite') {
        mkdirSync(dataDir, { recursive: true });
        databaseUrl = `sqlite:${join(dataDir, 'junction.db')}`;
      } else {
        db = await dialect.create();
        databaseUrl = db.url;
      }
      files = fileAccessOf({ dataDir, databaseUrl, filesDirs: [filesDir] });
      writeFileSync(join(dataDir, 'secret.key'), KEY_HEX, { mode: 0o600 });
      store = await openStore({
        databaseUrl,
        dataDir,
        secretBox: createSecretBox(Buffer.from(KEY_HEX, 'hex')),
      });
      writeFileSync(join(filesDir, 'people.csv'), 'id;email\n1;anna@example.ch\n');
      writeFileSync(join(filesDir, 'duplicate.csv'), 'TOPSECRET-HEADING;TOPSECRET-HEADING\n1;2\n');
      writeFileSync(join(outside, 'outside.csv'), 'OUTSIDE-CONTENT;x\n1;2\n');
      symlinkSync(join(dataDir, 'secret.key'), join(filesDir, 'key-link.csv'));
      symlinkSync(outside, join(filesDir, 'escape'));
      await createPeopleTable(
        { dialect: 'sqlite', url: `sqlite:${join(filesDir, 'business.db')}`, drop: async () => {} },
        generatePeople(3),
      );
      ({ app, admin } = await createTestServer(store, { files, importsDir: join(filesDir, 'imports') }));
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
      rmSync(work, { recursive: true, force: true });
    });

    /**
     * Saves a connection through the API when it may be saved; one the API refuses is planted in the
     * store (saved before this check existed, or a symlink retargeted later), so every use is tested too.
     */
    const save = async (id: string, system: 'spreadsheet' | 'sql', config: Record<string, unknown>) => {
      const res = await admin.send('PUT', `/api/connections/${id}`, { name: id, system, config });
      if (res.statusCode === 200) return 'saved';
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'file_not_allowed', res.body);
      await store.connections.save({ id, name: id, system, config, secret: {} });
      return 'refused';
    };
    const spreadsheet = (id: string, file: string) => save(id, 'spreadsheet', { file });
    const sqlConnection = (id: string, url: string) => save(id, 'sql', { url });
    const refusedWithout = (res: LightMyRequestResponse, code: string, ...leaks: string[]) => {
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, code, res.body);
      for (const leak of leaks)
        assert.ok(!res.body.includes(leak), `the answer leaks '${leak}': ${res.body}`);
    };

    test("describe of a spreadsheet connection on the data folder's secret.key is refused without its content", async () => {
      await spreadsheet('key', join(dataDir, 'secret.key'));
      refusedWithout(await admin.get('/api/connections/key/describe'), 'file_not_allowed', KEY_HEX);
      const tested = await admin.send('POST', '/api/connections/key/test');
      assert.ok(!tested.body.includes(KEY_HEX), tested.body);
      assert.equal(tested.json().ok ?? false, false, tested.body);
    });

    test('paths that walk out of the files folder are refused: .., relative, symlinked file, symlinked folder', async () => {
      for (const [id, file] of [
        ['dotdot', join(filesDir, '..', 'secret.key')],
        ['relative', '../secret.key'],
        ['link', join(filesDir, 'key-link.csv')],
        ['folder-link', join(filesDir, 'escape', 'outside.csv')],
      ] as const) {
        await spreadsheet(id, file);
        refusedWithout(
          await admin.get(`/api/connections/${id}/describe`),
          'file_not_allowed',
          KEY_HEX,
          'OUTSIDE-CONTENT',
        );
      }
    });

    test("uploaded imports in the files folder's imports/ are no connection's to name (another workspace's upload)", async () => {
      const upload = join(filesDir, 'imports', 'an-import-id', 'upload.csv');
      mkdirSync(dirname(upload), { recursive: true });
      writeFileSync(upload, 'email\nIMPORT-CONTENT@example.ch\n');
      assert.equal(await spreadsheet('import-upload', upload), 'refused');
      refusedWithout(
        await admin.get('/api/connections/import-upload/describe'),
        'file_not_allowed',
        'IMPORT-CONTENT',
      );
    });

    test('system files and source files are out of reach', async () => {
      await spreadsheet('passwd', '/etc/passwd');
      refusedWithout(await admin.get('/api/connections/passwd/describe'), 'file_not_allowed', 'root:');
      await spreadsheet('source', join(process.cwd(), 'package.json'));
      refusedWithout(await admin.get('/api/connections/source/describe'), 'file_not_allowed', '"name"');
    });

    test("a sqlite: business database on Junction's own store is refused for describe and mapping previews", async () => {
      const storeFile = join(dataDir, 'junction.db');
      await sqlConnection('store', `sqlite:${storeFile}`);
      refusedWithout(
        await admin.get('/api/connections/store/describe'),
        'file_not_allowed',
        'password_hash',
        'api_tokens',
      );
      await spreadsheet('people', join(filesDir, 'people.csv'));
      const preview = await admin.send('POST', '/api/mappings/preview', {
        mapping: {
          id: 'steal',
          name: 'steal',
          source: { connectionId: 'store', object: 'users', key: 'id' },
          target: { connectionId: 'people', object: 'rows' },
          matchKey: { target: 'email' },
          fields: [{ target: 'email', from: 'password_hash' }],
        },
      });
      refusedWithout(preview, 'file_not_allowed', 'scrypt', 'password_hash');
    });

    test('saving a connection with a file outside the folders is refused; one inside that does not exist yet is not', async () => {
      assert.equal(await spreadsheet('save-key', join(dataDir, 'secret.key')), 'refused');
      assert.equal(await spreadsheet('save-passwd', '/etc/passwd'), 'refused');
      assert.equal(await sqlConnection('save-store', `sqlite:${join(dataDir, 'junction.db')}`), 'refused');
      assert.equal(await spreadsheet('save-later', 'later.csv'), 'saved');
      assert.equal(await sqlConnection('save-memory', 'sqlite::memory:'), 'saved');
    });

    test('sqlite:/nonexistent and a missing file inside the folder are 4xx validation errors, not 500', async () => {
      await sqlConnection('nowhere', 'sqlite:/nonexistent');
      refusedWithout(await admin.get('/api/connections/nowhere/describe'), 'file_not_allowed');
      await sqlConnection('missing', `sqlite:${join(filesDir, 'missing.db')}`);
      refusedWithout(await admin.get('/api/connections/missing/describe'), 'file_not_found');
      const tested = await admin.send('POST', '/api/connections/missing/test');
      assert.ok(tested.statusCode < 500, tested.body);
    });

    test('files inside the files folder still work, and their content stays out of refusals', async () => {
      await spreadsheet('ok', 'people.csv');
      const described = await admin.get('/api/connections/ok/describe');
      assert.equal(described.statusCode, 200, described.body);
      assert.deepEqual(
        described.json().objects[0].fields.map((f: { name: string }) => f.name),
        ['id', 'email'],
      );
      await sqlConnection('business', `sqlite:${join(filesDir, 'business.db')}`);
      const tables = await admin.get('/api/connections/business/describe');
      assert.equal(tables.statusCode, 200, tables.body);
      assert.ok(tables.json().objects.some((o: { name: string }) => o.name === 'people'));
      await spreadsheet('dup', join(filesDir, 'duplicate.csv'));
      const dup = await admin.get('/api/connections/dup/describe');
      assert.equal(dup.statusCode, 422, dup.body);
      assert.equal(dup.json().error.code, 'header_duplicate');
      assert.ok(!dup.body.includes('TOPSECRET'), dup.body);
    });

    test('runs are confined too: a connector made for a run cannot read the store', async () => {
      const make = confinedFactory(files);
      const connector = make(
        {
          id: 'store',
          name: 'store',
          system: 'sql',
          config: { url: `sqlite:${join(dataDir, 'junction.db')}` },
          secret: {},
        },
        { log: pino({ level: 'silent' }), signal: new AbortController().signal },
      );
      const read = async () => {
        for await (const _ of connector.read('users', { keyField: 'id' })) return;
      };
      await assert.rejects(read(), { code: 'file_not_allowed' });
      await connector.close?.().catch(() => {});
    });
  });
}

describe('the file policy itself', () => {
  let work: string;
  let dataDir: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'junction-policy-'));
    dataDir = join(work, 'data');
    mkdirSync(join(dataDir, 'files'), { recursive: true });
    writeFileSync(join(dataDir, 'secret.key'), KEY_HEX);
    writeFileSync(join(dataDir, 'files', 'ok.csv'), 'a\n1\n');
    writeFileSync(join(work, 'store.db'), '');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test("the data folder's own files stay out of reach even when JUNCTION_FILES_DIR names it or /", () => {
    for (const filesDirs of [[dataDir], ['/'], ['/', join(dataDir, 'files')]]) {
      const files = fileAccessOf({ dataDir, databaseUrl: `sqlite:${join(work, 'store.db')}`, filesDirs });
      assert.throws(() => files.resolve(join(dataDir, 'secret.key')), { code: 'file_not_allowed' });
      assert.throws(() => files.resolve(join(work, 'store.db')), { code: 'file_not_allowed' });
      if (filesDirs.length > 1)
        assert.equal(files.resolve(join(dataDir, 'files', 'ok.csv')), join(dataDir, 'files', 'ok.csv'));
    }
  });

  test('several folders separated by the path delimiter are all allowed; folders and devices are not files', () => {
    const other = mkdtempSync(join(work, 'other-'));
    writeFileSync(join(other, 'b.csv'), 'b\n2\n');
    const env = readEnvironment({
      JUNCTION_DATA_DIR: dataDir,
      JUNCTION_FILES_DIR: `${join(dataDir, 'files')}${delimiter}${other}`,
    });
    assert.deepEqual(env.filesDirs, [join(dataDir, 'files'), other]);
    assert.deepEqual(readEnvironment({ JUNCTION_DATA_DIR: dataDir }).filesDirs, [join(dataDir, 'files')]);
    const files = fileAccessOf(env);
    assert.equal(files.resolve('ok.csv'), join(dataDir, 'files', 'ok.csv'));
    assert.equal(files.resolve(join(other, 'b.csv')), join(other, 'b.csv'));
    assert.throws(() => files.resolve(other), { code: 'file_not_allowed' });
    assert.throws(() => files.resolve('/dev/zero'), { code: 'file_not_allowed' });
  });
});
