// Files from the dashboard for connections that read a file (POST /api/files) and samples whose columns
// the mapping editor offers (POST /api/files/sample): kept in (or passing through) Junction's own uploads
// folder, never the customer's JUNCTION_FILES_DIR; checked as imports are, described by the connector itself.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createFileAccess } from '../../src/connectors/file-access.ts';
import { moveLegacyUploads, purgeUnnamedUploads } from '../../src/server/uploads.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';
import { generateImportPeople, HEADER, writePeopleXlsx } from '../import/fixtures.ts';
import { makeZip, workbookParts } from '../import/zip-helpers.ts';

function multipart(file: { name: string; content: Buffer }) {
  const boundary = `----junction${Math.random().toString(16).slice(2)}`;
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file.content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('files uploaded for connections and samples', () => {
  let storeDb: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let viewer: Client;
  /** The customer's files folder (JUNCTION_FILES_DIR). */
  let files: string;
  /** Junction's uploads folder (JUNCTION_UPLOADS_DIR). */
  let uploads: string;
  let work: string;
  let xlsx: Buffer;

  const post = (url: string, name: string, content: Buffer, who: Client = admin) => {
    const body = multipart({ name, content });
    return app.inject({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { ...body.headers, cookie: who.cookie, 'x-csrf-token': who.csrf },
    });
  };
  const entries = (sub: string, folder = uploads) => {
    try {
      return readdirSync(join(folder, sub));
    } catch {
      return [];
    }
  };

  before(async () => {
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    files = mkdtempSync(join(tmpdir(), 'junction-files-'));
    uploads = mkdtempSync(join(tmpdir(), 'junction-uploads-'));
    work = mkdtempSync(join(tmpdir(), 'junction-files-work-'));
    await writePeopleXlsx(join(work, 'kunden.xlsx'), generateImportPeople(5));
    xlsx = readFileSync(join(work, 'kunden.xlsx'));
    ({ app, admin, viewer } = await createTestServer(store, {
      files: createFileAccess({ folders: [files, uploads] }),
      importsDir: join(files, 'imports'),
      uploadsDir: uploads,
    }));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await storeDb?.drop();
    rmSync(files, { recursive: true, force: true });
    rmSync(uploads, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  test("an uploaded file lands in Junction's uploads folder (owner-only), answers its columns, and a connection naming it saves and tests ok", async () => {
    const res = await post('/api/files?system=spreadsheet', 'Kunden 2026.xlsx', xlsx);
    assert.equal(res.statusCode, 201, res.body);
    const up = res.json();
    assert.equal(dirname(dirname(up.path)), join(uploads, 'connections'));
    assert.match(basename(dirname(up.path)), /^[0-9a-f-]{36}$/);
    assert.equal(basename(up.path), 'Kunden 2026.xlsx');
    assert.deepEqual(readdirSync(files), [], "nothing lands in the customer's files folder");
    assert.equal(up.field, 'file');
    assert.equal(up.bytes, xlsx.length);
    assert.deepEqual(
      up.objects[0].fields.map((f: { name: string }) => f.name),
      [...HEADER],
    );
    const stored = up.path;
    assert.deepEqual(readFileSync(stored), xlsx);
    assert.equal(statSync(stored).mode & 0o777, 0o600, 'customer data: readable by Junction only');

    const saved = await admin.send('PUT', '/api/connections/kunden', {
      name: 'Kunden',
      system: 'spreadsheet',
      config: { file: up.path },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const tested = (await admin.send('POST', '/api/connections/kunden/test')).json();
    assert.equal(tested.ok, true, tested.message);
    assert.match(tested.message, /Kundennummer/);
  });

  test('a file the connector refuses (not a spreadsheet, a zip bomb) is answered with its code and not kept', async () => {
    const before = entries('connections').length;
    const text = await post(
      '/api/files?system=spreadsheet',
      'notes.pdf',
      Buffer.from('%PDF-1.4 not a sheet'),
    );
    assert.equal(text.statusCode, 422, text.body);
    assert.equal(text.json().error.code, 'file_format_unsupported');
    const lying = workbookParts(Buffer.alloc(4 * 1024 * 1024, 0x20));
    (lying[3] as { declaredSize?: number }).declaredSize = 1000;
    const bomb = await post('/api/files?system=spreadsheet', 'bomb.xlsx', makeZip(lying));
    assert.equal(bomb.statusCode, 422, bomb.body);
    assert.equal(bomb.json().error.code, 'xlsx_zip_bomb');
    assert.equal(entries('connections').length, before, 'refused uploads leave nothing behind');
  });

  test('a file for a system that names no file, or from a viewer, is refused', async () => {
    const hubspot = await post('/api/files?system=hubspot', 'kunden.xlsx', xlsx);
    assert.equal(hubspot.statusCode, 400);
    assert.equal(hubspot.json().error.code, 'validation_error');
    const unknown = await post('/api/files?system=spreadsheet&field=delimiter', 'kunden.xlsx', xlsx);
    assert.equal(unknown.statusCode, 400);
    const asViewer = await post('/api/files?system=spreadsheet', 'kunden.xlsx', xlsx, viewer);
    assert.equal(asViewer.statusCode, 403);
  });

  test("a sample's columns are read with the connection's settings and the sample is not kept", async () => {
    const saved = await admin.send('PUT', '/api/connections/upload-only', {
      name: 'Uploads',
      system: 'spreadsheet',
      config: {},
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const describe = await admin.get('/api/connections/upload-only/describe');
    assert.notEqual(describe.statusCode, 200, 'without a file the connection has nothing to describe');

    const res = await post('/api/files/sample?connectionId=upload-only', 'muster.xlsx', xlsx);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().fileName, 'muster.xlsx');
    assert.deepEqual(
      res.json().objects[0].fields.map((f: { name: string }) => f.name),
      [...HEADER],
    );
    assert.deepEqual(entries('samples'), [], 'the sample is removed once read');
    assert.deepEqual(entries('samples', files), [], "the customer's files folder never held it");
    const stored = await admin.get('/api/connections/upload-only');
    assert.deepEqual(stored.json().config, {}, 'the connection is unchanged');

    const missing = await post('/api/files/sample?connectionId=nope', 'muster.xlsx', xlsx);
    assert.equal(missing.statusCode, 404);
  });

  test('uploads no connection names are removed a day later; named ones and fresh ones stay', async () => {
    const upload = async () =>
      (await post('/api/files?system=spreadsheet', 'liste.xlsx', xlsx)).json().path as string;
    const replaced = await upload();
    const current = await upload();
    const fresh = await upload();
    const saved = await admin.send('PUT', '/api/connections/liste', {
      name: 'Liste',
      system: 'spreadsheet',
      config: { file: current },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    // A sample left behind by a process that died while reading it.
    const lost = join(uploads, 'samples', '00000000-0000-4000-8000-000000000000');
    mkdirSync(lost, { recursive: true });
    writeFileSync(join(lost, 'x.csv'), 'a\n1\n');
    // The customer's own folders that look like Junction's: not Junction's to clean.
    const theirs = ['uploads', 'samples'].map((sub) =>
      join(files, sub, '11111111-1111-4111-8111-111111111111'),
    );
    for (const dir of theirs) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'eigene.csv'), 'a\n1\n');
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const dir of [dirname(replaced), dirname(current), lost, ...theirs])
      utimesSync(dir, twoDaysAgo, twoDaysAgo);

    assert.equal(await purgeUnnamedUploads({ store, uploadsDir: uploads, filesFolder: files }), 2);
    assert.equal(existsSync(replaced), false, 'a file no connection names any more goes');
    assert.equal(existsSync(current), true, "the connection's file stays, however old");
    assert.equal(existsSync(fresh), true, 'a file uploaded today may still be saved');
    for (const dir of theirs) assert.equal(existsSync(join(dir, 'eigene.csv')), true, `${dir} is left alone`);
    assert.deepEqual(entries('samples'), []);
  });

  test("a connection naming an upload an older Junction kept in the files folder is moved to Junction's folder and keeps working", async () => {
    const id = '22222222-2222-4222-8222-222222222222';
    mkdirSync(join(files, 'uploads', id), { recursive: true });
    writeFileSync(join(files, 'uploads', id, 'alt.xlsx'), xlsx);
    const saved = await admin.send('PUT', '/api/connections/alt', {
      name: 'Alt',
      system: 'spreadsheet',
      config: { file: `uploads/${id}/alt.xlsx`, delimiter: ';' },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    // A folder of the customer's no connection names stays where it is.
    const theirs = join(files, 'uploads', '33333333-3333-4333-8333-333333333333');
    mkdirSync(theirs, { recursive: true });

    assert.equal(await moveLegacyUploads({ store, filesFolder: files, uploadsDir: uploads }), 1);
    const moved = join(uploads, 'connections', id, 'alt.xlsx');
    const connection = await store.connections.get('alt');
    assert.deepEqual(connection.config, { file: moved, delimiter: ';' }, 'only the path changed');
    assert.deepEqual(readFileSync(moved), xlsx);
    assert.equal(existsSync(join(files, 'uploads', id)), false, 'gone from the customer folder');
    assert.equal(existsSync(theirs), true);
    const tested = (await admin.send('POST', '/api/connections/alt/test')).json();
    assert.equal(tested.ok, true, tested.message);

    assert.equal(await moveLegacyUploads({ store, filesFolder: files, uploadsDir: uploads }), 0, 'once only');
    assert.deepEqual((await store.connections.get('alt')).config, connection.config);
    await purgeUnnamedUploads({ store, uploadsDir: uploads, filesFolder: files, graceMs: 0 });
    assert.equal(existsSync(moved), true, 'the moved file is named, so the clean-up keeps it');
  });
});
