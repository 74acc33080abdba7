// Code blocks as a reader sees them: ten languages highlighted in light and dark mode
// (screenshots), a title, highlighted lines and line numbers, and the copy button: it
// copies the block's text, says "Copied" through a role="status", copies only the
// commands of a console block, and is not there without JavaScript.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, open, pageSuite, screenshot } from './lib.mjs';

const SAMPLES = '/code-samples/';
const LANGUAGES = ['console', 'bash', 'yaml', 'json', 'toml', 'http', 'lua', 'python', 'javascript', 'go', 'html'];

after(closeBrowser);

for (const colorScheme of ['light', 'dark']) {
  describe(`code blocks (${colorScheme})`, { concurrency: false }, () => {
    let page;
    const { step } = pageSuite(it, after, { colorScheme, permissions: ['clipboard-read', 'clipboard-write'] }, (_, p) => {
      page = p;
    });

    step('every language is highlighted with classes, coloured by the palette', async () => {
      await open(page, SAMPLES);
      await page.audit();
      for (const lang of LANGUAGES) {
        const pre = page.locator(`pre.code[data-lang="${lang}"]`);
        assert.equal(await pre.count(), 1, `one ${lang} block`);
        assert.equal(await pre.locator('[style]').count(), 0, `${lang}: no inline styles`);
        const colours = await pre.locator('code span[class*="hl-"]').evaluateAll((spans) =>
          spans.map((s) => getComputedStyle(s).color),
        );
        assert.ok(new Set(colours).size >= 2, `${lang}: tokens in at least two colours (${[...new Set(colours)]})`);
      }
      // The palette follows the mode: a keyword's colour differs between light and dark.
      const keyword = await page.locator('pre.code[data-lang="python"] code span.hl-kw').filter({ hasText: /^def$/ }).first()
        .evaluate((s) => getComputedStyle(s).color);
      assert.equal(keyword, colorScheme === 'light' ? 'rgb(207, 34, 46)' : 'rgb(255, 123, 114)');
      await screenshot(page, `code-samples-${colorScheme}`);
    });

    step('fence options: a title, highlighted lines, line numbers', async () => {
      assert.equal((await page.locator('.code-title').first().textContent()).trim(), 'kong.yaml');
      const marked = page.locator('pre.code[data-lang="bash"] .line.marked');
      assert.equal(await marked.count(), 1);
      assert.match(await marked.textContent(), /^curl/);
      const numbers = await page.locator('pre.code[data-lang="toml"] .ln').allTextContents();
      assert.deepEqual(numbers.map((n) => n.trim()), ['1', '2']);
    });

    step('the copy button copies the block and says "Copied"', async () => {
      const block = page.locator('.code-block', { has: page.locator('pre.code[data-lang="toml"]') });
      await block.getByRole('button', { name: 'Copy' }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('[role="status"]')].some((s) => s.textContent === 'Copied'));
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), '[server]\nport = 8000');
    });

    step('a console block copies only its commands', async () => {
      const block = page.locator('.code-block', { has: page.locator('pre.code[data-lang="console"]') });
      await block.getByRole('button', { name: 'Copy' }).click();
      await block.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
      assert.equal(
        await page.evaluate(() => navigator.clipboard.readText()),
        'curl -i http://localhost:8001/status\nkong reload',
      );
    });
  });
}

describe('code blocks without JavaScript', { concurrency: false }, () => {
  let page;
  const { step } = pageSuite(it, after, { javaScript: false }, (_, p) => {
    page = p;
  });

  step('the code is there, highlighted, with no copy button', async () => {
    await open(page, SAMPLES);
    await page.audit();
    assert.equal(await page.locator('pre.code').count(), LANGUAGES.length);
    assert.equal(await page.getByRole('button', { name: 'Copy' }).count(), 0);
    assert.ok((await page.locator('pre.code span[class^="hl-"]').count()) > 20);
  });
});
