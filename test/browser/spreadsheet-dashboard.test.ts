// A new user sets up imports from the dashboard alone: a spreadsheet connection whose file is uploaded in
// the generated connection form (and tests ok), an import mapping whose source fields come from an
// uploaded sample (the import connection has no file of its own), and the import run end to end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { withBusinessDb } from '../helpers/business-db.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import { generateImportPeople, HEADER, writePeopleXlsx } from '../import/fixtures.ts';
import { createCustomersTable } from '../import/setup.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

describe('spreadsheet connections and imports from the dashboard alone', { skip: chromiumMissing() }, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let allowFailedLoad: (urlPart: string) => void;
  let work: string;
  let file: string;
  const uploaded: string[] = [];

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    await createCustomersTable(hub.business);
    work = mkdtempSync(join(tmpdir(), 'junction-browser-sheets-'));
    file = join(work, 'kunden.xlsx');
    await writePeopleXlsx(file, generateImportPeople(6));
    browser = await launchBrowser();
    ({ page, errors, allowFailedLoad } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, hub.base, ADMIN);
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    // The test server's uploads folder is a temp folder of its own: take the uploaded file away again.
    for (const path of uploaded) rmSync(dirname(path), { recursive: true, force: true });
  });

  test('a spreadsheet connection is made with a file uploaded in the form, saved and tested ok', async () => {
    await page.goto(`${hub.base}/connections/new`);
    await page.getByLabel('Name').fill('Kundenliste');
    await page.getByLabel('ID').fill('kundenliste');
    await page.locator('select[name="system"]').selectOption('spreadsheet');
    await page.getByLabel('Upload a file…').setInputFiles(file);
    const done = page.getByTestId('file-uploaded');
    await done.waitFor();
    assert.match(
      await done.innerText(),
      new RegExp(`Uploaded kunden\\.xlsx .*columns: ${HEADER.join(', ')}`),
    );
    const path = await page.locator('[name="config.file"]').inputValue();
    assert.match(path, /\/connections\/[0-9a-f-]{36}\/kunden\.xlsx$/, "in Junction's uploads folder");
    uploaded.push(path);
    await shoot(page, 'spreadsheet-connection-uploaded');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/connections\/kundenliste$/);
    assert.equal((await hub.store.connections.get('kundenliste')).config.file, path);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.locator('.test-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText());
    assert.match(await result.innerText(), /xlsx file with columns Kundennummer/);
    await shoot(page, 'spreadsheet-connection-tested');
    assert.deepEqual(errors, []);
  });

  test('an import mapping is built from an uploaded sample for a connection without a file, and the import runs', async () => {
    // The import connection names no file (each import brings one): made from the form, nothing uploaded.
    await page.goto(`${hub.base}/connections/new`);
    await page.getByLabel('Name').fill('Kundenimporte');
    await page.getByLabel('ID').fill('kundenimporte');
    await page.locator('select[name="system"]').selectOption('spreadsheet');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/connections\/kundenimporte$/);

    // Describing a connection without a file fails (a 4xx the browser logs), until a sample is uploaded.
    allowFailedLoad('/api/connections/kundenimporte/describe');
    allowFailedLoad('/api/mappings/preview');
    await page.goto(`${hub.base}/mappings/new`);
    await page.getByLabel('Name', { exact: true }).fill('Kundenliste → Kunden');
    await page.locator('input[name="id"]').fill('kunden-import');
    await page.getByLabel('Source: Connection').selectOption('kundenimporte');
    const sample = page.getByTestId('sample-columns');
    await sample.waitFor();
    await page.getByLabel('Columns from a sample file…').setInputFiles(file);
    await sample.getByText('Columns of the sample kunden.xlsx').waitFor();
    // The sample's sheet becomes the source object and its columns the fields to pick from.
    await page.locator('select[name="source.object"]').selectOption('Kunden');
    const offered = await page
      .locator('#source-fields option')
      .evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    assert.deepEqual(offered, [...HEADER]);
    await shoot(page, 'mapping-from-sample');
    await page.getByLabel('Key field').fill('Kundennummer');
    await page.getByLabel('Target: Connection').selectOption('erp');
    await page.locator('select[name="target.object"]').selectOption('customers');
    await page.getByLabel('Match key (target property)').fill('customer_no');
    const row = (i: number) => page.locator(`[data-field-row="${i}"]`);
    const fields: [string, string][] = [
      ['customer_no', 'Kundennummer'],
      ['email', 'E-Mail'],
      ['lastname', 'Nachname'],
    ];
    for (const [i, [target, from]] of fields.entries()) {
      if (i > 0) await page.getByRole('button', { name: 'Add field' }).click();
      await row(i)
        .getByLabel(`Target field ${i + 1}`)
        .fill(target);
      await row(i).getByLabel('Source field').fill(from);
    }
    await row(0).getByLabel('Required').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/mappings\/kunden-import$/);
    const saved = await hub.store.mappings.get('kunden-import');
    assert.deepEqual(saved.source, { connectionId: 'kundenimporte', object: 'Kunden', key: 'Kundennummer' });
    assert.deepEqual(
      saved.fields.map((f) => [f.target, f.from]),
      fields,
    );

    await page.getByRole('link', { name: 'Imports' }).click();
    await page.getByLabel('Mapping').selectOption('kunden-import');
    await page.getByLabel(/^File/).setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 15_000 });
    await shoot(page, 'spreadsheet-import-finished');
    assert.match(await result.innerText(), /Import finished: 6 created/);
    const customers = await withBusinessDb(hub.business, (db) =>
      db
        .selectFrom('customers')
        .select(['customer_no', 'email', 'lastname'])
        .orderBy('customer_no')
        .execute(),
    );
    assert.equal(customers.length, 6);
    assert.deepEqual(customers[0], {
      customer_no: 'K000001',
      email: 'kunde.1@beispiel.ch',
      lastname: 'Müller',
    });
    assert.deepEqual(errors, []);
  });
});
