import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { type EmbeddedScheduler, startEmbeddedScheduler } from '../../src/scheduler/embedded-scheduler.ts';
import { withBusinessDb } from '../helpers/business-db.ts';
import { eventually } from '../helpers/eventually.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

/**
 * The dashboard people leave open: runs the scheduler starts show up on it, on the tasks page, the history
 * and the run page without anyone reloading.
 */
describe('the dashboard follows runs as they happen', { skip: chromiumMissing() }, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let scheduler: EmbeddedScheduler | null = null;

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, hub.base, ADMIN);
  });
  after(async () => {
    await scheduler?.stop();
    await browser?.close();
    await hub?.close();
  });

  /** The "Runs in the last 24 h" figure as shown. */
  const runsToday = async () =>
    Number(
      (
        await page
          .locator('.stat', { hasText: /Runs in the last 24/ })
          .locator('.stat-value')
          .innerText()
      ).replace(/\D/g, ''),
    );

  test('a scheduled run arrives on the open dashboard within 5 s of its end, without a reload', async () => {
    await page.goto(`${hub.base}/`);
    const card = page.locator('[data-task="people-sync"]');
    await card.waitFor();
    await page.locator('.stat-value', { hasText: /^\d+$/ }).first().waitFor();
    const before = await runsToday();
    // A marker on the window: a reload would lose it.
    await page.evaluate(() => {
      (globalThis as unknown as { stillHere: boolean }).stillHere = true;
    });
    // Every person changes, so the scheduled run has something to write.
    await withBusinessDb(hub.business, (db) =>
      db.updateTable('people').set({ last_name: 'Live', modified_at: new Date().toISOString() }).execute(),
    );
    const task = await hub.store.tasks.get('people-sync');
    await hub.store.tasks.save({ ...task, schedule: { everyMinutes: 0.02 } });
    scheduler = startEmbeddedScheduler({ service: hub.runs, log: pino({ level: 'silent' }), tickMs: 200 });
    const run = await eventually(
      'the scheduled run to finish',
      async () => {
        const [last] = await hub.store.executions.list({ taskId: 'people-sync', limit: 1 });
        return last?.trigger === 'schedule' && last.finishedAt ? last : null;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const ended = run.finishedAt?.getTime() ?? Date.now();
    await scheduler.stop();
    scheduler = null;
    await hub.store.tasks.save({ ...task, schedule: { everyMinutes: 15 } });
    // Its counts arrive: the card's last run is this run, the records it wrote, the runs of the day one more.
    await card.locator(`.last-run a[href="/executions/${run.id}"]`).waitFor({ timeout: 5000 });
    await card
      .locator('.records', { hasText: String(run.counts.created + run.counts.updated + run.counts.deleted) })
      .waitFor({ timeout: 5000 });
    await eventually('the runs of the day to count it', async () => (await runsToday()) >= before + 1, {
      timeoutMs: 5000,
    });
    const seen = Date.now();
    assert.ok(seen - ended <= 5000, `the run showed ${seen - ended} ms after its end`);
    assert.equal(await card.locator('.badge').getAttribute('data-status'), run.status);
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere),
      true,
      'the page was not reloaded',
    );
    await shoot(page, 'live-dashboard');
    assert.deepEqual(errors, []);
  });

  test('the history and the tasks page list a new run while they are open', async () => {
    // HubSpot holds every call until the page has shown the run in progress: the run cannot end first.
    hub.hs.pause();
    await withBusinessDb(hub.business, (db) =>
      db.updateTable('people').set({ last_name: 'Again', modified_at: new Date().toISOString() }).execute(),
    );
    await page.goto(`${hub.base}/history`);
    const rows = page.locator('tr[data-execution]');
    await rows.first().waitFor();
    const count = await rows.count();
    const started = await hub.admin.send('POST', '/api/tasks/people-sync/run');
    const executionId = started.json().executionId as string;
    await page.locator(`tr[data-execution="${executionId}"]`).waitFor({ timeout: 5000 });
    assert.equal(await rows.count(), count + 1);
    // The run page shows progress while it runs, then its end.
    await page.locator(`tr[data-execution="${executionId}"] td`).nth(1).click();
    await page.waitForURL(`**/executions/${executionId}`);
    // The title names the task once its name has loaded (the id stands in until then).
    await page.getByRole('heading', { level: 1, name: /^People to HubSpot — run of / }).waitFor();
    await page.getByTestId('run-progress').waitFor({ timeout: 5000 });
    await shoot(page, 'run-progress');
    hub.hs.resume();
    const end = await eventually(
      'the run to end',
      async () => {
        const e = await hub.store.executions.get(executionId);
        return e.finishedAt ? e : null;
      },
      { timeoutMs: 30_000 },
    );
    await page.locator(`.page-header .badge[data-status="${end.status}"]`).waitFor({ timeout: 5000 });
    await page.getByTestId('run-progress').waitFor({ state: 'detached', timeout: 5000 });
    await page.goto(`${hub.base}/tasks`);
    const recent = page.locator('[data-task="people-sync"] .recent-runs li');
    await recent.first().waitFor();
    assert.ok((await recent.count()) >= 3, 'the recent runs are listed');
    assert.deepEqual(errors, []);
  });
});
