// The privacy controls in a real browser: an access export downloaded, an erasure confirmed and audited,
// and a run the mass-deletion guard held back confirmed from its page.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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
  MAPPING,
  openPage,
  shoot,
  startHub,
} from './harness.ts';

interface ExecutionRow {
  id: string;
  status: string;
  error: { code: string } | null;
  counts: { deleted: number };
}

describe('privacy requests and the deletion guard from the dashboard, in a real browser', {
  skip: chromiumMissing(),
}, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const latestRun = async () =>
    (
      (await hub.admin.get('/api/executions?taskId=people-sync&limit=1')).json() as {
        executions: ExecutionRow[];
      }
    ).executions[0];

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    const res = await hub.admin.send('PUT', '/api/mappings/people', {
      ...MAPPING,
      privacy: 'delete',
      deletes: 'propagate',
    });
    assert.equal(res.statusCode, 200, res.body);
    // Source deletions are found by full runs.
    const task = await hub.admin.send('PUT', '/api/tasks/people-sync', {
      name: 'People to HubSpot',
      mappingId: 'people',
      schedule: { everyMinutes: 15 },
      mode: 'full',
    });
    assert.equal(task.statusCode, 200, task.body);
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, { locale: 'en-US' }));
    await logIn(page, hub.base, ADMIN);
  });
  beforeEach(() => {
    errors.length = 0;
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test('an access export is started from the record view and downloaded as JSON naming the person', async () => {
    await page.goto(`${hub.base}/records?key=2`);
    await page.getByRole('link', { name: 'Privacy request for this record…' }).click();
    await page.waitForURL(/\/privacy\?/);
    // The connection list loads after the page: its option decides what the select shows.
    await page.locator('select[name="connection"] option[value="erp"]').waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Connection').inputValue(), 'erp');
    assert.equal(await page.getByLabel('Object').inputValue(), 'people');
    assert.equal(await page.getByLabel('Key or id').inputValue(), '2');
    await page.getByRole('button', { name: 'Export data' }).click();
    await page.getByRole('heading', { name: 'Access export ready' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download JSON' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'junction-export-erp-people.json');
    const doc = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      links: { targetConnectionId: string }[];
      systems: { connectionId: string; record: Record<string, unknown> | null }[];
    };
    assert.deepEqual(
      doc.links.map((l) => l.targetConnectionId),
      ['hubspot'],
    );
    assert.equal(doc.systems.find((s) => s.connectionId === 'hubspot')?.record?.email, 'person.2@example.ch');
    await shoot(page, 'privacy-export');
    assert.deepEqual(errors, []);
  });

  test('an erasure asks first, then shows each system deleted and the audit entry without the person', async () => {
    await page.goto(`${hub.base}/privacy?connection=erp&object=people&key=2`);
    // Dismissing the confirmation erases nothing.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Erase person…' }).click();
    assert.ok(hub.hs.state.all('contacts').some((c) => c.properties.email === 'person.2@example.ch'));

    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByRole('button', { name: 'Erase person…' }).click();
    await page.getByText('Erased everywhere.').waitFor();
    assert.match(asked, /Erase record 2 \(people in ERP\)/);
    const outcome = page.getByTestId('erasure-actions');
    assert.deepEqual(
      await outcome.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action)),
      ['deleted', 'deleted'],
    );
    assert.equal(
      hub.hs.state.all('contacts').some((c) => c.properties.email === 'person.2@example.ch'),
      false,
    );
    const rows = await withBusinessDb(hub.business, (db) => db.selectFrom('people').select('id').execute());
    assert.equal(
      rows.some((r) => Number(r.id) === 2),
      false,
    );
    await shoot(page, 'privacy-erasure');

    await page.getByRole('link', { name: 'Open the audit log' }).click();
    await page.waitForURL(/\/audit\?kind=erasure/);
    // Newest first: the outcome, then the attempt recorded before anything was touched.
    const entries = page.locator('tr[data-kind="erasure"]');
    await entries.first().waitFor();
    assert.equal(await entries.count(), 2);
    const entry = entries.first();
    const text = (await entry.innerText()).toLowerCase();
    assert.match(text, /hubspot\/contacts: deleted/);
    assert.equal(text.includes('person.2'), false, 'the audit entry holds no e-mail');
    await shoot(page, 'privacy-audit');
    assert.deepEqual(errors, []);
  });

  test('the privacy page speaks German', async () => {
    await page.goto(`${hub.base}/privacy?connection=erp&object=people&key=3`);
    await page.getByRole('button', { name: 'DE', exact: true }).click();
    try {
      await page.getByRole('heading', { name: 'Datenschutz-Anfragen' }).waitFor();
      await page.locator('select[name="connection"] option[value="erp"]').waitFor({ state: 'attached' });
      assert.ok(await page.getByRole('button', { name: 'Daten exportieren' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Person löschen…' }).isVisible());
      assert.equal(await page.getByLabel('Schlüssel oder ID').inputValue(), '3');
      await page.getByRole('button', { name: 'Daten exportieren' }).click();
      await page.getByRole('heading', { name: 'Datenauskunft bereit' }).waitFor();
      await shoot(page, 'privacy-export-de');
    } finally {
      await page.getByRole('button', { name: 'EN', exact: true }).click();
    }
    assert.deepEqual(errors, []);
  });

  test('a run the guard held back (empty source) is confirmed from its page and then deletes', async () => {
    const linked = hub.hs.state.all('contacts').length;
    await withBusinessDb(hub.business, (db) => db.deleteFrom('people').execute());
    assert.equal((await hub.admin.send('POST', '/api/tasks/people-sync/run')).statusCode, 202);
    const held = await eventually('the guarded run to end', async () => {
      const run = await latestRun();
      return run && run.status !== 'running' && run.status !== 'queued' && run.error ? run : null;
    });
    assert.equal(held.status, 'warning');
    assert.equal(held.error?.code, 'mass_deletion_guard');
    assert.equal(hub.hs.state.all('contacts').length, linked, 'the guard deleted nothing');

    await page.goto(`${hub.base}/executions/${held.id}`);
    const guard = page.getByTestId('deletion-guard');
    await guard.waitFor();
    assert.match(await guard.innerText(), /mass_deletion_guard .*dashboard: this run's page/s);
    await shoot(page, 'deletion-guard-held');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await guard.getByRole('button', { name: 'Confirm deletions and run' }).click();
    await page.getByText('The run with the confirmed deletions has started.').waitFor();
    assert.match(asked, /^Delete \d+ record\(s\) in the target of task People to HubSpot\?/);
    const confirmed = await eventually('the confirmed run to end', async () => {
      const run = await latestRun();
      return run && run.id !== held.id && run.status !== 'running' && run.status !== 'queued' ? run : null;
    });
    assert.equal(confirmed.status, 'succeeded', JSON.stringify(confirmed));
    assert.ok(confirmed.counts.deleted > 0);
    // Only the person rejected by HubSpot (never created) was not there to delete.
    assert.equal(hub.hs.state.all('contacts').length, linked - confirmed.counts.deleted);
    const audit = (await hub.admin.get('/api/audit?kind=deletions_confirmed')).json() as {
      entries: { details: { by?: string } }[];
    };
    assert.equal(audit.entries.length, 1);
    assert.equal(audit.entries[0]?.details.by, ADMIN.username);
    await shoot(page, 'deletion-guard-confirmed');
    assert.deepEqual(errors, []);
  });
});
