import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing } from '../helpers/requirements.ts';
import { VIEWER } from '../helpers/server.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

// Every control that changes something, by its English label.
const ADMIN_CONTROLS =
  /^(Run now|Retry failed|New connection|New mapping|New task|Save|Delete|Enable|Disable|Test connection)$/;

describe('the dashboard in a real browser, as a viewer', {
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
    ({ page, errors } = await openPage(browser, { locale: 'en-GB' }));
  });
  beforeEach(() => {
    errors.length = 0;
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test('the login page loads without console errors and refuses a wrong password', async () => {
    await page.goto(`${hub.base}/`);
    await page.getByLabel('Username').fill(VIEWER.username);
    await page.getByLabel('Password').fill('wrong-password-000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    await shoot(page, 'login');
    // The 401 of the refused login is the expected answer; nothing else may be logged.
    assert.deepEqual(
      errors.filter((e) => !e.includes('/api/auth/login')),
      [],
    );
  });

  test('a viewer sees tasks, history, errors and connections with no control that changes anything', async () => {
    await logIn(page, hub.base, VIEWER);
    const nav = page.getByRole('navigation');
    assert.equal(await nav.getByRole('link', { name: 'Settings' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
    assert.ok(await page.getByText('Read-only access').isVisible());
    await page.locator('[data-task="people-sync"]').waitFor();
    const pages: [string, string][] = [
      ['/', '[data-task="people-sync"]'],
      ['/history', 'tr[data-execution]'],
      ['/errors', '.error-item'],
      ['/connections', 'table'],
      ['/connections/hubspot', 'form'],
      ['/mappings', 'table'],
      ['/mappings/people', 'form'],
      ['/tasks', 'table'],
      ['/tasks/people-sync', 'form'],
    ];
    for (const [path, ready] of pages) {
      await page.goto(`${hub.base}${path}`);
      await page.locator(ready).first().waitFor();
      const buttons = await page.getByRole('button').allInnerTexts();
      const links = await page.getByRole('link').allInnerTexts();
      const offending = [...buttons, ...links].map((s) => s.trim()).filter((s) => ADMIN_CONTROLS.test(s));
      assert.deepEqual(offending, [], `${path} offers ${offending.join(', ')}`);
      if (ready === 'form')
        assert.ok(await page.locator('form input').first().isDisabled(), `${path}: the form is read-only`);
    }
    const [run] = await hub.store.executions.list({ taskId: 'people-sync', limit: 1 });
    await page.goto(`${hub.base}/executions/${run?.id}`);
    await page.locator('tbody tr').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Retry failed' }).count(), 0);
    assert.deepEqual(errors, []);
  });

  test('settings and users are not reachable for a viewer', async () => {
    for (const path of ['/settings', '/users']) {
      await page.goto(`${hub.base}${path}`);
      await page.getByText('This page is for administrators only.').waitFor();
      assert.equal(await page.locator('form').count(), 0);
      assert.equal(await page.locator('table').count(), 0);
    }
    assert.deepEqual(errors, []);
  });
});
