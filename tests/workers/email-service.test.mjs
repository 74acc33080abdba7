// The Workers host in production mode with mail through Cloudflare Email Service: the
// `EMAIL` send_email binding of wrangler.toml, chosen because MAIL_API_URL is unset. Under
// `wrangler dev --local` the binding writes each message's text to a file and logs the
// envelope; this suite reads both and follows the verification link. Run by
// scripts/journey-workers.sh:
//
//   BASE_URL=http://127.0.0.1:8787 WRANGLER_LOG=/tmp/wrangler.log node --test tests/workers/email-service.test.mjs

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BASE, form, register } from './lib.mjs';

const LOG = process.env.WRANGLER_LOG;
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const PATIENCE_MS = 10_000;

// ESC [ … m colour codes, which wrangler puts around parts of its log.
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** The messages the binding has logged: { from, to, subject, textFile }. */
function sentMessages() {
  const log = plain(readFileSync(LOG, 'utf8'));
  return log.split('send_email binding called with MessageBuilder:').slice(1).map((block) => ({
    from: block.match(/^From: (.*)$/m)?.[1],
    to: block.match(/^To: (.*)$/m)?.[1],
    subject: block.match(/^Subject: (.*)$/m)?.[1],
    textFile: block.match(/^Text: (.*)$/m)?.[1]?.trim(),
  }));
}

async function messageTo(address) {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const found = sentMessages().find((m) => m.to === address);
    if (found) return found;
    assert.ok(Date.now() < deadline, `no message to ${address} in ${LOG}`);
    await sleep(50);
  }
}

describe('Workers host, mail through Cloudflare Email Service', () => {
  it('sends the verification mail through the send_email binding, and its link works', async () => {
    assert.ok(LOG, 'WRANGLER_LOG must name wrangler dev\'s log');
    const email = `es-${RUN}@example.test`;
    const res = await register(email, 'Grace');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/register/check-email/');

    const message = await messageTo(email);
    // MAIL_FROM = "Konnect <no-reply@docs.example.com>" (wrangler.toml): the display name
    // goes to the binding apart from the address.
    assert.equal(message.from, '"Konnect" <no-reply@docs.example.com>');
    assert.match(message.subject, /^Verify your email address/);
    const text = readFileSync(message.textFile, 'utf8');
    // Nothing the registrant typed reaches an unverified address.
    assert.match(text, /Hello,/);
    assert.ok(!text.includes('Grace'), text);
    const link = text.match(/https?:\/\/\S+\/api\/verify\?token=[\w.-]+/)?.[0];
    assert.ok(link?.startsWith(`${BASE}/`), `a verification link on SITE_URL in: ${text}`);

    // The link leads to the confirm page; the password chosen confirms and signs in.
    const token = new URL(link).searchParams.get('token');
    const followed = await fetch(link, { redirect: 'manual' });
    assert.equal(followed.status, 303);
    assert.equal(followed.headers.get('location'), `/register/confirm/?token=${token}`);
    const confirmed = await fetch(`${BASE}/api/verify`, form({ token, password: 'Prod-pass1' }, { origin: BASE }));
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.get('location'), '/account/');
  });
});
