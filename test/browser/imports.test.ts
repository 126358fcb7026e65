import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { withBusinessDb } from '../helpers/business-db.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import { generateImportPeople, HEADER, readXlsxFile, writePeopleXlsx } from '../import/fixtures.ts';
import { createCustomersTable, saveImportSetup } from '../import/setup.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

describe('an import through the imports page', {
  skip: chromiumMissing(),
}, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let work: string;

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    await createCustomersTable(hub.business);
    await saveImportSetup(hub.store, { businessUrl: hub.business.url });
    work = mkdtempSync(join(tmpdir(), 'junction-browser-import-'));
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, hub.base, ADMIN);
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('uploads an xlsx, shows the row error, imports the valid rows live and serves the invalid row as error file', async () => {
    // Row index 2 is spreadsheet row 4 (the header is row 1).
    const people = generateImportPeople(5, new Map([[2, 'email']]));
    const file = join(work, 'kunden.xlsx');
    await writePeopleXlsx(file, people);

    await page.getByRole('link', { name: 'Imports' }).click();
    await page.getByLabel('Mapping').selectOption('file-to-customers');
    await page.getByLabel(/^File/).setInputFiles(file);
    await shoot(page, 'imports-upload');
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);

    const facts = page.getByTestId('import-facts');
    assert.equal(await facts.locator('[data-count="rows"]').innerText(), '5');
    assert.equal(await facts.locator('[data-count="invalid"]').innerText(), '1');
    const problem = page.getByTestId('import-problems').locator('tbody tr');
    assert.equal(await problem.count(), 1);
    assert.equal(await problem.getAttribute('data-row'), '4');
    assert.match(await problem.innerText(), /e-mail/i);
    const previewRow = page.getByTestId('import-preview').locator('tr[data-row="4"]');
    assert.equal(await previewRow.getAttribute('class'), 'row-invalid');
    assert.match(await page.getByTestId('import-preview').innerText(), /K000001/);
    // All or nothing: with an invalid row only the valid rows can be imported.
    assert.ok(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled());
    await shoot(page, 'import-validated');

    await page.getByRole('button', { name: 'Import valid rows only (4)' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 15_000 });
    const [execution] = await hub.store.executions.list({ limit: 1 });
    assert.equal(execution?.trigger, 'import');
    assert.equal(await page.locator('.page-header .badge').getAttribute('data-status'), execution?.status);
    assert.equal(
      await result.innerText(),
      `Import finished: ${execution?.counts.created} created · ${execution?.counts.updated} updated · ${execution?.counts.unchanged} unchanged · ${execution?.counts.failed} failed.`,
    );
    assert.equal(execution?.counts.created, 4);
    const customers = await withBusinessDb(hub.business, (db) =>
      db.selectFrom('customers').select('customer_no').orderBy('customer_no').execute(),
    );
    assert.deepEqual(
      customers.map((c) => c.customer_no),
      ['K000001', 'K000002', 'K000004', 'K000005'],
    );
    await shoot(page, 'import-finished');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download error file' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'kunden-errors.xlsx');
    const saved = join(work, 'errors.xlsx');
    await download.saveAs(saved);
    const rows = await readXlsxFile(saved);
    assert.equal(rows.length, 2, 'the header and the one invalid row');
    assert.equal(rows[1]?.[0], 'K000003');
    assert.equal(rows[1]?.[HEADER.length], 4, 'the row number as the uploaded file counts it');
    assert.match(String(rows[1]?.[HEADER.length + 1]), /e-mail/i);
    assert.deepEqual(errors, []);
  });
});
