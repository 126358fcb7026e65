import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ensureWebBuilt, type Hub, launchBrowser, openPage, shoot, startHub } from './harness.ts';

describe('the API reference at /docs', { skip: chromiumMissing() }, () => {
  let hub: Hub;
  let browser: Browser;

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test('is a browsable viewer served by the hub under its own CSP, the document still at /docs/json', async () => {
    const { page, errors } = await openPage(browser);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const res = await page.goto(`${hub.base}/docs`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'(;|$)/);
    await page.locator('.swagger-ui .opblock-tag').first().waitFor({ timeout: 15_000 });
    await page.locator('.swagger-ui .info .title', { hasText: 'Junction API' }).waitFor();
    // Open one operation: its description and parameters render.
    await page.locator('.opblock-summary-path', { hasText: '/api/errors' }).first().click();
    await page.locator('.opblock-body').first().waitFor();
    await shoot(page, 'api-docs');
    assert.deepEqual(
      requested.filter((u) => !u.startsWith(hub.base)),
      [],
      'nothing is loaded from elsewhere',
    );
    assert.deepEqual(errors, [], 'no CSP violation or script error');
    const json = (await (await fetch(`${hub.base}/docs/json`)).json()) as { info: { title: string } };
    assert.equal(json.info.title, 'Junction API');
  });
});
