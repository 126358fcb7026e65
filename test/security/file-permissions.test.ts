import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fileAccessOf, loadSecretKey } from '../../src/config/environment.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { generateImportPeople, writePeopleXlsx } from '../import/fixtures.ts';
import { createCustomersTable, saveImportSetup } from '../import/setup.ts';

/** Finding 11: the data folder's store and uploads were world-readable (0644); only secret.key was 0600. */
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the data folder is private to Junction', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'junction-perms-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('a new data folder is 0700; the store, its WAL, the secret key and the files folder are 0600 / 0700', async () => {
    const dataDir = join(work, 'data');
    loadSecretKey(dataDir, {});
    const store = await openStore({ dataDir, secretBox: createSecretBox(randomBytes(32)) });
    await store.tasks.list();
    fileAccessOf({ dataDir, databaseUrl: undefined, filesDirs: [join(dataDir, 'files')] });
    try {
      assert.equal(modeOf(dataDir), 0o700);
      assert.equal(modeOf(join(dataDir, 'files')), 0o700);
      assert.equal(modeOf(join(dataDir, 'uploads')), 0o700, "Junction's own uploads folder");
      for (const name of readdirSync(dataDir).filter((n) => n !== 'files' && n !== 'uploads'))
        assert.equal(
          modeOf(join(dataDir, name)),
          0o600,
          `${name} is ${modeOf(join(dataDir, name)).toString(8)}`,
        );
      assert.ok(readdirSync(dataDir).includes('junction.db-wal'), 'the WAL was checked too');
    } finally {
      await store.close();
    }
  });
});

describe('uploads are private to Junction', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  let importsDir: string;

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createCustomersTable(business);
    store = await openStore({ databaseUrl: storeDb.url, secretBox: createSecretBox(randomBytes(32)) });
    await saveImportSetup(store, { businessUrl: business.url });
    importsDir = join(mkdtempSync(join(tmpdir(), 'junction-perms-up-')), 'imports');
    ({ app, admin } = await createTestServer(store, { importsDir }));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('an upload, its record and its error file are 0600 in 0700 folders', async () => {
    const file = join(importsDir, '..', 'kunden.xlsx');
    await writePeopleXlsx(file, generateImportPeople(5, new Map([[2, 'email']])));
    const boundary = 'junctionperms';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="mappingId"\r\n\r\nfile-to-customers\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="kunden.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      readFileSync(file),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await app.inject({
      method: 'POST',
      url: '/api/imports',
      payload,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const folder = join(importsDir, res.json().id);
    assert.equal(modeOf(importsDir), 0o700);
    assert.equal(modeOf(folder), 0o700);
    assert.deepEqual(readdirSync(folder).sort(), ['errors.xlsx', 'import.json', 'upload']);
    for (const name of readdirSync(folder)) assert.equal(modeOf(join(folder, name)), 0o600, name);
  });
});
