import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import type { Store } from '../../src/store/store.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, startHub } from '../browser/harness.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** Finding 13: no security headers (framing, nosniff, CSP). */
describe('security headers on every answer', () => {
  let db: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let emptyWeb: string;

  before(async () => {
    db = await createTempSqlite();
    store = await openTestStore(db);
    ({ app } = await createTestServer(store));
    emptyWeb = mkdtempSync(join(tmpdir(), 'junction-headers-'));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await db?.drop();
    rmSync(emptyWeb, { recursive: true, force: true });
  });

  test('the API, the dashboard, errors and the ops routes cannot be framed, sniffed or run foreign scripts', async () => {
    for (const url of [
      '/api/tasks',
      '/api/auth/me',
      '/healthz',
      '/',
      '/history/abc',
      '/nope.js',
      '/docs/json',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy'] ?? '');
      assert.match(csp, /frame-ancestors 'none'/, `${url}: ${csp}`);
      assert.match(csp, /default-src 'self'|default-src 'none'/, `${url}: ${csp}`);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
    }
  });
});

describe('the dashboard passes its own CSP in a real browser', { skip: chromiumMissing() }, () => {
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

  test('logging in and opening the main pages reports no CSP violation or console error', async () => {
    const { page, errors } = await openPage(browser);
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    // A string: the script runs in the page, where the DOM types this file does not load exist.
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));",
    );
    const answer = await page.goto(`${hub.base}/`);
    assert.match((await answer?.allHeaders())?.['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    await logIn(page, hub.base, ADMIN);
    for (const path of ['/', '/history', '/mappings/people', '/connections', '/records', '/imports'])
      await page.goto(`${hub.base}${path}`).then(() => page.getByRole('navigation').waitFor());
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
  });
});
