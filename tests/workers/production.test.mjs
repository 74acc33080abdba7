// The Workers host in production mode (no DEV), under `wrangler dev --local`: what the
// development journey (tests/http/) cannot see. Run by scripts/journey-workers.sh, which
// starts the Worker with MAIL_API_URL pointing at tests/workers/mail-stub.mjs:
//
//   BASE_URL=http://127.0.0.1:8787 MAIL_LOG=/tmp/mail.jsonl MAIL_API_KEY=… node --test tests/workers/

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { BASE, form } from './lib.mjs';

const MAIL_LOG = process.env.MAIL_LOG;
const KEY = process.env.MAIL_API_KEY;
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;


/** The mail the stub received, once `until(mails)` holds (mail is sent after the answer,
 * in `ctx.wait_until`), or what there is after a few seconds. */
async function mailsWhen(until) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const all = mails();
    if (until(all) || Date.now() > deadline) return all;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function mails() {
  if (!existsSync(MAIL_LOG)) return [];
  return readFileSync(MAIL_LOG, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('Workers host, production mode', { concurrency: false }, () => {
  it('sends mail through the HTTP mail API with the bearer key', async () => {
    assert.ok(MAIL_LOG && KEY, 'MAIL_LOG and MAIL_API_KEY must be set');
    const email = `prod-${RUN}@example.test`;
    const res = await fetch(`${BASE}/api/register`, form({
      email, first_name: 'Ada', last_name: 'L', organization: 'Org', password: 'Prod-pass1',
    }));
    assert.equal(res.status, 303);
    const to = (m) => JSON.parse(m.body).to?.[0] === email;
    const sent = (await mailsWhen((all) => all.some(to))).filter(to);
    assert.equal(sent.length, 1, JSON.stringify(mails()));
    const [mail] = sent;
    assert.equal(mail.method, 'POST');
    assert.equal(mail.authorization, `Bearer ${KEY}`);
    assert.match(mail.contentType, /application\/json/);
    const body = JSON.parse(mail.body);
    assert.deepEqual(Object.keys(body).sort(), ['from', 'subject', 'text', 'to']);
    assert.match(body.subject, /Verify your email address/);
    assert.ok(body.text.includes(`${BASE}/api/verify?token=`), 'links start with SITE_URL');
  });

  it('hides the development routes', async () => {
    assert.equal((await fetch(`${BASE}/_dev/outbox`)).status, 404);
    assert.equal((await fetch(`${BASE}/_dev/cron`, form({}))).status, 404);
    assert.equal((await fetch(`${BASE}/_dev/clock`, form({ advance: '60' }))).status, 404);
  });

  it('limits POSTs per client IP, the binding braking in front of the store (20 a minute)', async () => {
    // The binding and the store's exact counter both count in fixed windows aligned to
    // the minute, so a burst that straddles a minute boundary is split across two
    // counters. Whichever refuses first sets Retry-After: the store the rest of its
    // window, the binding its whole period. With a fresh key, 41 requests in well under a minute cross at most one
    // boundary, so one window must see a 21st request: the first refusal comes after at
    // least 20 answers and no later than the 41st request.
    const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
    const statuses = [];
    for (let i = 0; i < 41 && !statuses.includes(429); i++) {
      const res = await fetch(`${BASE}/api/sign-in`, form(
        { email: `rl-${RUN}-${i}@example.test`, password: 'Wrong-pass9' },
        { 'cf-connecting-ip': ip },
      ));
      statuses.push(res.status);
      if (res.status === 429) {
        const wait = Number(res.headers.get('retry-after'));
        assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
      }
      await res.arrayBuffer();
    }
    // Different addresses each time, so only the per-IP limit can refuse.
    const refusedAt = statuses.indexOf(429);
    assert.ok(refusedAt >= 20, `refused after ${refusedAt} requests: ${statuses}`);
    assert.deepEqual(statuses.slice(0, refusedAt), Array(refusedAt).fill(422));
    const other = await fetch(`${BASE}/api/sign-in`, form(
      { email: `rl-${RUN}-x@example.test`, password: 'Wrong-pass9' },
      { 'cf-connecting-ip': `${ip}1` },
    ));
    assert.equal(other.status, 422, 'another IP is not limited');
  });

  it('keys the rate-limiting binding on the IPv6 /64', async () => {
    // As above, with every request from another address of one /64.
    const hex = () => Math.floor(Math.random() * 0xffff).toString(16);
    const net = `2001:db8:${hex()}:${hex()}`;
    const statuses = [];
    for (let i = 0; i < 41 && !statuses.includes(429); i++) {
      const res = await fetch(`${BASE}/api/sign-in`, form(
        { email: `rl6-${RUN}-${i}@example.test`, password: 'Wrong-pass9' },
        { 'cf-connecting-ip': `${net}:${hex()}:${hex()}::${(i + 1).toString(16)}` },
      ));
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    const refusedAt = statuses.indexOf(429);
    assert.ok(refusedAt >= 20, `refused after ${refusedAt} requests: ${statuses}`);
    const other = await fetch(`${BASE}/api/sign-in`, form(
      { email: `rl6-${RUN}-x@example.test`, password: 'Wrong-pass9' },
      { 'cf-connecting-ip': `2001:db8:${hex()}:${hex()}::1` },
    ));
    assert.equal(other.status, 422, 'another /64 is not limited');
  });

  it('refuses a POST from another scheme and one without Content-Type', async () => {
    // SITE_URL is http://127.0.0.1:<port>: https on the same host and port is another origin.
    const https = BASE.replace(/^http:/, 'https:');
    const crossScheme = await fetch(`${BASE}/api/forgot-password`, form(
      { email: `scheme-${RUN}@example.test` }, { origin: https },
    ));
    assert.equal(crossScheme.status, 403);
    await crossScheme.arrayBuffer();
    const untyped = await fetch(`${BASE}/api/forgot-password`, {
      method: 'POST',
      redirect: 'manual',
      body: new TextEncoder().encode(`email=untyped-${RUN}%40example.test`),
    });
    assert.equal(untyped.status, 400);
    assert.match(await untyped.text(), /application\/x-www-form-urlencoded/);
  });

  it('refuses framing on every page the core makes', async () => {
    const unframeable = async (what, res) => {
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
      await res.arrayBuffer();
    };
    await unframeable('filled page', await fetch(`${BASE}/sign-in/?verified=1`));
    await unframeable('not found', await fetch(`${BASE}/api/nothing`));
    await unframeable('redirect', await fetch(`${BASE}/account/`, { redirect: 'manual' }));
    await unframeable('refused form', await fetch(`${BASE}/api/sign-in`, form({ email: 'x' })));
    await unframeable('account JSON', await fetch(`${BASE}/api/account`));
  });

  it('serves the static site and the filled pages with the site headers', async () => {
    const page = await fetch(`${BASE}/sign-in/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('cache-control') ?? '', /no-store/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(await page.text(), /action="\/api\/sign-in"/);
    const home = await fetch(`${BASE}/`);
    assert.equal(home.status, 200);
    await home.arrayBuffer();
    const post = await fetch(`${BASE}/register/`, form({}));
    assert.equal(post.status, 405, 'the assets layer answers POSTs to pages');
  });
});
