import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import { eventually } from '../helpers/eventually.ts';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN, VIEWER } from '../helpers/server.ts';
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

describe('workspaces in the dashboard: an operator sets the interval, the switcher, a viewer only reads, the Workspaces page', {
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

  test('an operator sets how often a change-driven task’s changes may start a run: 20 minutes is saved, 5 is refused with the range at the field', async () => {
    await inWorkspace('default', 'PUT', '/api/tasks/people-changes', {
      name: 'People on changes',
      mappingId: 'people',
      enabled: false,
      schedule: { onChange: true },
    });
    const gapOf = async () =>
      ((await hub.store.tasks.get('people-changes')).schedule as { changeGapMinutes?: number } | null)
        ?.changeGapMinutes;
    await page.goto(`${hub.base}/tasks`);
    const row = page.locator('[data-task="people-changes"]');
    const gap = row.getByLabel('Changes of People on changes at most every … minutes');
    // The instance administrator left the gap out; the workspace's range is shown beside the field.
    assert.equal(await gap.inputValue(), '');
    await row.getByText('Changes at most every').waitFor();
    await row.getByText('10–45 min').waitFor();
    await gap.fill('20');
    await row.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Changes of People on changes now start a run at most every 20 min.' })
      .waitFor();
    assert.equal(await gapOf(), 20);
    await gap.fill('5');
    await row.getByRole('button', { name: 'Save' }).click();
    const refusal = row.getByRole('alert');
    await refusal.waitFor();
    assert.equal(await refusal.innerText(), 'Choose an interval between 10 and 45 minutes.');
    assert.equal(await gap.getAttribute('aria-invalid'), 'true');
    // The earlier save's notice is gone: it would stand beside the refusal as if 5 had been saved.
    assert.equal(await page.getByRole('status').filter({ hasText: 'now start a run' }).count(), 0);
    assert.equal(await gapOf(), 20);
    await shoot(page, 'workspaces-change-gap-refused');
    // The task's form shows the saved gap with the range (read-only for an operator).
    await page.goto(`${hub.base}/tasks/people-changes`);
    const field = page.getByLabel('Changes at most every … minutes', { exact: true });
    assert.equal(await field.inputValue(), '20');
    await page.getByText('10–45 min').waitFor();
    await hub.store.tasks.delete('people-changes');
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

  test('an operator makes an API token for one workspace with a role no higher than their own there', async () => {
    let errs: string[];
    ({ page, errors: errs } = await openPage(browser, { locale: 'en-GB' }));
    errors = errs;
    await logIn(page, hub.base, OPERATOR);
    await page.goto(`${hub.base}/account`);
    const form = page.locator('form.token-form');
    await form.getByLabel('Workspace').selectOption({ label: ACME.name });
    assert.deepEqual(await form.getByLabel('Role').locator('option').allInnerTexts(), [
      'Operator',
      'Viewer (read-only)',
    ]);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByLabel('Name').fill('acme-reader');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('new-token').innerText();
    const listed = page.locator('tr', { hasText: 'acme-reader' });
    // The secret shows before the token list has loaded again.
    await listed.waitFor();
    assert.deepEqual((await listed.locator('td').allInnerTexts()).slice(0, 3), [
      'acme-reader',
      ACME.name,
      'Viewer (read-only)',
    ]);
    // The token sees Acme's tasks only.
    const res = await hub.app.inject({
      method: 'GET',
      url: '/api/tasks',
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      (res.json() as { tasks: { id: string }[] }).tasks.map((t) => t.id),
      ['acme-sync'],
    );
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('an operator is offered running, retrying and resolving, and nothing that configures the workspace', async () => {
    let errs: string[];
    ({ page, errors: errs } = await openPage(browser, { locale: 'en-GB' }));
    errors = errs;
    await logIn(page, hub.base, OPERATOR);
    await page.getByLabel('Workspace', { exact: true }).selectOption('default');
    await page.locator('[data-task="people-sync"]').getByRole('button', { name: 'Run now' }).waitFor();
    await page.goto(`${hub.base}/errors`);
    await page.locator('.error-item').first().waitFor();
    for (const name of [/^Retry selected/, /^Mark resolved$/, /^Ignore$/])
      assert.equal(await page.getByRole('button', { name }).count(), 1, String(name));
    const [run] = await hub.store.executions.list({ taskId: 'people-sync', limit: 1 });
    await page.goto(`${hub.base}/executions/${run?.id}`);
    await page.getByRole('button', { name: 'Retry failed' }).waitFor();
    for (const [path, name] of [
      ['/connections', 'New connection'],
      ['/mappings', 'New mapping'],
      ['/tasks', 'New task'],
    ] as const) {
      await page.goto(`${hub.base}${path}`);
      await page.locator('table').first().waitFor();
      assert.equal(await page.getByRole('link', { name }).count(), 0, `${path}: ${name}`);
    }
    const nav = await page.getByRole('navigation').getByRole('link').allInnerTexts();
    for (const hidden of ['Imports', 'Privacy', 'Audit log', 'Workspaces', 'Users', 'Settings'])
      assert.ok(!nav.includes(hidden), `the navigation offers ${hidden}`);
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

  test('a user no workspace has taken in yet is told why there is nothing to see', async () => {
    const lonely = { username: 'lonely', password: 'lonely-password-123' };
    await hub.store.users.create({
      username: lonely.username,
      name: 'Lonely',
      role: 'viewer',
      passwordHash: await hashPassword(lonely.password),
      workspaces: [],
    });
    let errs: string[];
    ({ page, errors: errs } = await openPage(browser, { locale: 'en-GB' }));
    errors = errs;
    await logIn(page, hub.base, lonely);
    await page.getByRole('status').filter({ hasText: 'You are not a member of any workspace yet' }).waitFor();
    assert.equal(await page.locator('.workspace-current').count(), 0);
    await page.context().close();
  });

  test('the instance administrator creates a workspace with limits, renames it, manages its members, deletes it, and makes a user an operator of a workspace', async () => {
    let errs: string[];
    ({ page, errors: errs } = await openPage(browser, { locale: 'en-GB' }));
    errors = errs;
    page.on('dialog', (d) => void d.accept());
    await logIn(page, hub.base, ADMIN);
    await page.getByRole('navigation').getByRole('link', { name: 'Workspaces' }).click();
    const form = page.locator('form[aria-labelledby="ws-new"]');
    await form.getByLabel('Name').fill('Beta GmbH');
    await form.getByLabel('ID').fill('beta');
    await form.getByLabel('Shortest interval (minutes)').fill('15');
    await form.getByLabel('Longest interval (minutes)').fill('30');
    await form.getByLabel('Runs at once').fill('2');
    await form.getByLabel('Share of a rate limit (%)').fill('30');
    await form.getByRole('button', { name: 'New workspace' }).click();
    await page.getByRole('status').filter({ hasText: 'Workspace Beta GmbH saved.' }).waitFor();
    const row = page.locator('[data-workspace-row="beta"]');
    // The notice can show before the list has loaded again.
    await row.waitFor();
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(0, 5), [
      'Beta GmbH',
      'beta',
      '15–30 min',
      '2',
      '30 %',
    ]);
    // The switcher offers the new workspace at once.
    await page.getByLabel('Workspace', { exact: true }).locator('option', { hasText: 'Beta GmbH' }).waitFor({
      state: 'attached',
    });
    // Renamed: the limits stay.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.locator('form[aria-labelledby="ws-edit"]');
    await edit.getByLabel('Name').fill('Beta AG');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Workspace Beta AG saved.' }).waitFor();
    const listed = (await hub.admin.get('/api/workspaces')).json() as {
      workspaces: { id: string; name: string; limits: Record<string, unknown> }[];
    };
    assert.deepEqual(
      listed.workspaces.find((w) => w.id === 'beta'),
      {
        id: 'beta',
        name: 'Beta AG',
        role: 'admin',
        limits: { minIntervalMinutes: 15, maxIntervalMinutes: 30, maxConcurrentRuns: 2, rateShare: 30 },
      },
    );
    // Members: the operator joins as operator, becomes a viewer, leaves.
    await row.getByRole('button', { name: 'Members' }).click();
    const members = page.locator('[data-members="beta"]');
    await members.getByText('No members yet').waitFor();
    await members.getByLabel('User').selectOption({ label: 'Olivia Operator (operator)' });
    await members.getByLabel('Role', { exact: true }).selectOption('operator');
    await members.getByRole('button', { name: 'Add member' }).click();
    const member = members.locator('[data-member="operator"]');
    await member.waitFor();
    assert.equal(await member.getByLabel('Role of operator').inputValue(), 'operator');
    await member.getByLabel('Role of operator').selectOption('viewer');
    const roleIn = async () =>
      (
        (await hub.admin.get('/api/workspaces/beta/members')).json() as {
          members: { username: string; role: string }[];
        }
      ).members.find((m) => m.username === 'operator')?.role;
    await eventually('the operator to be a viewer of beta', async () => (await roleIn()) === 'viewer');
    await shoot(page, 'workspaces-admin-members');
    await member.getByRole('button', { name: 'Remove' }).click();
    await member.waitFor({ state: 'detached' });
    assert.equal(await roleIn(), undefined);
    // A workspace that still has objects is not deleted, and says what is left.
    await page.locator('[data-workspace-row="default"]').getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /still has .*delete them first/ })
      .waitFor();
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Workspace Beta AG deleted.' }).waitFor();
    // The notice may show before the list has loaded again.
    await row.waitFor({ state: 'detached' });
    // A new user is made a member of the workspace chosen with them, in the role chosen.
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    const newUser = page.locator('form[aria-labelledby="new-user"]');
    await newUser.getByLabel('Username', { exact: true }).fill('acme-op');
    await newUser.getByLabel('Name', { exact: true }).fill('Acme Operator');
    await newUser.getByLabel('Workspace', { exact: true }).selectOption({ label: ACME.name });
    await newUser.getByLabel('Role in the workspace').selectOption('operator');
    await newUser.getByLabel(/^Initial password/).fill('acme-password-123');
    await newUser.getByRole('button', { name: 'New user' }).click();
    await page.getByRole('status').filter({ hasText: 'User created' }).waitFor();
    const acmeMembers = (await hub.admin.get(`/api/workspaces/${ACME.id}/members`)).json() as {
      members: { username: string; role: string }[];
    };
    assert.equal(acmeMembers.members.find((m) => m.username === 'acme-op')?.role, 'operator');
    // The refused delete is an expected answer; nothing else may be logged.
    assert.deepEqual(
      errors.filter((e) => !e.includes('/api/workspaces/default')),
      [],
    );
  });
});
