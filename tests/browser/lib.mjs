// Shared pieces of the browser suite: the browser, a guard that fails on console errors,
// page errors and failed requests, the accessibility audit, screenshots, the dev outbox
// and navigation that waits on events (never on fixed sleeps).
//
// Everything about the host goes through BASE_URL (set by scripts/browser.sh: either
// `gatehouse serve` on a free port, or GATEHOUSE_BROWSER_BASE_URL, e.g. `wrangler dev`).
// The host must run in development mode (`/_dev/outbox`).

import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);

export const BASE = (process.env.BASE_URL || 'http://127.0.0.1:1111').replace(/\/+$/, '');
export const ORIGIN = new URL(BASE).origin;
export const SCREENSHOTS = join(root, 'tests', 'artifacts', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A suffix that makes this run's addresses unique, so reruns against a kept store work. */
export const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

export const url = (path) => BASE + path;

/** Path + query of a page's URL (checked to be on the site), for comparisons that must not depend on the host. */
export function pathOf(page) {
  const u = new URL(page.url());
  assert.equal(u.origin, ORIGIN, `left the site: ${page.url()}`);
  return u.pathname + u.search;
}

// ---- The browser.

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Chromium, headless. Playwright gives a non-persistent browser a fresh temporary
 * user-data dir of its own (and removes it at close); every journey opens its own
 * context on top (`browser.newContext`), so no cookies or storage leak between them.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

// ---- The guard: console errors, page errors, failed requests, HTTP errors.

/**
 * Watches a page. `allow(path, status)` declares a deliberate error answer (the 422 of a
 * refused form) before the action that causes it; `check()` throws if anything else went
 * wrong since the last check. Chromium reports an error document as a console error
 * ("Failed to load resource: … status of 422"): that message is allowed with its answer.
 */
export function guard(page) {
  const problems = [];
  const allowed = []; // { path, status, used }

  const isAllowed = (u, status) => {
    const { pathname } = new URL(u);
    const entry = allowed.find((a) => a.path === pathname && a.status === status);
    if (entry) entry.used = true;
    return Boolean(entry);
  };

  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url || '';
    const status = Number(/status of (\d{3})/.exec(msg.text())?.[1]);
    if (where && status && allowed.some((a) => a.path === new URL(where).pathname && a.status === status)) return;
    problems.push(`console error on ${page.url()}: ${msg.text()} ${where}`);
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  // Which document a request was made from: leaving a page aborts what it still had in
  // flight (the live-reload stream, a search index fetched on focus), and that is the page
  // going away, not a failed request. An abort while its document is still shown counts.
  let documents = 0;
  const madeIn = new WeakMap();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) documents += 1;
  });
  page.on('close', () => {
    documents += 1;
  });
  page.on('request', (request) => madeIn.set(request, documents));
  // Aborts are judged at check time: Chromium cancels a page's requests before it reports
  // the navigation that caused it.
  const aborted = []; // { request, document }
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'unknown';
    // The live-reload stream never ends on its own: only leaving can cut it.
    if (request.resourceType() === 'eventsource' && reason === 'net::ERR_ABORTED') return;
    if (reason === 'net::ERR_ABORTED' && !request.isNavigationRequest() && madeIn.has(request)) {
      aborted.push({ request, document: madeIn.get(request) });
      return;
    }
    problems.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
  });
  const abortsWhileShown = () =>
    aborted
      .splice(0)
      .filter(({ document }) => document === documents)
      .map(({ request }) => `request failed: ${request.method()} ${request.url()} (net::ERR_ABORTED)`);
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      page.documentHeaders = response.headers(); // for auditing a copy (see auditCopy)
    }
    const status = response.status();
    if (status < 400) return;
    if (isAllowed(response.url(), status)) return;
    problems.push(`HTTP ${status} for ${response.request().method()} ${response.url()}`);
  });

  return {
    /** Declares that `path` will deliberately answer `status` (once or more). */
    allow(path, status) {
      allowed.push({ path, status, used: false });
    },
    check() {
      const found = [...problems.splice(0), ...abortsWhileShown()];
      const unused = allowed.filter((a) => !a.used).map((a) => `${a.status} ${a.path}`);
      allowed.length = 0;
      assert.deepEqual(found, [], `the browser reported problems:\n${found.join('\n')}`);
      assert.deepEqual(unused, [], 'a deliberate error answer did not happen');
    },
  };
}

// ---- Navigation that waits on events.

/**
 * Runs `action` (a click, a submit, a goto) and waits for the document it leads to: the
 * final answer of the main frame (after any redirects) and that document's load event.
 * Returns the answer (its status is the one a person's browser got).
 */
export async function navigate(page, action) {
  // The requests still open if the wait times out, named in its error: a load event
  // that never comes is a subresource that never finished.
  const open = new Set();
  const started = (request) => open.add(request);
  const ended = (request) => open.delete(request);
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  try {
    const answer = page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
    );
    const loaded = page.waitForEvent('load');
    await action();
    const [response] = await Promise.all([answer, loaded]);
    return response;
  } catch (error) {
    if (open.size > 0) {
      error.message += `\nrequests not finished: ${[...open].map((r) => `${r.method()} ${r.url()}`).join(', ')}`;
    }
    throw error;
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
}

export async function open(page, path) {
  return navigate(page, () => page.goto(url(path), { waitUntil: 'commit' }));
}

// ---- Accessibility.

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Every page visited is audited: axe-core (violations of impact serious or critical fail),
 * plus our own checks: every input has a label, exactly one h1, `lang` is set, every image
 * has `alt`, and keyboard focus is visible on every stop reached with Tab.
 *
 * About the CSP: the site sends `script-src 'self'`, which blocks `page.addScriptTag()`
 * (it inserts an inline <script>). Rather than `bypassCSP: true` on the context — which
 * would also hide the site's own CSP violations from the guard — axe is injected with
 * `page.evaluate()`: DevTools-protocol evaluation is not subject to the page's CSP, so
 * the policy stays in force for everything the site itself does.
 */
export async function audit(page, options = {}) {
  if (options.javaScript === false) return auditCopy(page, { ...options, javaScript: true });
  const { tabStops = 40 } = options;
  const where = page.url();
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`),
      })),
    ),
  );
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`),
    [],
    `axe violations on ${where}`,
  );

  const facts = await page.evaluate(() => {
    const labelled = (el) =>
      (el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim() !== '')) ||
      (el.getAttribute('aria-label') || '').trim() !== '' ||
      (el.getAttribute('aria-labelledby') || '')
        .split(/\s+/)
        .some((id) => id && document.getElementById(id)?.textContent.trim());
    const fields = [...document.querySelectorAll('input, select, textarea')].filter(
      (el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type),
    );
    return {
      lang: document.documentElement.getAttribute('lang') || '',
      h1: document.querySelectorAll('h1').length,
      unlabelled: fields.filter((el) => !labelled(el)).map((el) => el.outerHTML),
      noAlt: [...document.querySelectorAll('img')].filter((img) => !img.hasAttribute('alt')).map((img) => img.outerHTML),
    };
  });
  assert.ok(facts.lang.trim() !== '', `no lang on <html> at ${where}`);
  assert.equal(facts.h1, 1, `expected exactly one h1 at ${where}`);
  assert.deepEqual(facts.unlabelled, [], `inputs without a label at ${where}`);
  assert.deepEqual(facts.noAlt, [], `images without alt at ${where}`);

  await focusIsVisible(page, tabStops);
}

/**
 * Tabs through the page (at most `limit` stops, or once round) and checks that each
 * focused element shows a focus indicator — an outline or a box-shadow on it, or on the
 * ancestor that draws it (`:focus-within`) — and ends up on screen (the theme scrolls
 * smoothly, so this waits for the scroll to settle, frame by frame).
 */
async function focusIsVisible(page, limit) {
  const where = page.url();
  // Tab onwards from wherever focus is (the top of a freshly loaded page, or the field a
  // refused form focused), round the page once: Chromium passes through the document
  // itself between the last and the first stop.
  let passedDocument = 0;
  const seen = [];
  const kinds = new Set();
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(async () => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const onScreen = () => {
        const rect = el.getBoundingClientRect();
        return rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 &&
          rect.top < window.innerHeight && rect.left < window.innerWidth;
      };
      for (let frame = 0; frame < 90 && !onScreen(); frame++) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      const indicator = (node) => {
        const style = getComputedStyle(node);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        const shadow = Boolean(style.boxShadow) && style.boxShadow !== 'none';
        return outline || shadow ? `outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow}` : '';
      };
      let drawn = indicator(el);
      for (let node = el.parentElement; !drawn && node && node !== document.body; node = node.parentElement) {
        if (node.matches(':focus-within')) drawn = indicator(node);
      }
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${
        el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''
      } "${(el.textContent || el.getAttribute('aria-label') || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
      return {
        name,
        kind: el.tagName.toLowerCase() === 'input' ? `input:${el.type}` : el.tagName.toLowerCase(),
        visible: drawn !== '',
        onScreen: onScreen(),
      };
    });
    if (!stop) {
      if (++passedDocument > 1) break;
      continue;
    }
    if (seen.includes(stop.name)) break;
    seen.push(stop.name);
    kinds.add(stop.kind);
    assert.ok(stop.visible, `no visible focus indicator on ${stop.name} at ${where}`);
    assert.ok(stop.onScreen, `focused element is off screen: ${stop.name} at ${where}`);
  }
  assert.ok(seen.length > 0, `Tab reaches nothing at ${where}`);
  assert.ok(kinds.has('a'), `Tab reaches no link at ${where}`);
}

/**
 * Without JavaScript, the page cannot run axe (nor any timer or animation frame the
 * audit waits on). So the page is audited as a copy: its DOM, as the reader without
 * JavaScript has it, is served at the same URL to a page with JavaScript on and the
 * site's scripts stubbed out (they never ran for this reader); styles and images load
 * from the site as usual, with the same viewport and colour scheme.
 */
async function auditCopy(page, options) {
  const html = await page.content();
  const at = page.url();
  let copy = page.auditorCopy;
  if (!copy) {
    const context = await page.context().browser().newContext({
      viewport: page.viewportSize(),
      colorScheme: options.colorScheme ?? 'light',
    });
    const current = { url: '', html: '', headers: {} };
    await context.route('**/*', (route) => {
      const request = route.request();
      if (request.isNavigationRequest() && request.url() === current.url) {
        // With the page's own CSP, if it had one: what it blocks stays blocked.
        const csp = current.headers['content-security-policy'];
        return route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: csp ? { 'content-security-policy': csp } : {},
          body: current.html,
        });
      }
      if (['script', 'eventsource'].includes(request.resourceType())) {
        return route.fulfill({ status: 200, contentType: 'text/javascript', body: '' });
      }
      return route.continue();
    });
    copy = { context, page: await context.newPage(), current };
    page.auditorCopy = copy;
    page.once('close', () => copy.context.close().catch(() => {}));
  }
  copy.current.url = at;
  copy.current.html = html;
  copy.current.headers = page.documentHeaders ?? {};
  await copy.page.goto(at);
  try {
    await audit(copy.page, options);
  } catch (error) {
    error.message = `(audited without JavaScript) ${error.message}`;
    throw error;
  }
}

// ---- Screenshots.

export async function screenshot(page, name, { keepFocus = false } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { width, height } = page.viewportSize();
  const file = join(SCREENSHOTS, `${name}-${width}x${height}.png`);
  // No caret or focus ring from the audit in the picture (unless the focus is the point:
  // search results close when the search box loses it).
  if (!keepFocus) {
    await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
  }
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---- The development outbox, read in the browser as a person reads a mailbox.

/**
 * Opens the outbox page for `to`, finds the newest mail whose subject matches `subject`,
 * checks that its link points at this site, and follows it. Returns the answer.
 */
export async function followMailedLink(page, to, subject, linkPath) {
  await open(page, `/_dev/outbox?to=${encodeURIComponent(to)}`);
  const mail = page.locator('article').filter({ has: page.getByRole('heading', { name: subject }) }).first();
  await mail.waitFor();
  const link = mail.getByRole('link', { name: new RegExp(escapeRe(linkPath)) }).first();
  const href = await link.getAttribute('href');
  assert.ok(href, `no link to ${linkPath} in the mail "${subject}"`);
  const target = new URL(href, BASE);
  assert.equal(target.origin, ORIGIN, `the mail links to ${target.origin}, not to the site that sent it (${ORIGIN})`);
  assert.equal(target.pathname, linkPath);
  return { link, href: target };
}

export const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Steps of one journey share a page; once a step fails, the later ones are skipped (they
 * would only fail for the same reason). `setup` (launching the browser, opening the
 * context) runs inside the first step rather than in a `before` hook: a failing hook
 * would only cancel the tests, and cancelled tests are not counted as failed. Each step
 * ends with the guard's check and checks that every document loaded during it was audited.
 */
export function stepper(state, it, setup) {
  let broken = false;
  let ready = null;
  return (name, fn) =>
    it(name, async (t) => {
      if (broken) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        ready ??= setup();
        await ready;
        await fn(t);
        for (const g of state.guards) g.check();
        const missed = state.loaded.filter((u) => !state.audited.has(u));
        state.loaded.length = 0;
        assert.deepEqual(missed, [], 'pages loaded but not audited');
      } catch (error) {
        broken = true;
        throw error;
      }
    });
}

/**
 * A page in `context` with the guard on and load tracking for the audit bookkeeping.
 * `audit` on this page also records the URL as audited.
 */
export async function trackedPage(context, state, { viewport, javaScript = true, colorScheme = 'light' } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const g = guard(page);
  state.guards.push(g);
  const withoutHash = () => page.url().replace(/#.*$/, '');
  page.on('load', () => state.loaded.push(withoutHash()));
  page.audit = async (opts) => {
    await audit(page, { javaScript, colorScheme, ...opts });
    state.audited.add(withoutHash());
  };
  page.guard = g;
  return page;
}

export function newState() {
  return { guards: [], loaded: [], audited: new Set() };
}

let shared = null;

/** This file's one Chromium, launched on first use; `closeBrowser` (in `after`) ends it. */
export function browser() {
  shared ??= launch();
  return shared;
}

export async function closeBrowser() {
  const launched = shared;
  shared = null;
  await (await launched)?.close();
}

/**
 * The set-up a suite of steps on one page shares: its state, a context of this file's
 * browser with `options` (colorScheme, javaScript, permissions; desktop-sized), a
 * tracked page in it, both handed to `bind` once made (inside the first step, as
 * `stepper` wants), and the context closed after the suite. Returns `{ state, step }`.
 */
export function pageSuite(it, after, options, bind) {
  const { colorScheme = 'light', javaScript = true, permissions = [] } = options;
  const state = newState();
  let context = null;
  const step = stepper(state, it, async () => {
    context = await (await browser()).browser.newContext({
      viewport: DESKTOP,
      ...(colorScheme === 'light' ? {} : { colorScheme }),
      ...(javaScript ? {} : { javaScriptEnabled: false }),
    });
    if (permissions.length > 0) await context.grantPermissions(permissions);
    const page = await trackedPage(context, state, {
      ...(javaScript ? {} : { javaScript: false }),
      ...(colorScheme === 'light' ? {} : { colorScheme }),
    });
    bind(context, page);
  });
  after(async () => {
    await context?.close();
  });
  return { state, step };
}
