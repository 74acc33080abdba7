// The Workers host in production mode with MAIL_TRANSPORT = "api" but no MAIL_API_URL:
// mail cannot go out, and the host must say so in its log rather than quietly use the
// EMAIL binding that wrangler.toml also has. Mail is sent after the answer (in
// `ctx.wait_until`), so the reader gets the usual answer — the one an address that gets no
// mail gets — and never learns of the failure. Run by scripts/journey-workers.sh:
//
//   BASE_URL=http://127.0.0.1:8787 WRANGLER_LOG=/tmp/wrangler.log node --test tests/workers/mail-misconfigured.test.mjs

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BASE, register } from './lib.mjs';

const LOG = process.env.WRANGLER_LOG;
const PATIENCE_MS = 10_000;

describe('Workers host, mail transport chosen but not configured', () => {
  it('sends nothing, names the missing setting in the log, and shows the reader nothing of it', async () => {
    assert.ok(LOG, 'WRANGLER_LOG must name wrangler dev\'s log');
    const email = `misconfigured-${Date.now().toString(36)}@example.test`;
    const res = await register(email);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/register/check-email/');
    const body = await res.text();
    assert.doesNotMatch(body, /MAIL_|binding|wrangler/i, 'no internal detail for the reader');

    const wanted = 'MAIL_API_URL is not set; mail cannot be sent';
    const deadline = Date.now() + PATIENCE_MS;
    while (!readFileSync(LOG, 'utf8').includes(wanted)) {
      assert.ok(Date.now() < deadline, `the log never said "${wanted}"`);
      await sleep(50);
    }
    assert.doesNotMatch(readFileSync(LOG, 'utf8'), /send_email binding called/, 'no fallback to the binding');
  });
});
