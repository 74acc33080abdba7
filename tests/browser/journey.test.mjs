// The reader's journey in a real browser: from the docs' "Accessing a Konnect Cloud
// Account" page through registration, email verification, sign-in, the 30-day Plus
// trial, a plan choice, sign-out, and a forgotten password. Once with JavaScript, once
// without (plain HTML posts; the server fills the pages).
//
//   BASE_URL=http://127.0.0.1:1111 node --test tests/browser/   (or: bash scripts/browser.sh)

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, RUN, launch, navigate, newState, open, pathOf, screenshot, stepper,
  followMailedLink, trackedPage,
} from './lib.mjs';

const SEED = '/konnect/legacy/access-account/';
const PASSWORD = 'Browser-pass1';
const NEW_PASSWORD = 'Renewed-pass2';
const WEAK = 'alllowercase'; // 12 characters, one class: fails `classes` only
const GENERIC = 'The email address or password is incorrect.';

let chrome = null;
const browser = async () => (chrome ??= launch()).then((c) => c.browser);
after(async () => {
  await (await chrome)?.close();
});

for (const js of [true, false]) {
  describe(`the reader's journey, JavaScript ${js ? 'on' : 'off'}`, { concurrency: false }, () => {
    const state = newState();
    const who = {
      email: `reader-${js ? 'js' : 'nojs'}-${RUN}@example.test`,
      first: 'Ada "A." <b>',
      last: 'Lovelace',
      org: 'Engines & Sons',
    };
    let context;
    let page;

    const step = stepper(state, it, async () => {
      context = await (await browser()).newContext({
        javaScriptEnabled: js,
        viewport: DESKTOP,
        // Without JavaScript, audit the dark colour scheme too (contrast in both themes).
        colorScheme: js ? 'light' : 'dark',
      });
      page = await trackedPage(context, state, { javaScript: js, colorScheme: js ? 'light' : 'dark' });
    });
    after(async () => {
      await context?.close();
    });

    const field = (label) => page.getByLabel(label, { exact: true });
    const shot = (name) => (js ? screenshot(page, name) : null);

    /** The same state again in a phone-sized page of this context, for its screenshot. */
    async function phone(name, produce) {
      if (!js) return;
      const small = await trackedPage(context, state, { viewport: PHONE });
      try {
        await produce(small);
        await screenshot(small, name);
        await small.audit();
      } finally {
        await small.close();
      }
    }

    async function fillRegistration(p, password, email = who.email) {
      const f = (label) => p.getByLabel(label, { exact: true });
      await f('Email address').fill(email);
      await f('First name').fill(who.first);
      await f('Last name').fill(who.last);
      await f('Organization').fill(who.org);
      await f('Password').fill(password);
    }

    async function signIn(password, { status = 200 } = {}) {
      if (status === 422) page.guard.allow('/api/sign-in', 422);
      await field('Email address').fill(who.email);
      await field('Password').fill(password);
      const answer = await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
      assert.equal(answer.status(), status);
      return answer;
    }

    step('opens the seed page and follows its registration link', async () => {
      const answer = await open(page, SEED);
      assert.equal(answer.status(), 200);
      await page.audit();
      // Search needs the script; without it the box is not offered at all.
      assert.equal(await page.getByRole('searchbox', { name: 'Search the docs' }).isVisible(), js);
      const link = page.getByRole('main').getByRole('link', { name: /registration page/i });
      await navigate(page, () => link.click());
      assert.equal(pathOf(page), '/register/');
      await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
      // The account pages are not in the sidebar: none beside the form, and no search.
      assert.ok(await page.getByRole('navigation', { name: 'Documentation' }).isHidden());
      assert.equal(await page.getByRole('searchbox').count(), 0);
      await page.audit();
    });

    step('shows the password rule, reacting as the reader types', async () => {
      const rule = (name) => page.locator(`[data-password-hint] [data-rule="${name}"]`);
      await page.locator('[data-password-hint]').getByText('Your password needs:').waitFor();
      for (const name of ['length', 'classes', 'max-length', 'not-email']) {
        assert.equal(await rule(name).getAttribute('data-state'), null, `${name} is neutral before typing`);
      }
      await fillRegistration(page, '');
      if (!js) {
        // No script: the rule is plain text, nothing to react.
        await field('Password').fill(WEAK);
        assert.equal(await rule('length').getAttribute('data-state'), null);
        assert.equal(await page.getByLabel('Show password').count(), 0);
        return;
      }
      const password = field('Password');
      await password.pressSequentially('short');
      assert.equal(await rule('length').getAttribute('data-state'), 'unmet');
      assert.equal(await rule('classes').getAttribute('data-state'), 'unmet');
      assert.match(await rule('length').textContent(), /\(not yet\)/);
      await password.fill('');
      await password.pressSequentially(WEAK);
      assert.equal(await rule('length').getAttribute('data-state'), 'met');
      assert.match(await rule('length').textContent(), /\(done\)/);
      assert.equal(await rule('classes').getAttribute('data-state'), 'unmet');
      assert.equal(await rule('max-length').getAttribute('data-state'), 'met');
      assert.equal(await rule('not-email').getAttribute('data-state'), 'met');
      // The part of the address before the @ is refused too.
      await password.fill(`X${who.email.split('@')[0]}`);
      assert.equal(await rule('not-email').getAttribute('data-state'), 'unmet');
      await password.fill(PASSWORD);
      for (const name of ['length', 'classes', 'max-length', 'not-email']) {
        assert.equal(await rule(name).getAttribute('data-state'), 'met', `${name} met by a good password`);
      }
      // The list of common passwords, fetched on the first keystroke, marks one of them.
      await rule('not-common').and(page.locator('[data-state="met"]')).waitFor();
      await password.fill('pASSWORD1');
      await rule('not-common').and(page.locator('[data-state="unmet"]')).waitFor();
      await password.fill(WEAK);
    });

    step('refuses a weak password beside the field, keeping what was typed', async () => {
      page.guard.allow('/api/register', 422);
      const answer = await navigate(page, () =>
        page.getByRole('button', { name: 'Create account', exact: true }).click(),
      );
      assert.equal(answer.status(), 422);
      const password = field('Password');
      const error = page.locator('#password-error');
      await error.waitFor({ state: 'visible' });
      assert.equal(
        (await error.textContent()).trim(),
        'Use at least two of: a lowercase letter, an uppercase letter, a special character.',
      );
      assert.equal(await password.getAttribute('aria-invalid'), 'true');
      assert.ok((await password.getAttribute('aria-describedby')).split(/\s+/).includes('password-error'));
      // Next to the field: just below it, in the same column.
      // Both measured at once: forms.js focuses the field, which may scroll the page.
      const [box, messageBox] = await page.evaluate(() =>
        ['password', 'password-error'].map((id) => {
          const { x, y, width, height } = document.getElementById(id).getBoundingClientRect();
          return { x, y, width, height };
        }),
      );
      assert.ok(messageBox.y >= box.y + box.height - 1 && messageBox.y - (box.y + box.height) < 48,
        `the message is not right under the field: ${JSON.stringify({ box, messageBox })}`);
      assert.ok(Math.abs(messageBox.x - box.x) < 24, 'the message is not aligned with the field');
      assert.equal(await field('Email address').inputValue(), who.email);
      assert.equal(await field('First name').inputValue(), who.first);
      assert.equal(await field('Last name').inputValue(), who.last);
      assert.equal(await field('Organization').inputValue(), who.org);
      assert.equal(await password.inputValue(), '', 'the password is never sent back');
      if (js) {
        // forms.js puts the keyboard on the refused field.
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
      }
      await shot('register-error');
      await page.audit();
      await phone('register-error', async (p) => {
        await open(p, '/register/');
        await fillRegistration(p, WEAK, `phone-${who.email}`);
        p.guard.allow('/api/register', 422);
        const res = await navigate(p, () => p.getByRole('button', { name: 'Create account', exact: true }).click());
        assert.equal(res.status(), 422);
        await p.locator('#password-error').waitFor({ state: 'visible' });
      });
    });

    step('accepts a good password and asks to check the email', async () => {
      await field('Password').fill(PASSWORD);
      const answer = await navigate(page, () =>
        page.getByRole('button', { name: 'Create account', exact: true }).click(),
      );
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/register/check-email/');
      await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
      await page.audit();
    });

    step('follows the link in the verification email to the confirm page', async () => {
      const { link, href } = await followMailedLink(page, who.email, /^Verify your email address/, '/api/verify');
      await page.audit();
      const answer = await navigate(page, () => link.click());
      assert.equal(answer.status(), 200);
      const token = href.searchParams.get('token');
      assert.equal(pathOf(page), `/register/confirm/?token=${token}`);
      await page.getByRole('heading', { level: 1, name: 'Confirm your email address' }).waitFor();
      assert.equal(await field('Email address').inputValue(), who.email);
      assert.equal(await page.locator('input[name="token"]').inputValue(), token);
      assert.ok(await page.locator('[data-token-missing]').isHidden());
      await shot('confirm');
      await page.audit();
    });

    step('refuses a password that is not the one chosen, keeping the link', async () => {
      page.guard.allow('/api/verify', 422);
      await field('Password').fill('Not-the-one-9');
      const answer = await navigate(page, () =>
        page.getByRole('button', { name: 'Confirm and sign in', exact: true }).click(),
      );
      assert.equal(answer.status(), 422);
      const message = page.locator('[data-form-message]');
      await message.waitFor({ state: 'visible' });
      assert.match(await message.textContent(), /not the password/);
      assert.equal(await field('Email address').inputValue(), who.email);
      assert.notEqual(await page.locator('input[name="token"]').inputValue(), '');
      assert.equal(await field('Password').inputValue(), '');
      await page.audit();
    });

    step('confirms with the password chosen, signed in on a 30-day Plus trial', async () => {
      await field('Password').fill(PASSWORD);
      const answer = await navigate(page, () =>
        page.getByRole('button', { name: 'Confirm and sign in', exact: true }).click(),
      );
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/account/');
      const value = (name) => page.locator(`[data-account-field="${name}"]`);
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      assert.equal((await value('email').textContent()).trim(), who.email);
      assert.equal((await value('first_name').textContent()).trim(), who.first);
      assert.equal((await value('organization').textContent()).trim(), who.org);
      assert.equal((await value('plan').textContent()).trim(), 'Plus trial');
      assert.equal((await value('days_left').textContent()).trim(), '30');
      assert.ok(await value('days_left').isVisible());
      assert.notEqual((await value('trial_ends_at').textContent()).trim(), '—');
      assert.ok(await page.locator('[data-plan-state="trial"]').isVisible());
      assert.ok(await page.locator('[data-plan-state="free"]').isHidden());
      assert.ok(await page.locator('[data-plan-state="plus"]').isHidden());
      // Signed in: the header offers neither "Sign in" nor "Create account".
      assert.equal(await page.getByRole('banner').getByRole('link', { name: /^(Sign in|Create account)$/ }).count(), 0);
      await shot('account');
      await page.audit();
      await phone('account', (p) => open(p, '/account/'));
    });

    step('chooses to keep Plus after the trial', async () => {
      const answer = await navigate(page, () =>
        page.getByRole('button', { name: 'Keep Plus after the trial' }).click(),
      );
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), '/account/');
      // The choice shows: still on the trial today, Plus once it ends.
      assert.equal((await page.locator('[data-account-field="plan"]').textContent()).trim(), 'Plus trial');
      const after = page.locator('[data-account-field="plan_after_trial"]');
      assert.ok(await after.isVisible(), 'the page shows what happens after the trial');
      assert.equal((await after.textContent()).trim(), 'Plus');
      await page.audit();
    });

    step('signs out', async () => {
      await navigate(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click());
      assert.equal(pathOf(page), '/sign-in/?signed_out=1');
      await page.locator('[data-notice="signed-out"]').getByText('You have been signed out.').waitFor();
      await page.audit();
      // The account page now sends the reader to sign in.
      await open(page, '/account/');
      assert.equal(pathOf(page), '/sign-in/');
      await page.audit();
    });

    step('asks for a new password with "Forgot your password?" and "Recover Password"', async () => {
      await navigate(page, () => page.getByRole('link', { name: 'Forgot your password?', exact: true }).click());
      assert.equal(pathOf(page), '/forgot-password/');
      await page.audit();
      await field('Email address').fill(who.email);
      await navigate(page, () => page.getByRole('button', { name: 'Recover Password', exact: true }).click());
      assert.equal(pathOf(page), '/forgot-password/sent/');
      await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
      await page.audit();
    });

    step('follows the reset link and sets a new password', async () => {
      const { link, href } = await followMailedLink(page, who.email, /^Reset your .* password/, '/reset-password/');
      await page.audit();
      const answer = await navigate(page, () => link.click());
      assert.equal(answer.status(), 200);
      assert.equal(pathOf(page), href.pathname + href.search);
      assert.equal(await page.locator('input[name="token"]').inputValue(), href.searchParams.get('token'));
      assert.ok(await page.locator('[data-token-missing]').isHidden());
      await page.audit();
      await field('New password').fill(NEW_PASSWORD);
      await navigate(page, () => page.getByRole('button', { name: 'Save the new password' }).click());
      assert.equal(pathOf(page), '/sign-in/?reset=1');
      await page.locator('[data-notice="reset"]').getByText('Your password has been changed').waitFor();
      await page.audit();
    });

    step('refuses the old password with the generic message', async () => {
      await signIn(PASSWORD, { status: 422 });
      const message = page.locator('[data-form-message]');
      await message.waitFor({ state: 'visible' });
      assert.equal((await message.textContent()).trim(), GENERIC);
      assert.equal(await field('Email address').inputValue(), who.email);
      await page.audit();
    });

    step('signs in with the new password', async () => {
      await signIn(NEW_PASSWORD);
      assert.equal(pathOf(page), '/account/');
      assert.equal((await page.locator('[data-account-field="email"]').textContent()).trim(), who.email);
      await page.audit();
      await navigate(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click());
      assert.equal(pathOf(page), '/sign-in/?signed_out=1');
      await page.audit();
    });
  });
}
