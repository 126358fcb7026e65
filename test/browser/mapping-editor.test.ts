import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { openBusinessKysely } from '../helpers/business-db.ts';
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
    let allowFailedLoad: (urlPart: string) => void;
    ({ page, errors, allowFailedLoad } = await openPage(browser, { locale: 'en-US' }));
    // The live preview follows the draft as it is typed: a half-typed column ('hubsp…') is refused with 400
    // and shown at its field, which Chromium logs as a failed load. The tests wait for the preview table.
    allowFailedLoad('/api/mappings/preview');
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

  test('write-back marks and deletion options set in the form are saved; associations and read-back are shown and kept', async () => {
    // A mapping made through the API with associations and read-back: the form shows them, unchanged they stay.
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
    const readBack = page.getByLabel('Target property to keep');
    await readBack.waitFor();
    assert.equal(await readBack.inputValue(), 'hs_object_id');
    assert.equal(await page.getByLabel('Source field with its key 1').inputValue(), 'canton');
    assert.equal(await page.getByTestId('kept-parts').count(), 0);
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

  test('read-back and initial matching are edited in the form: a bad column is refused at its field, a good one saved and shown again', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${hub.base}/mappings/extras`);
    const writeTo = page.getByLabel('Source column to write it to');
    await writeTo.fill('no_such_column');
    await page.getByLabel('Target property to match on').fill('email');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Not saved: 1 problem(s), marked at their fields.').waitFor();
    assert.equal(await writeTo.getAttribute('aria-invalid'), 'true');
    const writeToError = page.locator('.field').filter({ has: writeTo }).locator('.field-error');
    assert.equal((await writeToError.innerText()).trim(), 'Unknown field “no_such_column” of people');
    assert.equal((await hub.store.mappings.get('extras')).initialMatching, undefined);

    await writeTo.fill('sync_remark');
    await page.getByLabel('Target’s id property').fill('hs_object_id');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    const saved = await hub.store.mappings.get('extras');
    assert.deepEqual(saved.readBack, {
      property: 'hs_object_id',
      idProperty: 'hs_object_id',
      writeTo: 'sync_remark',
    });
    assert.deepEqual(saved.initialMatching, { property: 'email' });

    await page.reload();
    await page.getByLabel('Target property to keep').waitFor();
    assert.equal(await page.getByLabel('Source column to write it to').inputValue(), 'sync_remark');
    assert.equal(await page.getByLabel('Target’s id property').inputValue(), 'hs_object_id');
    assert.equal(await page.getByLabel('Target property to match on').inputValue(), 'email');
    await page.getByLabel('Target property to match on').scrollIntoViewIfNeeded();
    await shoot(page, 'mapping-editor-read-back');
    assert.deepEqual(
      errors.filter((e) => !/400 \(Bad Request\)/.test(e)),
      [],
    );
  });

  test('an association added in the form is saved, one removed is gone', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${hub.base}/mappings/extras`);
    await page.getByRole('button', { name: 'Add association' }).click();
    await page.getByLabel('Related target object 2').fill('deals');
    await page.getByLabel('Source field with its key 2').fill('status');
    await page.getByLabel('Mapping of the related records 2').fill('people');
    await page.getByRole('button', { name: 'Remove association 1' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    assert.deepEqual((await hub.store.mappings.get('extras')).associations, [
      { object: 'deals', from: 'status', mapping: 'people' },
    ]);
    assert.deepEqual(errors, []);
  });

  test('a further assignment added in the form is saved in order, and opens again as it was saved', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${hub.base}/mappings/extras`);
    await page.getByRole('button', { name: 'Add assignment' }).click();
    const assignment = page.locator('[data-assignment="0"]');
    await assignment.getByLabel('Name of assignment 1').fill('inactive people');
    await assignment.getByLabel('Assignment 1: filter').fill("status = 'inactive'");
    await assignment.getByLabel('Target field 1').fill('email');
    await assignment.getByLabel('Source field').fill('email');
    await assignment.getByLabel('Assignment 1: writes').selectOption('update');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    assert.deepEqual((await hub.store.mappings.get('extras')).assignments, [
      {
        name: 'inactive people',
        filter: "status = 'inactive'",
        fields: [{ target: 'email', from: 'email', transform: [], required: false }],
        sync: 'update',
      },
    ]);
    await page.reload();
    await page.getByRole('group', { name: 'Assignment 1: inactive people' }).waitFor();
    assert.equal(await assignment.getByLabel('Assignment 1: filter').inputValue(), "status = 'inactive'");
    await assignment.scrollIntoViewIfNeeded();
    await shoot(page, 'mapping-editor-assignments');
    assert.deepEqual(errors, []);
  });

  test('the source field picker offers relation paths and the filter completes names and functions, by keyboard', async () => {
    // employees.company_id references companies: the description gives employees a to-one `company`.
    const db = await openBusinessKysely(hub.business);
    try {
      await sql`create table companies (id integer primary key, name text not null)`.execute(db);
      await sql`create table employees (id integer primary key, email text not null,
        company_id integer references companies(id))`.execute(db);
    } finally {
      await db.destroy();
    }
    const staff = {
      name: 'Staff → HubSpot',
      source: { connectionId: 'erp', object: 'employees', key: 'id' },
      target: { connectionId: 'hubspot', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: [
        { target: 'email', from: 'email', required: true },
        { target: 'company', from: 'email' },
      ],
    };
    const put = await hub.admin.send('PUT', '/api/mappings/staff', staff);
    assert.equal(put.statusCode, 200, put.body);
    page.once('dialog', (d) => void d.accept());
    await page.goto(`${hub.base}/mappings/staff`);

    // The second row's source field: typing part of a relation path lists it; ↓ and Enter take it.
    const from = row(1).getByRole('combobox', { name: 'Source field' });
    await from.click();
    await from.press('ControlOrMeta+a');
    await page.keyboard.type('company.n');
    const list = row(1).getByRole('listbox', { name: 'Suggestions' });
    await list.waitFor();
    assert.equal(await from.getAttribute('aria-expanded'), 'true');
    assert.deepEqual(await list.getByRole('option').locator('code').allTextContents(), ['company.name']);
    await page.keyboard.press('Enter');
    assert.equal(await from.inputValue(), 'company.name');
    assert.equal(await list.isHidden(), true);

    // The filter: a function name, then a field through the relation, chosen with ↓ (the active entry is
    // announced through aria-activedescendant).
    const filter = page.getByLabel('Filter');
    await filter.click();
    await page.keyboard.type('low');
    const filterList = page.locator('.field').filter({ has: filter }).getByRole('listbox');
    await filterList.waitFor();
    const first = filterList.getByRole('option').first();
    assert.equal(await first.locator('code').innerText(), 'lower');
    assert.equal(await filter.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
    await page.keyboard.press('Tab');
    assert.equal(await filter.inputValue(), 'lower(');
    await page.keyboard.type('comp');
    const offered = await filterList.getByRole('option').locator('code').allTextContents();
    assert.deepEqual(offered.slice(0, 3), ['company_id', 'company.id', 'company.name']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(
      await filterList.getByRole('option', { selected: true }).locator('code').innerText(),
      'company.name',
    );
    await shoot(page, 'mapping-editor-completion');
    await page.keyboard.press('Enter');
    await page.keyboard.type(") = 'acme'");
    await page.keyboard.press('Escape');
    assert.equal(await filter.inputValue(), "lower(company.name) = 'acme'");

    // Both pass the server's check against the description and are saved as typed.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    const saved = await hub.store.mappings.get('staff');
    assert.equal(saved.filter, "lower(company.name) = 'acme'");
    assert.equal(saved.fields[1]?.from, 'company.name');
    // The live preview refuses the filter while it is half typed (`lower(comp`): that 400 is expected.
    assert.deepEqual(
      errors.filter((e) => !/400 \(Bad Request\).*\/api\/mappings\/preview/.test(e)),
      [],
    );
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
