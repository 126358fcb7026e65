import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { withBusinessDb } from '../helpers/business-db.ts';
import { eventually } from '../helpers/eventually.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import {
  ensureWebBuilt,
  type Hub,
  launchBrowser,
  logIn,
  openPage,
  shoot,
  startHub,
  TOKEN,
} from './harness.ts';

const SWISS_DATE_TIME = /\b\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}\b/;

describe('the dashboard in a real browser, as admin', {
  skip: chromiumMissing(),
}, () => {
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

  test('the dashboard shows the task with its systems, last run and records synced', async () => {
    const card = page.locator('[data-task="people-sync"]');
    await card.waitFor();
    assert.equal(await card.getByRole('heading').innerText(), 'People to HubSpot');
    assert.ok(await card.getByRole('img', { name: 'SQL' }).isVisible());
    assert.ok(await card.getByRole('img', { name: 'HubSpot' }).isVisible());
    const [last] = (await hub.store.executions.list({ taskId: 'people-sync', limit: 1 })) ?? [];
    assert.ok(last, 'the seeded run exists');
    assert.equal(await card.locator('.badge').getAttribute('data-status'), last.status);
    assert.equal(
      await card.locator('.records').innerText(),
      String(last.counts.created + last.counts.updated + last.counts.deleted),
    );
    assert.match(await card.locator('.last-run').innerText(), /\d{4}/);
    assert.equal(await page.getByTestId('open-errors').innerText(), '1');
    await page.locator('.chart svg').first().waitFor();
    assert.deepEqual(errors, []);
  });

  test('"run now" runs the task and the status updates live until the run ends', async () => {
    // Every record changes and each HubSpot call takes a while, so the run is long enough to watch.
    hub.hs.setFaults({ rejectEmails: [], latencyMs: 1000 });
    await withBusinessDb(hub.business, (db) =>
      db.updateTable('people').set({ last_name: 'Neu', modified_at: new Date().toISOString() }).execute(),
    );
    const card = page.locator('[data-task="people-sync"]');
    await card.getByRole('button', { name: 'Run now' }).click();
    await card.locator('.badge[data-status="running"]').waitFor({ timeout: 5000 });
    await card.getByRole('status').filter({ hasText: /read/ }).waitFor();
    await shoot(page, 'dashboard-running');
    await card.locator('.badge[data-status="succeeded"]').waitFor({ timeout: 20_000 });
    hub.hs.setFaults({ latencyMs: 0 });
    const [last] = await hub.store.executions.list({ taskId: 'people-sync', limit: 1 });
    assert.equal(last?.status, 'succeeded');
    assert.equal(
      await card.locator('.records').innerText(),
      String((last?.counts.created ?? 0) + (last?.counts.updated ?? 0)),
    );
    assert.ok(await card.getByRole('button', { name: 'Run now' }).isEnabled());
    await shoot(page, 'dashboard');
    assert.deepEqual(errors, []);
  });

  test('the history drill-down shows the failed record with its payload', async () => {
    await page.getByRole('link', { name: 'Sync history' }).click();
    const rows = page.locator('tr[data-execution]');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    // The oldest run is the one with the rejected e-mail.
    await rows.nth(1).getByRole('link').click();
    await page.getByRole('heading', { name: /^People to HubSpot — run of/ }).waitFor();
    await page.getByLabel('Failed only').check();
    const failed = page.locator('tr[data-action="fail"]');
    // The failed row is in the unfiltered list too: wait for the filtered list itself, not just that row.
    await page.waitForFunction("document.querySelectorAll('tbody tr').length === 1", undefined, {
      timeout: 10_000,
    });
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.equal(await failed.locator('td').first().innerText(), '1');
    await failed.getByRole('button', { name: 'Show payload' }).click();
    const payload = JSON.parse(await failed.locator('pre').innerText());
    assert.equal(payload.email, 'person.1@example.ch');
    assert.ok(await page.getByRole('button', { name: 'Retry failed' }).isVisible());
    await shoot(page, 'drill-down');
    assert.deepEqual(errors, []);
  });

  test('the error log lists each failing record once, by name, with attempts and the payload that should have been sent', async () => {
    // The run before wrote every record: person 1 fails again now (the log lists what fails now).
    hub.hs.setFaults({ rejectEmails: ['person.1@example.ch'] });
    await withBusinessDb(hub.business, (db) =>
      db
        .updateTable('people')
        .set({ last_name: 'Fehler', modified_at: new Date().toISOString() })
        .where('id', '=', 1)
        .execute(),
    );
    assert.equal((await hub.admin.send('POST', '/api/tasks/people-sync/run')).statusCode, 202);
    await hub.runs.idle();
    await page.getByRole('link', { name: 'Error log' }).click();
    const item = page.locator('.error-item').first();
    await item.waitFor();
    const [failed] = (await hub.admin.get('/api/executions?limit=1')).json().executions;
    const [one] = (await hub.admin.get(`/api/executions/${failed.id}/items?action=fail`)).json().items;
    // Named from the mapped first and last name, not "Record 1"; the key beside it.
    assert.equal(
      await item.locator('.record-name').innerText(),
      `${one.payload.firstname} ${one.payload.lastname}`,
    );
    assert.match(await item.innerText(), /1 attempt/);
    await item.getByRole('button', { name: 'Show payload' }).click();
    assert.match(await item.locator('pre').innerText(), /person\.1@example\.ch/);
    assert.equal(await page.locator('.error-item').count(), 1);
    assert.equal(await page.getByTestId('error-total').innerText(), 'Failing now: 1');
    await shoot(page, 'error-log');
    assert.deepEqual(errors, []);
  });

  test('the mapping editor previews sample records and shows a filter syntax error at its position', async () => {
    // The API reports the syntax error as a 400, which the browser logs as a failed load.
    allowFailedLoad('/api/mappings/preview');
    await page.goto(`${hub.base}/mappings/people`);
    const preview = page.getByTestId('preview-table');
    await preview.waitFor({ timeout: 10_000 });
    assert.match(await preview.innerText(), /person\.1@example\.ch/);
    const filter = page.getByLabel('Filter');
    const broken = "status = 'active' and (canton = 'ZH'";
    await filter.fill(broken);
    const error = page.locator('.filter-error');
    await error.waitFor({ timeout: 10_000 });
    assert.equal(await error.getAttribute('data-position'), String(broken.length));
    assert.match(await error.innerText(), new RegExp(`position ${broken.length + 1}`));
    assert.equal(await filter.getAttribute('aria-invalid'), 'true');
    await shoot(page, 'mapping-editor');
    assert.deepEqual(errors, []);
  });

  test('a connection is tested from its form and its secret shows only as "set"', async () => {
    await page.goto(`${hub.base}/connections/hubspot`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.locator('.test-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), 'true');
    assert.equal(await page.locator('[data-secret="accessToken"]').innerText(), 'set');
    assert.equal(await page.locator('input[name="secret.accessToken"]').inputValue(), '');
    assert.deepEqual(errors, []);
  });

  test('a connection created through its form is stored with its token sealed and tests ok', async () => {
    const baseUrl = String((await hub.store.connections.get('hubspot')).config.baseUrl);
    await page.goto(`${hub.base}/connections/new`);
    await page.getByLabel('Name').fill('HubSpot Marketing');
    await page.getByLabel('ID').fill('hubspot-marketing');
    await page.getByLabel('System').selectOption('hubspot');
    await page.getByLabel('API base URL').fill(baseUrl);
    await page.getByLabel('Private app access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/connections\/hubspot-marketing$/);
    const stored = await hub.store.connections.get('hubspot-marketing');
    assert.equal(stored.system, 'hubspot');
    assert.equal(stored.secret.accessToken, TOKEN);
    const raw = await hub.store.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', 'hubspot-marketing')
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(raw).includes(TOKEN), 'the token is sealed in the store');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.locator('.test-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), 'true');
    assert.deepEqual(errors, []);
  });

  test('a new task with a 30-minute preset is saved and listed', async () => {
    await page.goto(`${hub.base}/tasks/new`);
    await page.getByLabel('Name').fill('People every half hour');
    await page.getByLabel('ID').fill('people-30');
    await page.getByLabel('Mapping').selectOption('people');
    await page.getByLabel('Every 30 minutes').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/tasks\/people-30$/);
    const task = await hub.store.tasks.get('people-30');
    assert.deepEqual(task.schedule, { everyMinutes: 30 });
    assert.deepEqual(errors, []);
  });

  test('saving a task from its form or disabling it on the tasks page keeps its deletion guard and the tasks it waits for', async () => {
    const guard = { percent: 5, atLeast: 3 };
    await hub.store.tasks.save({
      ...(await hub.store.tasks.get('people-30')),
      deletionGuard: guard,
      after: ['people-sync'],
    });
    await page.goto(`${hub.base}/tasks/people-30`);
    await page.getByLabel('Name').fill('People every half hour, guarded');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually('the form saved', async () =>
      (await hub.store.tasks.get('people-30')).name.endsWith('guarded'),
    );
    let task = await hub.store.tasks.get('people-30');
    assert.deepEqual([task.deletionGuard, task.after], [guard, ['people-sync']]);
    await page.goto(`${hub.base}/tasks`);
    await page.locator('tr[data-task="people-30"]').getByRole('button', { name: 'Disable' }).click();
    await eventually('the task disabled', async () => !(await hub.store.tasks.get('people-30')).enabled);
    task = await hub.store.tasks.get('people-30');
    assert.deepEqual([task.deletionGuard, task.after], [guard, ['people-sync']]);
    assert.deepEqual(errors, []);
  });

  test('saving a task with a cron from its form keeps the cron’s time zone (the form has no time zone input)', async () => {
    const schedule = { cron: '0 6 * * *', timezone: 'Europe/Zurich' };
    await hub.store.tasks.save({ ...(await hub.store.tasks.get('people-30')), schedule });
    await page.goto(`${hub.base}/tasks/people-30`);
    await page.getByLabel('Name').fill('People at six, Zurich time');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually('the form saved', async () =>
      (await hub.store.tasks.get('people-30')).name.endsWith('Zurich time'),
    );
    assert.deepEqual((await hub.store.tasks.get('people-30')).schedule, schedule);
    assert.deepEqual(errors, []);
  });

  test('settings say "not available" when the server has no settings API, or show the form', async () => {
    allowFailedLoad('/api/settings');
    await page.goto(`${hub.base}/settings`);
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.locator('.notice, form').first().waitFor();
    const hasRoute = hub.app.routeList.some((r) => r.url === '/api/settings');
    assert.equal(await page.getByText('Not available').isVisible(), !hasRoute);
    assert.deepEqual(errors, []);
  });

  test('the audit log lists the logins and configuration changes, filterable by kind', async () => {
    await page.goto(`${hub.base}/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('tr[data-kind="login"]').first().waitFor();
    assert.ok(await page.locator('tr[data-kind="change"]').count(), 'the task saved above is a change');
    await page.getByLabel('Kind').selectOption('login');
    await page.locator('tr[data-kind="change"]').first().waitFor({ state: 'detached' });
    assert.ok((await page.locator('tr[data-kind="login"]').count()) > 0);
    assert.match(await page.locator('tr[data-kind="login"]').first().innerText(), /admin/);
    await shoot(page, 'audit-log');
    assert.deepEqual(errors, []);
  });

  test('switching to German shows German labels and Swiss dates', async () => {
    await page.goto(`${hub.base}/`);
    await page.getByRole('button', { name: 'DE' }).click();
    await page.getByRole('link', { name: 'Übersicht' }).waitFor();
    const card = page.locator('[data-task="people-sync"]');
    assert.ok(await card.getByRole('button', { name: 'Jetzt ausführen' }).isVisible());
    assert.match(await card.locator('.last-run').innerText(), SWISS_DATE_TIME);
    assert.equal(await page.locator('html').getAttribute('lang'), 'de-CH');
    await shoot(page, 'dashboard-de');
    await page.reload();
    await page.getByRole('link', { name: 'Verlauf' }).waitFor();
    assert.deepEqual(errors, []);
  });
});
