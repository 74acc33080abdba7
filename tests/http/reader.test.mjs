// Docs pages that know their reader, over HTTP as a browser without JavaScript sees them,
// for every host of the edge core (`gatehouse serve`, the Worker in `wrangler dev`): the
// seed page is static for a signed-out reader, and filled in by the host for a reader the
// request names (the registration hint, a session), never cached. Run with the journey:
//
//   BASE_URL=http://127.0.0.1:1111 node --test tests/http/
//
// The development clock is moved forward (a trial that ended) and reset at the end.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const BASE = process.env.BASE_URL || 'http://127.0.0.1:1111';
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const PAGE = '/konnect/legacy/access-account/';
const PASSWORD = 'Reader-pass1';
const HOSTILE = '<img src=x onerror=alert(1)>';
const IP = '127.0.0.6';

async function request(method, path, { fields, cookies = [], accept } = {}) {
  const headers = { 'cf-connecting-ip': IP };
  if (cookies.length) headers.cookie = cookies.join('; ');
  if (accept) headers.accept = accept;
  let body;
  if (fields) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(fields).toString();
  }
  const res = await fetch(BASE + path, { method, headers, body, redirect: 'manual' });
  const set = res.headers.getSetCookie();
  return {
    status: res.status,
    headers: res.headers,
    text: await res.text(),
    cookie: (name) => {
      const line = set.find((c) => c.startsWith(`${name}=`));
      return line ? line.split(';')[0] : null;
    },
    setCookies: set,
  };
}

const get = (path, cookies) => request('GET', path, { cookies });
const post = (path, fields, cookies) => request('POST', path, { fields, cookies });

async function mailedToken(to, pathname) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await request('GET', `/_dev/outbox?to=${encodeURIComponent(to)}`, { accept: 'application/json' });
    for (const mail of JSON.parse(res.text)) {
      for (const link of mail.links) {
        const url = new URL(link);
        if (url.pathname === pathname && url.searchParams.get('token')) return url.searchParams.get('token');
      }
    }
    assert.ok(Date.now() < deadline, `no ${pathname} link mailed to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The block for `state` as the page has it: absent, hidden or shown. */
function block(html, state) {
  const tag = html.match(new RegExp(`<div class="reader-block" data-reader-when="${state}"( hidden)?>`));
  if (!tag) return 'absent';
  return tag[1] ? 'hidden' : 'shown';
}

function stepState(html, step) {
  const tag = html.match(new RegExp(`<span class="checklist-step" data-reader-step="${step}"(?: data-state="(\\w+)")?>`));
  assert.ok(tag, `the page marks the ${step} step`);
  return tag[1] ?? 'unmarked';
}

describe('a docs page that knows its reader', { concurrency: false }, () => {
  const email = `reader-${RUN}@example.test`;
  let hint;
  let session;

  after(async () => {
    await post('/_dev/clock', { reset: '1' }).catch(() => {});
  });

  it('is the static, cacheable signed-out version for a request that names nobody', async () => {
    const res = await get(PAGE);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /data-reader-filled/);
    assert.doesNotMatch(res.headers.get('cache-control') ?? '', /private/, 'shared caches may keep it');
    assert.equal(block(res.text, 'trial'), 'hidden');
    assert.equal(stepState(res.text, 'registered'), 'unmarked');
    assert.match(res.text, /<span data-reader="organization">your organization<\/span>/);
  });

  it('after registering, this browser sees its next step, and nothing else is revealed', async () => {
    const res = await post('/api/register', {
      email, first_name: HOSTILE, last_name: 'Reader', organization: `${HOSTILE} & Co`, password: PASSWORD,
    });
    assert.equal(res.status, 303);
    hint = res.cookie('__Host-reader');
    assert.equal(hint, '__Host-reader=registered');
    const line = res.setCookies.find((c) => c.startsWith('__Host-reader='));
    assert.doesNotMatch(line, /HttpOnly/, 'the page script reads it');
    const page = await get(PAGE, [hint]);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('cache-control') ?? '', /private, no-store/);
    assert.match(page.text, /<html[^>]* data-reader-filled/);
    assert.equal(block(page.text, 'unverified'), 'shown');
    assert.equal(block(page.text, 'trial'), 'absent');
    assert.equal(stepState(page.text, 'registered'), 'done');
    assert.equal(stepState(page.text, 'verified'), 'next');
    assert.equal(stepState(page.text, 'signed-in'), 'unmarked');
    assert.doesNotMatch(page.text, new RegExp(email), 'no address in the page');
  });

  it('signed in during the trial: the organization as text, days left, every step done', async () => {
    const token = await mailedToken(email, '/api/verify');
    const verified = await post('/api/verify', { token, password: PASSWORD });
    assert.equal(verified.status, 303);
    session = verified.cookie('__Host-session');
    assert.ok(session);
    assert.equal(verified.cookie('__Host-reader'), '__Host-reader=signed-in');
    const page = await get(PAGE, [session, verified.cookie('__Host-reader')]);
    assert.match(page.headers.get('cache-control') ?? '', /private, no-store/);
    assert.equal(block(page.text, 'trial'), 'shown');
    assert.equal(block(page.text, 'unverified'), 'absent');
    assert.match(page.text, /<span data-reader="organization">&lt;img src=x onerror=alert\(1\)&gt; &amp; Co<\/span>/);
    assert.doesNotMatch(page.text, /<img src=x/);
    assert.match(page.text, /<span data-reader="trial_days_left">30<\/span>/);
    for (const step of ['registered', 'verified', 'signed-in']) assert.equal(stepState(page.text, step), 'done');
    const account = JSON.parse((await request('GET', '/api/account', { cookies: [session], accept: 'application/json' })).text);
    assert.deepEqual(account.reader.states, ['signed-in', 'trial']);
    assert.equal(account.reader.values.trial_days_left, '30');
  });

  it('a revalidation of the cached static page gets the reader\'s page in full', async () => {
    const fresh = await get(PAGE);
    const etag = fresh.headers.get('etag') ?? '"static"';
    const lastModified = fresh.headers.get('last-modified') ?? new Date().toUTCString();
    const res = await fetch(BASE + PAGE, {
      headers: { cookie: session, 'if-none-match': etag, 'if-modified-since': lastModified, 'cf-connecting-ip': IP },
    });
    assert.equal(res.status, 200, 'not 304: the browser holds the signed-out version');
    assert.match(await res.text(), /data-reader-filled/);
  });

  it('the same page without the cookies is the static one again', async () => {
    const res = await get(PAGE);
    assert.doesNotMatch(res.text, /data-reader-filled/);
    assert.equal(block(res.text, 'trial'), 'hidden');
  });

  it('after the trial: the trial-ended block and the plan', async () => {
    const clock = await post('/_dev/clock', { advance: String(31 * 86400) });
    assert.equal(clock.status, 200);
    // The 14-day session ran out meanwhile: the page falls back to the signed-out version.
    const stale = await get(PAGE, [session]);
    assert.equal(block(stale.text, 'trial-ended'), 'absent', 'signed out: the reader blocks go');
    const signIn = await post('/api/sign-in', { email, password: PASSWORD });
    assert.equal(signIn.status, 303);
    const page = await get(PAGE, [signIn.cookie('__Host-session')]);
    assert.equal(block(page.text, 'trial-ended'), 'shown');
    assert.equal(block(page.text, 'trial'), 'absent');
    assert.match(page.text, /<span data-reader="plan_label">Free<\/span>/);
  });

  it('a refused post of the form embedded in the page comes back to the page, fields marked', async () => {
    const res = await post('/api/register', {
      email: `embedded-${RUN}@example.test`, first_name: 'Ada', last_name: 'L', organization: 'Org', password: 'weak', return_to: PAGE,
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /<h1>Accessing a Kong Konnect Cloud Account<\/h1>/, 'the docs page, not /register/');
    assert.match(res.text, new RegExp(`id="embedded-email" name="email"[^>]* value="embedded-${RUN}@example.test"`));
    assert.match(res.text, /id="embedded-password"[^>]*aria-invalid="true"/);
    assert.match(res.text, /aria-describedby="embedded-password-error embedded-password-hint"/);
    assert.match(res.text, /<p class="field-error" id="embedded-password-error" data-error-for="password">[^<]+<\/p>/);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, 'the CSP is the form page\'s');
    // A return_to that is not a page with a form, or not of this site: the form's own page.
    for (const elsewhere of ['/', '//evil.example/', 'https://evil.example/', '/nowhere/']) {
      const other = await post('/api/register', {
        email: `embedded-${RUN}@example.test`, first_name: 'Ada', last_name: 'L', organization: 'Org', password: 'weak', return_to: elsewhere,
      });
      assert.equal(other.status, 422);
      assert.match(other.text, /<h1>Create your account<\/h1>/, `return_to=${elsewhere}`);
    }
  });

  it('a page without markers is untouched even for a signed-in reader', async () => {
    const signIn = await post('/api/sign-in', { email, password: PASSWORD });
    const res = await get('/konnect/legacy/getting-started/', [signIn.cookie('__Host-session')]);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /data-reader-filled|reader\.js/);
    assert.doesNotMatch(res.headers.get('cache-control') ?? '', /private/);
  });
});
