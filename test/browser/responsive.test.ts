import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing } from '../helpers/requirements.ts';
import { ADMIN } from '../helpers/server.ts';
import { ensureWebBuilt, type Hub, launchBrowser, logIn, openPage, shoot, startHub } from './harness.ts';

const WIDTHS = [1280, 390] as const;

/**
 * Elements that stick out to the right of the viewport: what makes a page scroll sideways (a script run in
 * the page; the test's own types know no DOM).
 */
const OVERFLOWING = `(() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' right=' + Math.round(el.getBoundingClientRect().right);
  const out = [...document.querySelectorAll('body *')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.right > width + 1 && r.width > 0;
  });
  // Inside a box that scrolls by itself (a wide table in its wrapper) is fine: the box is what to name.
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const outside = out.filter((el) => !scrolls(el));
  return (outside.length ? outside : out).slice(0, 5).map(name);
})()`;
const WIDTHS_NOW = `({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })`;

describe('no page scrolls sideways, at 1280 px and on a phone (390 px)', { skip: chromiumMissing() }, () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let pages: string[];

  before(async () => {
    await ensureWebBuilt();
    hub = await startHub();
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, { locale: 'de-CH' }));
    await logIn(page, hub.base, ADMIN);
    const [run] = (await hub.admin.get('/api/executions?limit=1')).json().executions;
    pages = [
      '/',
      '/history',
      `/executions/${run.id}`,
      '/errors',
      '/records?key=1',
      '/imports',
      '/connections',
      '/connections/new',
      '/connections/erp',
      '/mappings',
      '/mappings/new',
      '/mappings/people',
      '/tasks',
      '/tasks/new',
      '/tasks/people-sync',
      '/settings',
      '/users',
      '/privacy',
      '/audit',
      '/account',
    ];
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  for (const width of WIDTHS) {
    test(`every page fits ${width} px: scrollWidth <= innerWidth`, async () => {
      await page.setViewportSize({ width, height: width > 500 ? 860 : 844 });
      const wide: string[] = [];
      for (const path of pages) {
        await page.goto(`${hub.base}${path}`);
        await page.locator('main h1').first().waitFor();
        // Let data arrive and lay out (lists, charts, forms generated from the systems).
        await page.waitForLoadState('networkidle');
        const { scrollWidth, innerWidth } = (await page.evaluate(WIDTHS_NOW)) as {
          scrollWidth: number;
          innerWidth: number;
        };
        if (scrollWidth > innerWidth)
          wide.push(
            `${path}: ${scrollWidth} > ${innerWidth} (${((await page.evaluate(OVERFLOWING)) as string[]).join(', ')})`,
          );
        if (['/', '/errors', '/account', '/tasks'].includes(path))
          await shoot(
            page,
            `${width === 390 ? 'phone' : 'wide'}${path === '/' ? '-dashboard' : path.replaceAll('/', '-')}`,
          );
      }
      assert.deepEqual(wide, []);
      assert.deepEqual(errors, []);
    });
  }
});
