import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { VIEWER } from '../helpers/server.ts';
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

const OPERATOR = { username: 'operator', password: 'operator-password-123' };
const ACME = { id: 'acme', name: 'Acme AG' };

describe('workspaces in the dashboard: an operator sets the interval, the switcher, a viewer only reads', {
  skip: chromiumMissing(),
}, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let defaultName: string;

  /** An admin API call in a workspace (the header the dashboard sends). */
  const inWorkspace = async (workspace: string, method: 'PUT' | 'POST', url: string, body: unknown) => {
    const res = await hub.app.inject({
      method,
      url,
      headers: {
        cookie: hub.admin.cookie,
        'x-csrf-token': hub.admin.csrf,
        'x-junction-workspace': workspace,
      },
      payload: body as object,
    });
    assert.ok(res.statusCode < 300, `${method} ${url} in ${workspace}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const everyMinutesOf = async (taskId: string) => {
    const res = await hub.admin.get(`/api/tasks/${taskId}`);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { schedule: { everyMinutes?: number } }).schedule.everyMinutes;
  };

  before(async () => {
    await ensureWebBuilt();
    // The hub's people task lives in the default workspace (interval 15 min, range 10–45 by default).
    hub = await startHub();
    await inWorkspace('default', 'PUT', `/api/workspaces/${ACME.id}`, { name: ACME.name });
    const listed = await hub.admin.get('/api/workspaces');
    const workspaces = (listed.json() as { workspaces: { id: string; name: string }[] }).workspaces;
    assert.ok(
      workspaces.some((w) => w.id === ACME.id),
      listed.body,
    );
    defaultName = workspaces.find((w) => w.id === 'default')?.name ?? 'default';
    // Acme has its own systems and one task of its own (ids are unique in the whole hub).
    const configOf = async (id: string) =>
      ((await hub.admin.get(`/api/connections/${id}`)).json() as { config: Record<string, string> }).config;
    const erp = await configOf('erp');
    const hubspot = await configOf('hubspot');
    await inWorkspace(ACME.id, 'PUT', '/api/connections/acme-erp', {
      name: 'Acme ERP',
      system: 'sql',
      config: { url: erp.url },
    });
    await inWorkspace(ACME.id, 'PUT', '/api/connections/acme-hubspot', {
      name: 'Acme HubSpot',
      system: 'hubspot',
      config: { baseUrl: hubspot.baseUrl },
      secret: { accessToken: 'pat-na1-acme' },
    });
    await inWorkspace(ACME.id, 'PUT', '/api/mappings/acme-people', {
      ...MAPPING,
      name: 'Acme people',
      source: { ...MAPPING.source, connectionId: 'acme-erp' },
      target: { ...MAPPING.target, connectionId: 'acme-hubspot' },
    });
    await inWorkspace(ACME.id, 'PUT', '/api/tasks/acme-sync', {
      name: 'Acme contacts',
      mappingId: 'acme-people',
      schedule: { everyMinutes: 20 },
    });
    // The operator runs tasks in both workspaces; the viewer reads the default one.
    const operator = await hub.store.users.create({
      username: OPERATOR.username,
      name: 'Olivia Operator',
      role: 'viewer',
      passwordHash: await hashPassword(OPERATOR.password),
    });
    const users = (await hub.admin.get('/api/users')).json() as { users: { id: string; username: string }[] };
    const viewer = users.users.find((u) => u.username === VIEWER.username);
    assert.ok(viewer, 'the test server has its viewer');
    await inWorkspace('default', 'PUT', `/api/workspaces/default/members/${operator.id}`, {
      role: 'operator',
    });
    await inWorkspace('default', 'PUT', `/api/workspaces/${ACME.id}/members/${operator.id}`, {
      role: 'operator',
    });
    await inWorkspace('default', 'PUT', `/api/workspaces/default/members/${viewer.id}`, { role: 'viewer' });
    browser = await launchBrowser();
  });
  beforeEach(() => {
    errors = [];
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test('an operator sets a task’s interval to 30 minutes on the tasks page and it is saved', async () => {
    let errs: string[];
    ({ page, errors: errs } = await openPage(browser, { locale: 'en-GB' }));
    errors = errs;
    await logIn(page, hub.base, OPERATOR);
    await page.goto(`${hub.base}/tasks`);
    const row = page.locator('[data-task="people-sync"]');
    const interval = row.getByLabel('Interval of People to HubSpot in minutes');
    assert.equal(await interval.inputValue(), '15');
    // The allowed range is shown beside the field.
    await row.getByText('10–45 min').waitFor();
    await interval.fill('30');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'People to HubSpot now runs every 30 min.' }).waitFor();
    assert.equal(await everyMinutesOf('people-sync'), 30);
    // After a reload the page shows the saved interval.
    await page.reload();
    assert.equal(
      await page
        .locator('[data-task="people-sync"]')
        .getByLabel(/^Interval of/)
        .inputValue(),
      '30',
    );
    // What an operator may not do is not offered: no new task, no delete, no enable/disable.
    for (const name of ['New task', 'Delete', 'Disable', 'Enable'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    assert.equal(await page.getByRole('link', { name: 'New task' }).count(), 0);
    await shoot(page, 'workspaces-operator-interval');
    assert.deepEqual(errors, []);
  });

  test('5 minutes is refused, with the allowed range at the field in the user’s language', async () => {
    const row = page.locator('[data-task="people-sync"]');
    const interval = row.getByLabel(/^Interval of/);
    await interval.fill('5');
    await row.getByRole('button', { name: 'Save' }).click();
    const refusal = row.getByRole('alert');
    await refusal.waitFor();
    assert.equal(await refusal.innerText(), 'Choose an interval between 10 and 45 minutes.');
    assert.equal(await interval.getAttribute('aria-invalid'), 'true');
    assert.equal(await everyMinutesOf('people-sync'), 30);
    await shoot(page, 'workspaces-interval-refused');
    // The same refusal in German: the text comes from the code and the range the server names.
    await page.getByRole('button', { name: 'DE', exact: true }).click();
    const rowDe = page.locator('[data-task="people-sync"]');
    await rowDe.getByLabel(/^Intervall von/).fill('5');
    await rowDe.getByRole('button', { name: 'Speichern' }).click();
    await rowDe
      .getByRole('alert')
      .filter({ hasText: 'Wählen Sie ein Intervall zwischen 10 und 45 Minuten.' })
      .waitFor();
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    // The refused 400s are expected answers; nothing else may be logged.
    assert.deepEqual(
      errors.filter((e) => !e.includes('/schedule')),
      [],
    );
  });

  test('the workspace switcher changes what the tasks page lists, and the choice is remembered', async () => {
    await page.goto(`${hub.base}/tasks`);
    await page.locator('[data-task="people-sync"]').waitFor();
    assert.equal(await page.locator('[data-task="acme-sync"]').count(), 0);
    const switcher = page.getByLabel('Workspace', { exact: true });
    await switcher.selectOption({ label: ACME.name });
    await page.locator('[data-task="acme-sync"]').waitFor();
    assert.equal(await page.locator('[data-task="people-sync"]').count(), 0);
    assert.ok(page.url().endsWith('/tasks'), 'the page stays where it was');
    await shoot(page, 'workspaces-switched');
    await page.reload();
    await page.locator('[data-task="acme-sync"]').waitFor();
    assert.equal(await page.getByLabel('Workspace', { exact: true }).inputValue(), ACME.id);
    // Back to the default workspace for the next test's session.
    await page.getByLabel('Workspace', { exact: true }).selectOption('default');
    await page.locator('[data-task="people-sync"]').waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a viewer sees no run and no interval control, and the workspace name in the header', async () => {
    let errs: string[];
    ({ page, errors: errs } = await openPage(browser, { locale: 'en-GB' }));
    errors = errs;
    await logIn(page, hub.base, VIEWER);
    // One workspace: no switcher, its name in the header.
    assert.equal(await page.getByLabel('Workspace', { exact: true }).count(), 0);
    assert.equal(await page.locator('.workspace-current .workspace-name').innerText(), defaultName);
    for (const path of ['/', '/tasks']) {
      await page.goto(`${hub.base}${path}`);
      await page.locator('[data-task="people-sync"]').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Run now' }).count(), 0, `${path}: run now`);
      assert.equal(await page.getByRole('spinbutton').count(), 0, `${path}: an interval field`);
      assert.equal(await page.locator('form[data-interval]').count(), 0, `${path}: an interval form`);
    }
    // The interval is shown as text.
    assert.ok(await page.locator('[data-task="people-sync"]').getByText('Every 30 min').isVisible());
    await shoot(page, 'workspaces-viewer-tasks');
    assert.deepEqual(errors, []);
  });
});
