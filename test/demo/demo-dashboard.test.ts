import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { type DemoSession, DIRTY, startDemo } from '../../src/demo/index.ts';
import type { Store } from '../../src/store/store.ts';
import { ensureWebBuilt, launchBrowser, logIn, openPage, shoot } from '../browser/harness.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

describe('the demo in the dashboard', {
  skip: chromiumMissing(),
}, () => {
  let storeDb: TempDatabase;
  let store: Store;
  let dataDir: string;
  let demo: DemoSession;
  let app: FastifyInstance;
  let server: Awaited<ReturnType<typeof createTestServer>>;
  let base: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    await ensureWebBuilt();
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    dataDir = mkdtempSync(join(tmpdir(), 'junction-demo-ui-'));
    demo = await startDemo({ store, dataDir, activityEveryMs: 0 });
    server = await createTestServer(store);
    app = server.app;
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    // The first scheduled runs, as the hub starts them on its first tick.
    for (const task of ['demo-companies', 'demo-people', 'demo-newsletter']) {
      assert.equal((await server.admin.send('POST', `/api/tasks/${task}/run`)).statusCode, 202);
    }
    await server.runs.idle();
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, base, ADMIN);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await demo?.stop();
    await store?.close();
    await storeDb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the dashboard shows the demo tasks with their last runs and the open errors', async () => {
    const card = page.locator('[data-task="demo-people"]');
    await card.waitFor();
    assert.equal(await card.locator('.badge').getAttribute('data-status'), 'warning');
    assert.ok(Number(await card.locator('.records').innerText()) > 0);
    assert.ok(Number(await page.getByTestId('open-errors').innerText()) > 0);
    await page.locator('.chart svg').first().waitFor();
    await shoot(page, 'demo-dashboard');
    assert.deepEqual(errors, []);
  });

  test('every demo task runs on its first try: no card is left "never run" and none failed', async () => {
    // The rest of the demo's tasks, each after the task it waits for (as the schedule orders them).
    for (const task of [
      'demo-deals',
      'demo-abacus',
      'demo-moodle-users',
      'demo-moodle-enrolments',
      'demo-moodle-completions',
    ]) {
      assert.equal((await server.admin.send('POST', `/api/tasks/${task}/run`)).statusCode, 202, task);
      await server.runs.idle();
    }
    await page.goto(`${base}/`);
    const cards = page.locator('[data-task]');
    await page.locator('[data-task="demo-moodle-completions"] .last-run a').waitFor();
    const statuses = await cards
      .locator('.badge')
      .evaluateAll((badges) => badges.map((b) => b.getAttribute('data-status')));
    assert.equal(statuses.length, 8);
    assert.deepEqual(
      statuses.filter((s) => s === 'never' || s === 'failed'),
      [],
    );
    await page.locator('.chart svg').first().waitFor();
    await shoot(page, 'demo-dashboard-first-runs');
    assert.deepEqual(errors, []);
  });

  test('a run of the people task lists synced records and the bad e-mails failed with their reason', async () => {
    const [run] = await store.executions.list({ taskId: 'demo-people', limit: 1 });
    assert.ok(run);
    await page.goto(`${base}/executions/${run.id}`);
    await page.getByRole('heading', { name: /— run of/ }).waitFor();
    const synced = page.locator('tr[data-action="create"], tr[data-action="update"]');
    await synced.first().waitFor();
    assert.match(
      await synced.first().locator('td').nth(2).innerText(),
      /^\d+$/,
      'the HubSpot id of a synced record',
    );

    await page.getByLabel('Failed only').check();
    const failed = page.locator('tr[data-action="fail"]');
    await failed.first().waitFor();
    await page.locator('tbody tr:not([data-action="fail"])').first().waitFor({ state: 'detached' });
    const keys = (await failed.locator('td:first-child').allInnerTexts()).map(Number).sort((a, b) => a - b);
    const expected = [...DIRTY.badEmails.keys()].filter(
      (id) => demo.data.people.find((p) => p.id === id)?.status === 'active',
    );
    assert.deepEqual(
      keys,
      expected.sort((a, b) => a - b),
    );
    const message = await failed.first().locator('.message').innerText();
    assert.match(message, /invalid_email .* is not a valid e-mail address/);
    await shoot(page, 'demo-failed-records');
    assert.deepEqual(errors, []);
  });
});
