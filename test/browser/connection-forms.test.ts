// The connection form is generated from what each connector says of itself (`/api/systems`): every system
// in the registry gets its form, in German and English, and a spreadsheet connection for imports can be
// made from the dashboard alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { describeSystems } from '../../src/connectors/registry.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

describe('connection forms generated from the connectors', { skip: chromiumMissing() }, () => {
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
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  for (const lang of ['en', 'de'] as const) {
    test(`every system of the registry has its form, labelled in ${lang === 'en' ? 'English' : 'German'}`, async () => {
      await page.goto(`${hub.base}/connections/new`);
      if (lang === 'de') await page.getByRole('button', { name: 'DE', exact: true }).click();
      const systemSelect = page.locator('select[name="system"]');
      await systemSelect.waitFor();
      for (const s of describeSystems()) {
        await systemSelect.selectOption(s.system);
        const options = await systemSelect.locator('option').allInnerTexts();
        assert.ok(options.includes(s.label[lang]), `${s.system} is offered as "${s.label[lang]}"`);
        for (const part of ['config', 'secret'] as const) {
          for (const [key, field] of Object.entries(s[part].properties ?? {})) {
            if (!field.label) continue;
            const input = page.locator(`[name="${part}.${key}"]`);
            await input.waitFor();
            assert.equal(
              await page.getByLabel(field.label[lang], { exact: true }).count(),
              1,
              `${s.system}: ${part}.${key} labelled "${field.label[lang]}"`,
            );
            if (part === 'secret') assert.equal(await input.getAttribute('type'), 'password');
          }
        }
        await shoot(page, `connection-form-${s.system}-${lang}`);
      }
      if (lang === 'de') await page.getByRole('button', { name: 'EN', exact: true }).click();
      assert.deepEqual(errors, []);
    });
  }

  test('a spreadsheet connection for imports is made from the form and offered on the imports page', async () => {
    await page.goto(`${hub.base}/connections/new`);
    await page.getByLabel('Name').fill('Kundenlisten');
    await page.getByLabel('ID').fill('kundenlisten');
    await page.locator('select[name="system"]').selectOption('spreadsheet');
    await page.getByLabel('CSV delimiter (else detected)').selectOption(';');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/connections\/kundenlisten$/);
    const stored = await hub.store.connections.get('kundenlisten');
    assert.equal(stored.system, 'spreadsheet');
    assert.equal(stored.config.delimiter, ';');
    // An import mapping reading from it makes it importable on the imports page.
    const mapping = await hub.store.mappings.get('people');
    await hub.store.mappings.save({
      ...mapping,
      id: 'list-import',
      name: 'Customer list import',
      source: { connectionId: 'kundenlisten', object: 'rows', key: 'email' },
    });
    await page.goto(`${hub.base}/imports`);
    await page.getByLabel('Mapping').waitFor();
    const offered = await page.getByLabel('Mapping').locator('option').allInnerTexts();
    assert.ok(
      offered.some((o) => o.includes('Customer list import')),
      offered.join(', '),
    );
    assert.deepEqual(errors, []);
  });
});
