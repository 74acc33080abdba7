// The seed page as each reader sees it (issue 23), reached through the real flows: signed
// out, registered but not verified, in the trial, and after it (the development clock).
// With JavaScript in light mode and without it in dark mode; every page audited. With
// JavaScript, one step strips the cookies from the page's own request, so the host sends
// the static page and reader.js fills it in from /api/account (the way a page cached or
// hosted elsewhere is filled in).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, closeBrowser, followMailedLink, navigate, open, pageSuite, pathOf } from './lib.mjs';

const SEED = '/konnect/legacy/access-account/';
const PASSWORD = 'Reader-pass1';
const HOSTILE = '<img src=x onerror=alert(1)>';

after(closeBrowser);

for (const options of [{ javaScript: true, colorScheme: 'light' }, { javaScript: false, colorScheme: 'dark' }]) {
  const js = options.javaScript;
  const mode = `${js ? 'with' : 'without'} JavaScript, ${options.colorScheme}`;
  describe(`the seed page knows its reader, ${mode}`, { concurrency: false }, () => {
    const email = `reader-${js ? 'js' : 'nojs'}-${RUN}@example.test`;
    let page;
    const { step } = pageSuite(it, after, options, (_, p) => {
      page = p;
    });
    after(async () => {
      await fetch(`${BASE}/_dev/clock`, { method: 'POST', body: new URLSearchParams({ reset: '1' }) }).catch(() => {});
    });

    const visible = (text) => page.getByText(text).first().isVisible();
    const mark = (label) => page.locator('.checklist-step').filter({ hasText: label }).first();

    step('signed out: the signed-out version, no marks, no reader blocks, nothing asked', async () => {
      const asked = [];
      const onRequest = (r) => new URL(r.url()).pathname === '/api/account' && asked.push(r.url());
      page.on('request', onRequest);
      await open(page, SEED);
      await page.audit();
      page.off('request', onRequest);
      assert.deepEqual(asked, [], 'no cookie, no request');
      assert.equal(await visible('Check your inbox.'), false);
      assert.equal(await visible('Plus trial is running'), false);
      assert.equal(await page.locator('.checklist-step:visible').count(), 0);
    });

    step('registered through the form in the page: a mistake comes back to the page, then this browser sees its next step', async () => {
      const form = page.locator('[data-embedded-form="register"]');
      assert.ok(await form.isVisible(), 'the signed-out version holds the form');
      const f = (label) => form.getByLabel(label, { exact: true });
      await f('Email address').fill(email);
      await f('First name').fill('Grace');
      await f('Last name').fill('Hopper');
      await f('Organization').fill(HOSTILE);
      await f('Password').fill('weak');
      page.guard.allow('/api/register', 422);
      const refused = await navigate(page, () => form.getByRole('button', { name: 'Create account', exact: true }).click());
      assert.equal(refused.status(), 422);
      assert.equal(pathOf(page), '/api/register');
      await page.getByRole('heading', { level: 1, name: 'Accessing a Kong Konnect Cloud Account' }).waitFor();
      await page.audit();
      assert.equal(await f('Password').getAttribute('aria-invalid'), 'true');
      assert.equal(await f('Email address').inputValue(), email, 'what was typed is kept');
      await f('Password').fill(PASSWORD);
      await navigate(page, () => form.getByRole('button', { name: 'Create account', exact: true }).click());
      assert.equal(pathOf(page), '/register/check-email/');
      await page.audit();
      await open(page, SEED);
      await page.audit();
      assert.ok(await visible('Check your inbox.'));
      assert.ok(await mark('Account created').isVisible(), '✓ Account created');
      assert.equal(await page.locator('.checklist-next:visible').count(), 1);
      assert.equal(
        await page.locator('[data-reader-step="verified"] .checklist-next').isVisible(),
        true,
        'verifying is the next step',
      );
    });

    step('verified and signed in: the trial, in the reader\'s own words, every step done', async () => {
      const { link } = await followMailedLink(page, email, /^Verify your email address/, '/api/verify');
      await page.audit();
      await navigate(page, () => link.click());
      await page.audit();
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigate(page, () => page.getByRole('button', { name: 'Confirm and sign in', exact: true }).click());
      assert.equal(pathOf(page), '/account/');
      await page.audit();
      await open(page, SEED);
      await page.audit();
      const trial = page.locator('[data-reader-when="trial"]');
      assert.ok(await trial.isVisible());
      assert.match(await trial.textContent(), /30 days left/);
      assert.equal(await trial.locator('[data-reader="organization"]').textContent(), HOSTILE, 'shown as text');
      assert.equal(await page.locator('img[src="x"]').count(), 0, 'never as markup');
      assert.equal(await visible('Check your inbox.'), false);
      for (const label of ['Account created', 'Email verified', 'Signed in']) {
        assert.ok(await mark(label).isVisible(), `✓ ${label}`);
      }
      assert.equal(await page.locator('.checklist-next:visible').count(), 0);
      const account = page.getByRole('navigation', { name: 'Account' });
      // With JavaScript the header knows the reader from the hint cookie; without, it
      // keeps its links (the page itself was filled in by the host).
      assert.equal(await account.getByRole('link', { name: 'Your account' }).isVisible(), js);
      assert.equal(await account.getByRole('link', { name: 'Sign in' }).isVisible(), !js);
    });

    if (js) {
      step('the static page, filled in by reader.js from /api/account', async () => {
        // The page as a request without cookies gets it (a cache, another host).
        await page.route(`${BASE}${SEED}`, async (route) => {
          const res = await fetch(BASE + SEED);
          const headers = Object.fromEntries([...res.headers].filter(([name]) => !['content-length', 'content-encoding'].includes(name)));
          await route.fulfill({ status: res.status, headers, body: await res.text() });
        });
        const account = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/account');
        await open(page, SEED);
        assert.equal((await account).status(), 200);
        await page.unroute(`${BASE}${SEED}`);
        assert.equal(await page.locator('html[data-reader-filled]').count(), 0, 'the host sent the static page');
        const trial = page.locator('[data-reader-when="trial"]');
        await trial.waitFor({ state: 'visible' });
        assert.equal(await trial.locator('[data-reader="organization"]').textContent(), HOSTILE);
        assert.match(await trial.textContent(), /30 days left/);
        await page.locator('html:not(.reader-pending)').waitFor({ state: 'attached' });
        assert.ok(await mark('Email verified').isVisible());
        await page.audit();
      });
    }

    step('after the trial: the trial-ended block', async () => {
      const clock = await fetch(`${BASE}/_dev/clock`, { method: 'POST', body: new URLSearchParams({ advance: String(31 * 86400) }) });
      assert.equal(clock.status, 200);
      await open(page, '/sign-in/');
      await page.audit();
      await page.getByLabel('Email address', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
      await page.audit();
      await open(page, SEED);
      await page.audit();
      assert.ok(await visible('Your trial has ended.'));
      assert.equal(await visible('Plus trial is running'), false);
    });
  });
}
