// The docs as a reader sees them: the seed page ("Accessing a Kong Konnect Cloud
// Account") and the three quickstart pages it links to, with their sidebar, on-page
// contents and "Next" links.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, closeBrowser, navigate, open, pageSuite, pathOf, screenshot, trackedPage } from './lib.mjs';

const SEED = '/konnect/legacy/access-account/';
const QUICKSTART = ['Configure a runtime', 'Configure a service', 'Implement the service'];

after(closeBrowser);

describe('the docs pages', { concurrency: false }, () => {
  let context;
  let page;
  const reached = {}; // link text → path reached from the seed page
  const { state, step } = pageSuite(it, after, {}, (c, p) => {
    context = c;
    page = p;
  });

  /** The checks every docs page passes. */
  async function checkDocsPage(title) {
    const path = new URL(page.url()).pathname;
    const h1 = page.getByRole('heading', { level: 1 });
    assert.equal((await h1.textContent()).trim(), title);
    assert.ok((await page.title()).startsWith(`${title} · `), `the window title names the page: ${await page.title()}`);

    const sidebar = page.getByRole('navigation', { name: 'Documentation' });
    assert.ok(await sidebar.isVisible(), 'the sidebar is shown');
    const current = sidebar.locator('a[aria-current="page"]');
    assert.equal(await current.count(), 1, 'one sidebar entry is marked current');
    assert.equal(await current.getAttribute('href'), path);
    assert.equal((await current.textContent()).trim(), title);
    assert.ok(await current.isVisible(), 'the current entry is visible in the sidebar');

    const toc = page.getByRole('navigation', { name: 'On this page' });
    assert.ok(await toc.isVisible(), 'the table of contents is shown');
    const entries = toc.getByRole('link');
    assert.ok((await entries.count()) > 0, 'the table of contents lists the headings');
    for (const href of await entries.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      assert.match(href, /^#./);
      assert.equal(await page.locator(`[id="${href.slice(1)}"]`).count(), 1, `no target for ${href}`);
    }
    // Following an entry brings its heading on screen.
    const first = entries.first();
    const target = (await first.getAttribute('href')).slice(1);
    await first.click();
    await page.waitForURL((u) => u.hash === `#${target}`);
    await page.waitForFunction((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    }, target);
    await page.evaluate(() => window.scrollTo(0, 0));
  }

  step('shows the seed page, with screenshots at desktop and phone sizes', async () => {
    const answer = await open(page, SEED);
    assert.equal(answer.status(), 200);
    await checkDocsPage('Accessing a Kong Konnect Cloud Account');
    await screenshot(page, 'seed');
    await page.audit();
    const small = await trackedPage(context, state, { viewport: PHONE });
    try {
      await open(small, SEED);
      // On a phone the sidebar folds away behind "Browse the docs".
      const disclosure = small.getByRole('navigation', { name: 'Documentation' }).locator('summary');
      assert.ok(await disclosure.isVisible());
      await screenshot(small, 'seed');
      await small.audit();
    } finally {
      await small.close();
    }
  });

  for (const [i, title] of QUICKSTART.entries()) {
    step(`follows the seed page's "${title}" link`, async () => {
      await open(page, SEED);
      await page.audit();
      const link = page.getByRole('main').getByRole('link', { name: title, exact: true });
      const answer = await navigate(page, () => link.click());
      assert.equal(answer.status(), 200);
      reached[title] = new URL(page.url()).pathname;
      await checkDocsPage(title);
      await page.audit();
      if (i > 0) {
        const before = QUICKSTART[i - 1];
        if (reached[before]) assert.notEqual(reached[before], reached[title]);
      }
    });
  }

  step('finds a quickstart page by searching, with the keyboard', async () => {
    await open(page, SEED);
    const search = page.getByRole('searchbox', { name: 'Search the docs' });
    assert.ok(await search.isVisible(), 'the search box is shown when JavaScript runs');
    await search.fill('runtime');
    const results = page.locator('#site-search-results');
    const first = results.getByRole('link').first();
    await first.waitFor();
    assert.equal((await first.locator('.site-search-title').textContent()).trim(), 'Configure a runtime');
    // The words found are marked, in any case: in the title and in the snippet of the
    // page's text (from its fragment in /search/pages/).
    assert.equal(await first.locator('.site-search-title mark').textContent(), 'runtime');
    assert.match(await first.locator('.site-search-context mark').first().textContent(), /^runtime/i);
    assert.match(await page.getByRole('status').filter({ hasText: /match/ }).textContent(), /pages? match/);
    await screenshot(page, 'search', { keepFocus: true });
    await page.audit();
    // Down into the results, Enter to follow the first one.
    await search.press('ArrowDown');
    assert.equal(await first.evaluate((a) => a === document.activeElement), true);
    const answer = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(answer.status(), 200);
    await checkDocsPage('Configure a runtime');

    // Every word must match: a word found nowhere leaves nothing.
    await page.getByRole('searchbox', { name: 'Search the docs' }).fill('runtime zzzqqq');
    await results.getByText(/No pages match/).waitFor();
    assert.equal(await results.getByRole('link').count(), 0);
    await page.keyboard.press('Escape');
    assert.equal(await results.isVisible(), false);
  });

  step('leads from one quickstart page to the next with "Next"', async () => {
    await open(page, reached[QUICKSTART[0]]);
    await page.audit();
    for (let i = 1; i < QUICKSTART.length; i++) {
      const pager = page.getByRole('navigation', { name: 'Previous and next pages' });
      const next = pager.getByRole('link', { name: /^Next/ });
      assert.match((await next.textContent()).replace(/\s+/g, ' '), new RegExp(`Next ${QUICKSTART[i]}`));
      const answer = await navigate(page, () => next.click());
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), reached[QUICKSTART[i]]);
      await checkDocsPage(QUICKSTART[i]);
      await page.audit();
      // And back again.
      const prev = page.getByRole('navigation', { name: 'Previous and next pages' }).getByRole('link', { name: /^Previous/ });
      assert.match((await prev.textContent()).replace(/\s+/g, ' '), new RegExp(`Previous ${QUICKSTART[i - 1]}`));
    }
    // The last page's "Next", if it has one, leads somewhere that exists.
    const last = page.getByRole('navigation', { name: 'Previous and next pages' }).getByRole('link', { name: /^Next/ });
    if (await last.count()) {
      const answer = await navigate(page, () => last.click());
      assert.equal(answer.status(), 200);
      await page.audit();
    }
  });
});
