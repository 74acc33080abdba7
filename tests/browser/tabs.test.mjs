// Tab groups (the `tabs` shortcode) as a reader uses them: by mouse and keyboard (the
// WAI-ARIA tabs pattern), the same choice in every group of the page and on the next
// page, every panel under its title without JavaScript, and axe clean with a callout on
// the page, in light and dark mode.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, open, pageSuite, trackedPage } from './lib.mjs';

const PAGE = '/konnect/legacy/getting-started/configure-runtime/';
const OTHER = '/konnect/legacy/getting-started/configure-service/';

after(closeBrowser);

/** For each tab group: its tab titles, the selected one, and the titles of visible panels. */
async function groups(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-tabs]')].map((g) => ({
      tabs: [...g.querySelectorAll(':scope > [role=tablist] [role=tab]')].map((t) => t.textContent.trim()),
      selected: g.querySelector(':scope > [role=tablist] [aria-selected=true]')?.textContent.trim() ?? null,
      listShown: !g.querySelector(':scope > [role=tablist]').hidden,
      visible: [...g.querySelectorAll(':scope > [role=tabpanel]')]
        .filter((p) => p.offsetParent !== null)
        .map((p) => p.getAttribute('data-tab-title')),
    })),
  );
}

describe('tab groups', { concurrency: false }, () => {
  let context;
  let page;
  const { state, step } = pageSuite(it, after, {}, (c, p) => {
    context = c;
    page = p;
  });

  step('show one panel per group, the first, with the tab list', async () => {
    await open(page, PAGE);
    const found = await groups(page);
    assert.ok(found.length >= 2, 'the page has two tab groups');
    for (const g of found) {
      assert.deepEqual(g.tabs, ['macOS and Linux', 'Windows']);
      assert.equal(g.selected, 'macOS and Linux');
      assert.ok(g.listShown);
      assert.deepEqual(g.visible, ['macOS and Linux']);
    }
    await page.audit();
  });

  step('move by keyboard: arrows, Home and End; the choice applies to every group', async () => {
    const first = page.getByRole('tab', { name: 'macOS and Linux' }).first();
    await first.focus();
    await page.keyboard.press('ArrowRight');
    let focused = await page.evaluate(() => document.activeElement.textContent.trim());
    assert.equal(focused, 'Windows');
    for (const g of await groups(page)) {
      assert.equal(g.selected, 'Windows', 'the same title is chosen in every group');
      assert.deepEqual(g.visible, ['Windows']);
    }
    await page.keyboard.press('Home');
    focused = await page.evaluate(() => document.activeElement.textContent.trim());
    assert.equal(focused, 'macOS and Linux');
    await page.keyboard.press('End');
    focused = await page.evaluate(() => document.activeElement.getAttribute('aria-selected'));
    assert.equal(focused, 'true');
    await page.keyboard.press('ArrowRight'); // wraps around to the first
    assert.equal((await groups(page))[0].selected, 'macOS and Linux');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await groups(page))[0].selected, 'Windows');
    // Only the selected tab is in the tab order.
    const stops = await page.evaluate(() =>
      [...document.querySelectorAll('[data-tabs] [role=tab]')].filter((t) => t.tabIndex === 0).length,
    );
    assert.equal(stops, (await groups(page)).length);
  });

  step('remember the choice on the next page and after a reload', async () => {
    await open(page, OTHER);
    await page.audit();
    await open(page, PAGE);
    for (const g of await groups(page)) assert.equal(g.selected, 'Windows');
    await page.audit();
    await page.getByRole('tab', { name: 'macOS and Linux' }).first().click();
    await page.reload();
    for (const g of await groups(page)) assert.equal(g.selected, 'macOS and Linux');
    await page.audit();
  });

  step('a link to a heading in a hidden tab opens that tab', async () => {
    await page.evaluate(() => {
      window.location.hash = '#start-it-from-powershell';
    });
    await page.waitForFunction(() => document.getElementById('start-it-from-powershell').offsetParent !== null);
    assert.equal((await groups(page))[0].selected, 'Windows');
  });

  step('are axe clean with a callout, in light and dark mode', async () => {
    assert.equal(await page.locator('.callout-warning[role=note]').count(), 1);
    for (const colorScheme of ['light', 'dark']) {
      const themed = await trackedPage(context, state, { colorScheme });
      await themed.emulateMedia({ colorScheme });
      await open(themed, PAGE);
      await themed.audit({ colorScheme });
      await themed.close();
    }
  });
});

describe('tab groups without JavaScript', { concurrency: false }, () => {
  let page;
  const { step } = pageSuite(it, after, { javaScript: false }, (_, p) => {
    page = p;
  });

  step('show every panel under its title, and no tab list', async () => {
    await open(page, PAGE);
    for (const g of await groups(page)) {
      assert.ok(!g.listShown, 'the tab list needs JavaScript');
      assert.deepEqual(g.visible, ['macOS and Linux', 'Windows']);
    }
    const titles = page.getByRole('heading', { name: 'Windows' });
    assert.ok((await titles.count()) >= 2, 'each panel is under its title as a heading');
    await page.audit();
  });
});
