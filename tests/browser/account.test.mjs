// Account self-service in a real browser (issue 13): edit the profile and delete the
// account from /account/, once with JavaScript and once without (plain HTML posts); the
// account page, the pages around it and the refused forms are audited with axe.
//
//   BASE_URL=http://127.0.0.1:1111 node --test tests/browser/   (or: bash scripts/browser.sh)

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, RUN, launch, navigate, newState, open, pathOf, stepper, trackedPage } from './lib.mjs';

const PASSWORD = 'Settings-pass1';

let chrome = null;
const browser = async () => (chrome ??= launch()).then((c) => c.browser);
after(async () => {
  await (await chrome)?.close();
});

/** Registers `email` over HTTP and returns the confirm page's path from the mailed link. */
async function registered(email) {
  const res = await fetch(`${BASE}/api/register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      email, first_name: 'Mary', last_name: 'Somerville', organization: 'Orrery', password: PASSWORD,
    }).toString(),
  });
  assert.equal(res.status, 303);
  for (let i = 0; i < 200; i += 1) {
    const mails = await (await fetch(`${BASE}/_dev/outbox?to=${encodeURIComponent(email)}`, {
      headers: { accept: 'application/json' },
    })).json();
    for (const mail of mails) {
      const link = mail.links.map((l) => new URL(l)).find((u) => u.pathname === '/api/verify');
      if (link) return `/register/confirm/${link.search}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no verification mail for ${email}`);
}

for (const js of [true, false]) {
  describe(`account self-service, JavaScript ${js ? 'on' : 'off'}`, { concurrency: false }, () => {
    const state = newState();
    const email = `settings-${js ? 'js' : 'nojs'}-${RUN}@example.test`;
    let context;
    let page;

    const step = stepper(state, it, async () => {
      context = await (await browser()).newContext({ javaScriptEnabled: js, viewport: DESKTOP });
      page = await trackedPage(context, state, { javaScript: js });
    });
    after(async () => {
      await context?.close();
    });

    const form = (action) => page.locator(`form[action="${action}"]`);

    step('signs up and reaches the account page', async () => {
      const confirm = await registered(email);
      await open(page, confirm);
      await page.audit();
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      const answer = await navigate(page, () => page.getByRole('button', { name: 'Confirm and sign in' }).click());
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/account/');
      await page.audit();
      for (const name of ['Edit your profile', 'Change your password', 'Change your email address', 'Sessions', 'Your data', 'Delete your account']) {
        await page.getByRole('heading', { level: 2, name }).waitFor();
      }
      // Password managers: the current and the new password are told apart.
      assert.equal(await form('/api/account/password').locator('input[name="current_password"]').getAttribute('autocomplete'), 'current-password');
      assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('autocomplete'), 'new-password');
      assert.ok(await page.getByRole('link', { name: 'Manage your account' }).isVisible());
    });

    step('refuses an empty first name with the typed values kept', async () => {
      page.guard.allow('/api/account/profile', 422);
      // Blanks pass the browser's `required` check; the server trims them and refuses.
      await page.getByLabel('First name', { exact: true }).fill('   ');
      await page.getByLabel('Organization', { exact: true }).fill('Kept Ltd');
      const answer = await navigate(page, () => page.getByRole('button', { name: 'Save profile' }).click());
      assert.equal(answer.status(), 422);
      assert.equal(await page.getByLabel('Organization', { exact: true }).inputValue(), 'Kept Ltd');
      assert.equal(await page.getByLabel('First name', { exact: true }).getAttribute('aria-invalid'), 'true');
      await page.audit();
    });

    step('edits the profile', async () => {
      await page.getByLabel('First name', { exact: true }).fill('Ada');
      await page.getByLabel('Last name', { exact: true }).fill('Byron');
      await page.getByLabel('Organization', { exact: true }).fill('Analytical');
      const answer = await navigate(page, () => page.getByRole('button', { name: 'Save profile' }).click());
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/account/?saved=1');
      await page.getByText('Your profile was saved.').waitFor();
      assert.equal(await page.locator('[data-account-field="last_name"]').textContent(), 'Byron');
      assert.equal(await page.getByLabel('Organization', { exact: true }).inputValue(), 'Analytical');
      await page.audit();
    });

    step('deletes the account and signs out', async () => {
      const del = form('/api/account/delete');
      await del.getByLabel('Your email address', { exact: true }).fill(email);
      await del.getByLabel('Current password', { exact: true }).fill(PASSWORD);
      const answer = await navigate(page, () => del.getByRole('button', { name: 'Delete my account' }).click());
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/sign-in/?deleted=1');
      await page.getByText('Your account and everything stored with it have been deleted.').waitFor();
      await page.audit();
      await open(page, '/account/');
      assert.equal(pathOf(page), '/sign-in/');
      await page.audit();
    });
  });
}
