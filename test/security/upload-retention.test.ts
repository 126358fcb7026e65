import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createImportWorkspace } from '../../src/import/workspace.ts';
import { purgeUploads } from '../../src/scheduler/retention.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';
import { generateImportPeople, writePeopleXlsx } from '../import/fixtures.ts';
import { createCustomersTable, saveImportSetup } from '../import/setup.ts';

/** Finding 7 (uploads): uploaded files, with their customer data, were never purged. */
for (const dialect of DIALECTS) {
  describe(`uploads follow the retention setting (${dialect.name})`, () => {
    let business: TempDatabase;
    let db: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let importsDir: string;
    let xlsx: Buffer;

    before(async () => {
      business = await createTempSqlite();
      db = await dialect.create();
      await createCustomersTable(business);
      store = await openTestStore(db);
      await saveImportSetup(store, { businessUrl: business.url });
      importsDir = join(mkdtempSync(join(tmpdir(), 'junction-upload-retention-')), 'imports');
      ({ app, admin } = await createTestServer(store, { importsDir }));
      const file = join(importsDir, '..', 'kunden.xlsx');
      await writePeopleXlsx(file, generateImportPeople(5));
      xlsx = readFileSync(file);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
      await business?.drop();
    });

    const upload = async () => {
      const boundary = 'junctionretention';
      const res = await app.inject({
        method: 'POST',
        url: '/api/imports',
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="mappingId"\r\n\r\nfile-to-customers\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="kunden.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          ),
          xlsx,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: admin.cookie,
          'x-csrf-token': admin.csrf,
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const age = (id: string, days: number, status?: string) => {
      const path = join(importsDir, id, 'import.json');
      const record = JSON.parse(readFileSync(path, 'utf8'));
      record.createdAt = new Date(Date.now() - days * 86_400_000).toISOString();
      if (status) record.status = status;
      writeFileSync(path, JSON.stringify(record));
    };

    test('uploads older than the retention are removed with their file; newer and running ones stay', async () => {
      const settings = await admin.send('PATCH', '/api/settings', { retentionDays: 30 });
      assert.equal(settings.statusCode, 200, settings.body);
      const [old, running, fresh] = [await upload(), await upload(), await upload()];
      age(old, 31);
      age(running, 31, 'running');
      age(fresh, 29);
      const removed = await purgeUploads(store, createImportWorkspace(importsDir), pino({ level: 'silent' }));
      assert.equal(removed, 1);
      assert.ok(!existsSync(join(importsDir, old)), 'the old upload and its customer data are gone');
      assert.equal((await admin.get(`/api/imports/${old}`)).statusCode, 404);
      for (const id of [running, fresh])
        assert.equal((await admin.get(`/api/imports/${id}`)).statusCode, 200);
    });
  });
}
