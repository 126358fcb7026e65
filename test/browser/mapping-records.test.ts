import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { withBusinessDb } from '../helpers/business-db.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

describe('the mapping editor, the record view and the open errors, in a real browser', {
  skip: chromiumMissing(),
}, () => {
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

  test('a mapping built from an empty form with a transform, a value map and a filter is saved and previewed', async () => {
    await page.goto(`${hub.base}/mappings/new`);
    await page.getByLabel('Name').fill('Active people → contacts');
    await page.getByLabel('ID', { exact: true }).fill('people-ui');
    // Objects come from each connection's describe(): the object field turns into a list once they load.
    await page.getByLabel('Source: Connection').selectOption('erp');
    await page.locator('select[name="source.object"]').selectOption('people');
    await page.getByLabel('Key field').fill('id');
    await page.getByLabel('Target: Connection').selectOption('hubspot');
    await page.locator('select[name="target.object"]').selectOption('contacts');
    await page.getByLabel('Match key (target property)').fill('email');
    await page.getByLabel('Filter').fill("status = 'active'");

    const row = (i: number) => page.locator(`[data-field-row="${i}"]`);
    const transform = (i: number, n: number) =>
      row(i).getByRole('combobox', { name: `Target field ${i + 1} · Transforms ${n}` });
    await row(0).getByLabel('Target field 1').fill('email');
    await row(0).getByLabel('Source field').fill('email');
    await row(0).getByRole('button', { name: 'Add transform' }).click();
    await transform(0, 1).selectOption('email');
    await row(0).getByLabel('Required').check();
    await page.getByRole('button', { name: 'Add field' }).click();
    await row(1).getByLabel('Target field 2').fill('firstname');
    await row(1).getByLabel('Source field').fill('first_name');
    await row(1).getByRole('button', { name: 'Add transform' }).click();
    await transform(1, 1).selectOption('upper');
    await page.getByRole('button', { name: 'Add field' }).click();
    await row(2).getByLabel('Target field 3').fill('state');
    await row(2).getByLabel('Source field').fill('canton');
    await row(2).getByRole('button', { name: 'Add transform' }).click();
    await transform(2, 1).selectOption('valueMap');
    const valueMap = row(2).getByLabel(/Value map/);
    await valueMap.fill('ZH = Zürich\nBE = Bern');
    await valueMap.blur();

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/mappings\/people-ui$/);
    const saved = await hub.store.mappings.get('people-ui');
    assert.deepEqual(
      { source: saved.source, target: saved.target, matchKey: saved.matchKey, filter: saved.filter },
      {
        source: { connectionId: 'erp', object: 'people', key: 'id' },
        target: { connectionId: 'hubspot', object: 'contacts' },
        matchKey: { target: 'email' },
        filter: "status = 'active'",
      },
    );
    assert.deepEqual(
      saved.fields.map((f) => ({
        target: f.target,
        from: f.from,
        transform: f.transform,
        required: f.required,
      })),
      [
        { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
        { target: 'firstname', from: 'first_name', transform: [{ type: 'upper' }], required: false },
        {
          target: 'state',
          from: 'canton',
          transform: [{ type: 'valueMap', map: { ZH: 'Zürich', BE: 'Bern' }, strict: false }],
          required: false,
        },
      ],
    );

    // The preview applies the saved mapping to sample people: person 1 lives in ZH, person 5 is inactive.
    const preview = page.getByTestId('preview-table');
    await preview.waitFor({ timeout: 10_000 });
    const person = (key: string) =>
      preview.locator('tr').filter({ has: page.locator('td.mono', { hasText: new RegExp(`^${key}$`) }) });
    assert.deepEqual(
      (await person('1').locator('td').allInnerTexts()).map((s) => s.trim()),
      ['1', 'selected', 'person.1@example.ch', 'ANNA', 'Zürich'],
    );
    assert.match(await person('2').innerText(), /Bern/);
    assert.match(await person('5').innerText(), /filtered out/);
    await shoot(page, 'mapping-editor-new');
    assert.deepEqual(errors, []);
  });

  test("a source key in a run's drill-down opens the record view with the record's link, status and remark", async () => {
    await page.getByRole('link', { name: 'Sync history' }).click();
    await page.locator('tr[data-execution]').first().getByRole('link').click();
    await page.getByLabel('Failed only').check();
    await page.locator('tr[data-action="fail"]').first().waitFor();
    await page.getByRole('link', { name: 'Where is record 1?' }).click();
    await page.waitForURL(/\/records\?key=1&connection=erp&object=people$/);
    assert.equal(await page.getByLabel('Source key').inputValue(), '1');
    const links = page.getByTestId('record-links').locator('tbody tr');
    await links.first().waitFor();
    const [stored] = await hub.store.syncLinks.forSourceRecord('erp', 'people', '1');
    assert.ok(stored, 'the seeded run linked person 1');
    assert.equal(await links.count(), 1);
    assert.equal(await links.getAttribute('data-target'), 'hubspot');
    assert.equal(await links.locator('.badge').getAttribute('data-status'), stored.status);
    assert.notEqual(stored.status, 'ok', 'HubSpot rejected person 1');
    assert.ok(stored.remark, 'a failed link keeps the reason');
    assert.equal(await links.locator('td.message').innerText(), stored.remark);
    await shoot(page, 'record-view');

    // A synced person shows its HubSpot id; a key no system holds says so.
    await page.getByLabel('Source key').fill('2');
    await page.getByRole('button', { name: 'Show' }).click();
    const [two] = await hub.store.syncLinks.forSourceRecord('erp', 'people', '2');
    await page.getByTestId('record-links').getByText(String(two?.externalId), { exact: true }).waitFor();
    await page.getByLabel('Source key').fill('no-such-person');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No system holds record no-such-person yet.').waitFor();
    assert.deepEqual(errors, []);
  });

  test('"open errors" counts the records failing now: a record that went through since no longer counts', async () => {
    await page.goto(`${hub.base}/`);
    const open = page.getByTestId('open-errors');
    await page.locator('[data-task="people-sync"]').waitFor();
    assert.equal(await open.innerText(), '1');
    hub.hs.setFaults({ rejectEmails: [] });
    await withBusinessDb(hub.business, (db) =>
      db.updateTable('people').set({ modified_at: new Date().toISOString() }).where('id', '=', 1).execute(),
    );
    const card = page.locator('[data-task="people-sync"]');
    await card.getByRole('button', { name: 'Run now' }).click();
    await card.locator('.badge[data-status="succeeded"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="open-errors"]', { hasText: /^0$/ }).waitFor({ timeout: 5000 });
    // The error log lists what fails now: the record went through, so it has left the log (its failure stays
    // in the run's history), and the log's count is the dashboard's.
    const log = await hub.admin.get('/api/errors?limit=10');
    assert.equal(log.json().total, 0);
    assert.deepEqual(errors, []);
  });
});
