import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import {
  ensureWebBuilt,
  type Hub,
  launchBrowser,
  logIn,
  MAPPING,
  openPage,
  shoot,
  startHub,
} from './harness.ts';

describe('the mapping editor checks, keeps and asks, in a real browser', { skip: chromiumMissing() }, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, hub.base, ADMIN);
  });
  beforeEach(() => {
    errors.length = 0;
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  const row = (i: number) => page.locator(`[data-field-row="${i}"]`);

  test('Save with unknown fields shows each error next to its field and a count beside the button', async () => {
    await page.goto(`${hub.base}/mappings/people`);
    await row(1).getByLabel('Source field').fill('frist_name');
    await page.getByLabel('Filter').fill("status = 'active' and cantn = 'ZH'");
    await row(2).getByLabel('Target field 3').fill('nonexistent_hs_prop');
    await page.getByRole('button', { name: 'Save' }).click();

    const source = row(1).getByLabel('Source field');
    await page.getByText('Not saved: 3 problem(s), marked at their fields.').waitFor();
    assert.equal(await source.getAttribute('aria-invalid'), 'true');
    const sourceError = row(1).locator('.field-error');
    assert.equal((await sourceError.innerText()).trim(), 'Unknown field “frist_name” of people');
    assert.equal(
      (await row(2).locator('.field-error').innerText()).trim(),
      'contacts has no property “nonexistent_hs_prop”.',
    );
    const filterError = page.locator('.filter-error');
    assert.match(await filterError.innerText(), /^Unknown field “cantn” of people at position 23/);
    assert.equal(await filterError.getAttribute('data-position'), '22');
    // Nothing was saved: the stored mapping is the one the hub started with.
    assert.equal((await hub.store.mappings.get('people')).fields[1]?.from, 'first_name');
    await shoot(page, 'mapping-editor-inline-errors');
    assert.deepEqual(
      errors.filter((e) => !/400 \(Bad Request\)/.test(e)),
      [],
    );
  });

  test('leaving with unsaved edits asks first; staying keeps the edits', async () => {
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('link', { name: '← Mappings' }).click();
    assert.deepEqual(asked, ['This mapping has unsaved changes. Leave without saving?']);
    assert.match(page.url(), /\/mappings\/people$/);
    assert.equal(await row(1).getByLabel('Source field').inputValue(), 'frist_name');
  });

  test('write-back marks and deletion options set in the form are saved; what the form does not edit is kept', async () => {
    // A mapping made through the API with parts the form does not edit (associations, read-back).
    const full = {
      ...MAPPING,
      name: 'People with extras',
      associations: [{ object: 'companies', from: 'canton', mapping: 'people' }],
      readBack: { property: 'hs_object_id' },
    };
    const put = await hub.admin.send('PUT', '/api/mappings/extras', full);
    assert.equal(put.statusCode, 200, put.body);
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${hub.base}/mappings/extras`);
    await page.getByTestId('kept-parts').waitFor();
    assert.match(await page.getByTestId('kept-parts').innerText(), /1 association\(s\), read-back/);
    await page.getByLabel('External id').fill('hubspot_id');
    await page.getByLabel('Status').fill('sync_status');
    await page.getByLabel('When a source record is deleted').selectOption('archive');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    const saved = await hub.store.mappings.get('extras');
    assert.deepEqual(saved.writeBack, { externalId: 'hubspot_id', status: 'sync_status' });
    assert.equal(saved.deletes, 'archive');
    assert.deepEqual(saved.associations, full.associations);
    assert.deepEqual(saved.readBack, full.readBack);
    assert.deepEqual(saved.fields, (await hub.store.mappings.get('people')).fields);
    // The preview shows the match key's column (email) with the other mapped fields.
    const preview = page.getByTestId('preview-table');
    await preview.waitFor({ timeout: 10_000 });
    const headers = (await preview.locator('thead th').allTextContents()).map((h) => h.trim());
    assert.deepEqual(headers.slice(2), ['email', 'firstname', 'lastname']);
    await shoot(page, 'mapping-editor-write-back');
    assert.deepEqual(errors, []);
  });

  test('in German the same mistakes are worded in German at their fields', async () => {
    const de = await openPage(browser, { locale: 'de-CH' });
    try {
      await logIn(de.page, hub.base, ADMIN);
      await de.page.goto(`${hub.base}/mappings/people`);
      const first = de.page.locator('[data-field-row="1"]');
      await first.getByLabel('Quellfeld').fill('frist_name');
      await de.page.getByLabel('Filter').fill("status = 'active' and cantn = 'ZH'");
      await de.page.getByRole('button', { name: 'Speichern' }).click();
      await de.page.getByText('Nicht gespeichert: 2 Problem(e), bei den Feldern markiert.').waitFor();
      assert.equal(
        (await first.locator('.field-error').innerText()).trim(),
        'Unbekanntes Feld «frist_name» von people',
      );
      assert.match(
        await de.page.locator('.filter-error').innerText(),
        /^Unbekanntes Feld «cantn» von people an Position 23/,
      );
      await shoot(de.page, 'mapping-editor-inline-errors-de');
    } finally {
      await de.page.context().close();
    }
  });
});
