// Diagrams and formulas as a reader sees them (content/figures.md): the mermaid block is
// an SVG named by its source, in the theme's colours in light and in dark mode
// (screenshots), its source behind "Diagram source"; the formulas are MathML that
// Chromium lays out itself. The same without JavaScript: nothing of it needs script.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, open, pageSuite, screenshot } from './lib.mjs';

const FIGURES = '/figures/';

after(closeBrowser);

for (const [colorScheme, javaScript] of [['light', true], ['dark', false]]) {
  describe(`diagrams and formulas (${colorScheme}, JavaScript ${javaScript ? 'on' : 'off'})`, { concurrency: false }, () => {
    let page;
    const { step } = pageSuite(it, after, { colorScheme, javaScript }, (_, p) => {
      page = p;
    });

    step('the diagram is an image named by its source, in the palette', async () => {
      await open(page, FIGURES);
      await page.audit();
      const diagram = page.getByRole('img', { name: /^flowchart LR\s+R\[Register\] --> V\[Verify the email address\]/ });
      assert.equal(await diagram.count(), 1, 'one diagram, named by its source');
      const box = await diagram.boundingBox();
      assert.ok(box.width > 300 && box.height > 40, `the diagram is drawn (${JSON.stringify(box)})`);
      assert.ok(box.x + box.width <= (page.viewportSize().width), 'it fits the page');
      assert.equal(await page.locator('figure.diagram svg text').filter({ hasText: 'Register' }).count(), 1);
      const node = page.locator('figure.diagram svg rect[fill="#f6f8fa"]').first();
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const fill = await node.evaluate((r) => getComputedStyle(r).fill);
      assert.equal(fill, colorScheme === 'light' ? 'rgb(246, 248, 250)' : 'rgb(22, 27, 34)', 'the node follows the mode');
      assert.notEqual(fill, background);
      const label = await page.locator('figure.diagram svg text').first().evaluate((t) => getComputedStyle(t).fill);
      assert.equal(label, colorScheme === 'light' ? 'rgb(31, 35, 40)' : 'rgb(230, 237, 243)', 'the text follows the mode');
      await screenshot(page, `figures-${colorScheme}`);
    });

    step('its source opens under it', async () => {
      const source = page.locator('figure.diagram details');
      assert.equal(await source.locator('pre').isVisible(), false, 'closed at first');
      await source.getByText('Diagram source').click();
      assert.match(await source.locator('pre').textContent(), /S --> T\[30-day Plus trial\]/);
    });

    step('the formulas are MathML laid out by the browser', async () => {
      const inline = page.locator('p math[display="inline"]');
      assert.equal(await inline.count(), 2);
      const block = page.locator('math[display="block"]');
      assert.equal(await block.count(), 1);
      assert.equal(
        await block.locator('annotation[encoding="application/x-tex"]').textContent(),
        '\nd = \\left\\lceil \\frac{t_\\text{end} - t}{86\\,400} \\right\\rceil\n',
      );
      const fraction = await block.locator('mfrac').boundingBox();
      assert.ok(fraction && fraction.height > 20, `the fraction is laid out in two rows (${JSON.stringify(fraction)})`);
    });
  });
}
