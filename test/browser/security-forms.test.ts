import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { issueApiToken } from '../../src/server/auth/auth-plugin.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN, VIEWER } from '../helpers/server.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

/** The dashboard's side of issue 18: API tokens for admins, secrets bound to their address, TLS for mail. */
describe('security in the dashboard', { skip: chromiumMissing() }, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let allowFailedLoad: (urlPart: string) => void;

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    browser = await launchBrowser();
    ({ page, errors, allowFailedLoad } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, hub.base, ADMIN);
  });
  beforeEach(() => {
    errors.length = 0;
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test("an admin sees a user's API tokens with last use and expiry, and revokes one", async () => {
    const viewer = await hub.store.users.findForLogin(VIEWER.username);
    assert.ok(viewer);
    const used = await issueApiToken(hub.store, viewer.user.id, 'nightly export');
    await issueApiToken(hub.store, viewer.user.id, 'never used', null);
    const auth = { authorization: `Bearer ${used.token}` };
    assert.equal(
      (await hub.app.inject({ method: 'GET', url: '/api/auth/me', headers: auth })).statusCode,
      200,
    );

    await page.goto(`${hub.base}/users`);
    await page
      .getByRole('row', { name: new RegExp(VIEWER.username) })
      .getByRole('button', { name: 'API tokens' })
      .click();
    const panel = page.getByRole('region', { name: `API tokens of ${VIEWER.username}` });
    await panel.waitFor();
    assert.match(await panel.innerText(), /revokes all of the user’s API tokens/);
    const usedRow = panel.getByRole('row', { name: /nightly export/ });
    const cells = await usedRow.getByRole('cell').allInnerTexts();
    assert.match(cells[2] ?? '', /\d{4}/, 'last used is shown');
    assert.match(cells[3] ?? '', /\d{4}/, 'the expiry is shown');
    assert.match(await panel.getByRole('row', { name: /never used/ }).innerText(), /never.*never/s);

    await usedRow.getByRole('button', { name: 'Revoke' }).click();
    await usedRow.waitFor({ state: 'detached' });
    assert.equal(
      (await hub.app.inject({ method: 'GET', url: '/api/auth/me', headers: auth })).statusCode,
      401,
    );
    assert.deepEqual(errors, []);
  });

  test('a connection pointed at a new address without its secret says to enter the secret again', async () => {
    allowFailedLoad('/api/connections/hubspot');
    await page.goto(`${hub.base}/connections/hubspot`);
    const baseUrl = page.getByLabel('API base URL');
    await baseUrl.waitFor();
    assert.match(
      await page.getByText(/a new address or database needs the secret again/).innerText(),
      /Kept only/,
    );
    await baseUrl.fill('http://127.0.0.1:9/elsewhere');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The address changed: enter the secret again' })
      .waitFor();
    const stored = await hub.store.connections.get('hubspot');
    assert.notEqual(stored.config.baseUrl, 'http://127.0.0.1:9/elsewhere');
    assert.deepEqual(Object.keys(stored.secret), ['accessToken']);
  });

  test('mail settings offer plain text only as an explicit choice', async () => {
    await page.goto(`${hub.base}/settings`);
    const plain = page.getByLabel('Allow sending without TLS (only for a local relay you trust)');
    await plain.waitFor();
    assert.equal(await plain.isChecked(), false);
  });

  test('a refused settings save shows each bad field’s message at that field, and saves nothing', async () => {
    await page.goto(`${hub.base}/settings`);
    await page.getByLabel('SMTP host').fill('mail.example.ch');
    await page.getByLabel('Sender address').fill('not an address');
    await page.getByLabel('Time zone of schedules').fill('Mars/Olympus');
    await page.getByLabel('Default recipients (comma-separated)').fill('ops@example.ch, nope');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Not saved: 3 field(s) to correct, marked at the field.').waitFor();
    const errorAt = async (label: string) => {
      const input = page.getByLabel(label);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', label);
      const field = page.locator('.field').filter({ has: input });
      const error = field.locator('.field-error');
      // The message is the input's description, so a screen reader reads it with the field.
      assert.match(
        (await input.getAttribute('aria-describedby')) ?? '',
        new RegExp((await error.getAttribute('id')) ?? '-'),
      );
      return (await error.innerText()).trim();
    };
    assert.equal(
      await errorAt('Sender address'),
      'Not an e-mail address: name@example.ch or Name <name@example.ch>.',
    );
    assert.equal(
      await errorAt('Time zone of schedules'),
      'Unknown time zone: use a name such as Europe/Zurich.',
    );
    assert.equal(await errorAt('Default recipients (comma-separated)'), '“nope” is not an e-mail address.');
    assert.equal(await page.getByLabel('SMTP host').getAttribute('aria-invalid'), null);
    assert.equal((await hub.store.settings.get()).smtp, null);
    await shoot(page, 'settings-field-errors');
    assert.deepEqual(
      errors.filter((e) => !/400 \(Bad Request\)/.test(e)),
      [],
    );
  });
});
