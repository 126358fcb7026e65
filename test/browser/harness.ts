import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import type { RunService } from '../../src/runs/run-service.ts';
import { WEB_DIST } from '../../src/server/web.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { CHROMIUM } from '../helpers/requirements.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

export const SHOTS = join(process.cwd(), '.tmp', 'screenshots');
export const TOKEN = 'pat-na1-browser-TOKEN';

/** The people mapping the browser tests sync (as in the API workflow test). */
export const MAPPING = {
  name: 'People → HubSpot',
  source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: 'hubspot', object: 'contacts' },
  matchKey: { target: 'email' },
  filter: "status = 'active' and canton in ('ZH', 'BE', 'LU', 'BS', 'SG', 'TI')",
  fields: [
    { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
    { target: 'firstname', from: 'first_name' },
    { target: 'lastname', from: 'last_name' },
  ],
};

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Whether web/dist is missing or older than the dashboard's sources. */
function webBuildStale(index: string): boolean {
  if (!existsSync(index)) return true;
  const web = join(WEB_DIST, '..');
  const sources = Math.max(
    newestMtime(join(web, 'src')),
    newestMtime(join(web, 'index.html')),
    newestMtime(join(web, 'vite.config.ts')),
  );
  return sources > statSync(index).mtimeMs;
}

/**
 * Builds web/dist when it is missing or older than web/src. Test files run in parallel, so one builds
 * under a lock directory and the others wait for it.
 */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(WEB_DIST, 'index.html');
  if (!webBuildStale(index)) return;
  const lock = join(process.cwd(), '.tmp', 'web-build.lock');
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    await eventually('another test file to finish building the web UI', () => !existsSync(lock), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    assert.ok(existsSync(index), 'another test file was building the web UI and did not finish');
    return;
  }
  try {
    const r = spawnSync('npm', ['run', 'build:web'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run build:web failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A hub on loopback with a business database, the HubSpot emulator and one synced task. */
export interface Hub {
  base: string;
  app: FastifyInstance;
  store: Store;
  hs: HubSpotEmulator;
  admin: Client;
  /** The run service the API starts runs through (a test starts a scheduler on it). */
  runs: RunService;
  /** The business system's database (the sync's source). */
  business: TempDatabase;
  close(): Promise<void>;
}

/**
 * Starts the hub and runs the people task once with one e-mail rejected by HubSpot, so the dashboard
 * has a last run, the history a failed item and the error log an entry.
 */
export async function startHub(): Promise<Hub> {
  const business = await createTempSqlite();
  const storeDb = await createTempSqlite();
  await createPeopleTable(business, generatePeople(120));
  const store = await openTestStore(storeDb);
  const hs = createHubSpotEmulator({ tokens: [TOKEN] });
  const hubspotUrl = await hs.listen();
  // Uploaded imports go to a temp folder, not the working copy's junction-data.
  const importsDir = mkdtempSync(join(tmpdir(), 'junction-browser-imports-'));
  const { app, admin, runs } = await createTestServer(store, { importsDir });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const put = async (url: string, body: unknown) => {
    const res = await admin.send('PUT', url, body);
    assert.equal(res.statusCode, 200, res.body);
  };
  await put('/api/connections/erp', { name: 'ERP', system: 'sql', config: { url: business.url } });
  await put('/api/connections/hubspot', {
    name: 'HubSpot',
    system: 'hubspot',
    config: { baseUrl: hubspotUrl },
    secret: { accessToken: TOKEN },
  });
  await put('/api/mappings/people', MAPPING);
  await put('/api/tasks/people-sync', {
    name: 'People to HubSpot',
    mappingId: 'people',
    schedule: { everyMinutes: 15 },
  });
  hs.setFaults({ rejectEmails: ['person.1@example.ch'] });
  assert.equal((await admin.send('POST', '/api/tasks/people-sync/run')).statusCode, 202);
  await runs.idle();
  return {
    base,
    app,
    store,
    hs,
    admin,
    runs,
    business,
    async close() {
      await app.close();
      await hs.close();
      await store.close();
      await business.drop();
      await storeDb.drop();
      rmSync(importsDir, { recursive: true, force: true });
    },
  };
}

/** Starts Debian's chromium headless with the flags a container needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that records console errors and uncaught exceptions; `allow` lists URL parts whose failed loads are expected. */
export async function openPage(browser: Browser, o: { locale?: string } = {}) {
  const context: BrowserContext = await browser.newContext({
    locale: o.locale ?? 'en-US',
    viewport: { width: 1366, height: 860 },
  });
  const page: Page = await context.newPage();
  const errors: string[] = [];
  const allowed: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location().url ?? '';
    if (allowed.some((a) => url.includes(a))) return;
    errors.push(`${msg.text()} (${url})`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return { context, page, errors, allowFailedLoad: (urlPart: string) => allowed.push(urlPart) };
}

/** Logs in through the login form. */
export async function logIn(
  page: Page,
  base: string,
  who: { username: string; password: string },
): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel(/username|benutzername/i).fill(who.username);
  await page.getByLabel(/^password|^passwort/i).fill(who.password);
  await page.getByRole('button', { name: /sign in|anmelden/i }).click();
  await page.getByRole('navigation').waitFor();
}

/**
 * Saves a full-page screenshot under .tmp/screenshots. The window is made as tall as the page while it is
 * taken: the sidebar is sticky and one window high, so a taller page would show it cut off mid-page.
 */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const window = page.viewportSize();
  // A string: the tests' TypeScript has no DOM types.
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  const grow = window !== null && height > window.height;
  if (grow) await page.setViewportSize({ width: window.width, height });
  try {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  } finally {
    if (grow) await page.setViewportSize(window);
  }
}
