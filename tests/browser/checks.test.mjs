// The suite's own checks catch what they claim to: a green run means the guard and the
// audit looked, not that they were blind. Each case serves a small page with one defect
// at a made-up path of the site (intercepted in the browser, never sent to the host) and
// expects the guard or the audit to refuse it.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, audit, browser, closeBrowser, guard, open } from './lib.mjs';

const PATH = '/__browser-suite-probe__/';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' data:; img-src 'self' data:";

after(closeBrowser);

const page = (body, { head = '', lang = 'en' } = {}) =>
  `<!doctype html><html${lang ? ` lang="${lang}"` : ''}><head><meta charset="utf-8"><title>Probe</title>` +
  `<link rel="stylesheet" href="/css/gatehouse.css">${head}</head>` +
  `<body><main><h1>Probe</h1>${body}<p><a href="/">Home</a></p></main></body></html>`;
const css = (rules) => `<link rel="stylesheet" href="data:text/css,${encodeURIComponent(rules)}">`;

/** Serves `html` at PATH, runs the guard (and the audit unless `guardOnly`), returns the error or null. */
async function verdict(html, { javaScript = true, guardOnly = false, setup = null } = {}) {
  const context = await (await browser()).browser.newContext({ javaScriptEnabled: javaScript });
  try {
    await context.route(BASE + PATH, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': CSP }, body: html }),
    );
    const p = await context.newPage();
    const g = guard(p);
    await open(p, PATH);
    if (setup) await setup(p);
    if (!guardOnly) await audit(p, { javaScript });
    g.check();
    return null;
  } catch (error) {
    return error;
  } finally {
    await context.close();
  }
}

describe('the checks themselves', { concurrency: false }, () => {
  it('pass a clean page, with and without JavaScript', async () => {
    assert.equal(await verdict(page('<p>Fine.</p>')), null);
    assert.equal(await verdict(page('<p>Fine.</p>'), { javaScript: false }), null);
  });

  const cases = [
    ['a missing image (HTTP 404)', page('<img src="/__browser-suite-missing__.png" alt="">'), { guardOnly: true }, /HTTP 404/],
    ['an inline script the CSP blocks', page('<script>document.title = "x"</script>'), { guardOnly: true }, /Content Security Policy/],
    ['low contrast (axe)', page(`<p class="faint">Faint</p>`, { head: css('.faint{color:#eee}') }), {}, /color-contrast/],
    ['low contrast without JavaScript (axe on the copy)', page(`<p class="faint">Faint</p>`, { head: css('.faint{color:#eee}') }), { javaScript: false }, /color-contrast/],
    ['an image without alt', page('<img src="/favicon.svg" width="10" height="10">'), {}, /image-alt|images without alt/],
    ['an input without a label', page('<input name="q">'), {}, /label/],
    ['two h1', page('<h1>Again</h1>'), {}, /exactly one h1/],
    ['no lang', page('<p>x</p>', { lang: '' }), {}, /html-has-lang|lang/],
    ['an invisible focus', page('<p>x</p>', { head: css('a:focus-visible{outline:none!important}') }), {}, /no visible focus indicator/],
  ];
  // A request cut off while its page is still shown is a failure; one cut off because the
  // reader left the page is not (the guard tells them apart).
  const SLOW = '/__browser-suite-slow__';
  const fetchThenAbort = async (p) => {
    await p.route(BASE + SLOW, () => {}); // never answered
    const failed = p.waitForEvent('requestfailed');
    await p.evaluate((slow) => {
      const controller = new AbortController();
      fetch(slow, { signal: controller.signal }).catch(() => {});
      setTimeout(() => controller.abort(), 100);
    }, SLOW);
    await failed;
  };
  cases.push(['a request aborted while its page is shown', page('<p>x</p>'), { guardOnly: true, setup: fetchThenAbort }, /request failed: GET .*__browser-suite-slow__ \(net::ERR_ABORTED\)/]);
  it('pass a page whose request is cut off by leaving it', async () => {
    const leave = async (p) => {
      await p.route(BASE + SLOW, () => {});
      const started = p.waitForEvent('request', (r) => r.url().endsWith(SLOW));
      await p.evaluate((slow) => { fetch(slow).catch(() => {}); }, SLOW);
      await started;
      await open(p, '/');
    };
    assert.equal(await verdict(page('<p>x</p>'), { guardOnly: true, setup: leave }), null);
  });

  for (const [name, html, options, expected] of cases) {
    it(`refuse ${name}`, async () => {
      const error = await verdict(html, options);
      assert.ok(error, `${name} went unnoticed`);
      assert.match(`${error.message}\n${JSON.stringify(error.actual ?? '')}`, expected);
    });
  }
});
