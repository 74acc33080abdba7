// Versioned docs as a reader sees them: the bundled `gateway` docs set (3.4.x latest,
// 3.3.x). `/gateway/latest/` lands on the latest release, the switcher (a disclosure of
// plain links) moves to the same page in another release, and the banner leads back;
// with JavaScript in light mode and without it in dark mode, every page audited.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, navigate, open, pageSuite, pathOf } from './lib.mjs';

after(closeBrowser);

for (const options of [{ javaScript: true, colorScheme: 'light' }, { javaScript: false, colorScheme: 'dark' }]) {
  const mode = `${options.javaScript ? 'with' : 'without'} JavaScript, ${options.colorScheme}`;
  describe(`the version switcher, ${mode}`, { concurrency: false }, () => {
    let page;
    const { step } = pageSuite(it, after, options, (_, p) => {
      page = p;
    });

    step('/gateway/latest/install/ lands on the latest release', async () => {
      const answer = await open(page, '/gateway/latest/install/');
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/gateway/3.4.x/install/');
      await page.audit();
      const switcher = page.getByRole('navigation', { name: 'Versions' });
      assert.match(await switcher.locator('summary').textContent(), /Version 3\.4 \(latest\)/);
      assert.equal(await page.locator('.version-banner').count(), 0, 'no banner on the latest release');
    });

    step('the switcher leads to the same page in 3.3, which says it is not the latest', async () => {
      const switcher = page.getByRole('navigation', { name: 'Versions' });
      await switcher.locator('summary').click();
      const older = switcher.getByRole('link', { name: '3.3' });
      assert.ok(await older.isVisible(), 'the disclosure opens');
      await navigate(page, () => older.click());
      assert.equal(pathOf(page), '/gateway/3.3.x/install/');
      await page.audit();
      const banner = page.getByRole('note');
      assert.match(await banner.textContent(), /not the latest release/);
      assert.ok(await page.getByText('In 3.3, a mistake in the configuration file').isVisible());
    });

    if (options.javaScript) {
      step('search keeps to the reader\'s release unless asked for all', async () => {
        const input = page.getByRole('searchbox', { name: 'Search the docs' });
        await input.fill('DB-less');
        const results = page.locator('#site-search-results a');
        await results.first().waitFor();
        assert.deepEqual(await results.evaluateAll((as) => as.map((a) => new URL(a.href).pathname)), ['/gateway/3.3.x/install/']);
        const all = page.getByRole('checkbox', { name: 'All releases' });
        await all.check();
        await page.waitForFunction(() => document.querySelectorAll('#site-search-results a').length === 2);
        assert.deepEqual((await results.evaluateAll((as) => as.map((a) => new URL(a.href).pathname))).sort(), ['/gateway/3.3.x/install/', '/gateway/3.4.x/install/']);
        await all.uncheck();
        await input.fill('');
        await page.keyboard.press('Escape');
      });
    }

    step('the banner leads back to the same page in the latest release', async () => {
      await navigate(page, () => page.getByRole('link', { name: 'This page for 3.4, the latest release' }).click());
      assert.equal(pathOf(page), '/gateway/3.4.x/install/');
      await page.audit();
      assert.ok(await page.getByText('From 3.4, the container reads the configuration file').isVisible());
    });
  });
}
