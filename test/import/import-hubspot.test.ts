import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { executeImport, prepareImport } from '../../src/import/import-file.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import {
  generateImportPeople,
  HEADER,
  readXlsxFile,
  writePeopleCsv1252,
  writePeopleXlsx,
} from './fixtures.ts';
import { importContext, saveImportSetup } from './setup.ts';

const log = pino({ level: 'silent' });
const TOKEN = 'pat-import-test';
// Passes every check in the file; HubSpot itself refuses it when written.
const REFUSED = 'kunde.5000@beispiel.ch';

describe('import into HubSpot (emulator)', () => {
  let tmp: TempDatabase & { dir: string };
  let store: Store;
  let hs: HubSpotEmulator;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    hs = createHubSpotEmulator({
      tokens: [TOKEN],
      rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
      faults: { rejectEmails: [REFUSED] },
    });
    await saveImportSetup(store, {
      businessUrl: 'sqlite:/nonexistent',
      hubspotUrl: await hs.listen(),
      hubspotToken: TOKEN,
    });
  });
  after(async () => {
    await store?.close();
    await hs?.close();
    await tmp?.drop();
  });

  test('a 10 000-row xlsx creates the valid contacts; the error file holds the invalid and the refused rows', async () => {
    const bad = new Map([
      [20, 'email'],
      [3000, 'date'],
      [8000, 'duplicate'],
    ] as const);
    const file = join(tmp.dir, 'kontakte.xlsx');
    await writePeopleXlsx(file, generateImportPeople(10_000, new Map(bad)));
    const errorFilePath = join(tmp.dir, 'kontakte-errors.xlsx');
    const prepared = await prepareImport(await importContext(store, log), {
      file,
      mappingId: 'file-to-contacts',
    });
    assert.equal(prepared.validation.invalid, 3);
    assert.match(prepared.reasons.get(8002) ?? '', /the same email 'kunde\.1@beispiel\.ch' as row 2/);

    const { execution } = await executeImport(await importContext(store, log), prepared, {
      validRowsOnly: true,
      errorFilePath,
    });
    assert.equal(execution.counts.created, 10_000 - 3 - 1);
    assert.equal(execution.counts.failed, 4);
    const contacts = hs.state.all('contacts');
    assert.equal(contacts.length, 10_000 - 4);
    const anna = contacts.find((c) => c.properties.email === 'kunde.1@beispiel.ch');
    assert.equal(anna?.properties.firstname, 'Anna');
    assert.equal(anna?.properties.date_of_birth, '1950-01-01');

    const rows = (await readXlsxFile(errorFilePath)).slice(1);
    assert.deepEqual(
      rows.map((r) => r[HEADER.length]),
      [22, 3002, 5001, 8002],
    );
    const refused = rows.find((r) => r[HEADER.length] === 5001);
    assert.equal(refused?.[3], REFUSED);
    assert.match(String(refused?.[HEADER.length + 1]), /email/i, 'the reason is what HubSpot answered');
  });

  test('a ;-separated Windows-1252 CSV updates existing contacts by e-mail and keeps umlauts', async () => {
    const people = generateImportPeople(200).map((p, i) => (i === 1 ? { ...p, Vorname: 'Jürg-Noël' } : p));
    const file = join(tmp.dir, 'kontakte.csv');
    writePeopleCsv1252(file, people);
    const prepared = await prepareImport(await importContext(store, log), {
      file,
      mappingId: 'file-to-contacts',
    });
    assert.equal(prepared.sheet.encoding, 'windows-1252');
    const { execution } = await executeImport(await importContext(store, log), prepared);
    assert.equal(execution.status, 'succeeded');
    assert.equal(execution.counts.read, 200);
    assert.equal(execution.counts.updated, 1, 'the changed first name');
    assert.equal(execution.counts.created, 1, 'the row whose e-mail was invalid in the xlsx');
    assert.equal(execution.counts.unchanged, 198);
    const contact = hs.state.all('contacts').find((c) => c.properties.email === 'kunde.2@beispiel.ch');
    assert.equal(contact?.properties.firstname, 'Jürg-Noël');
  });
});
