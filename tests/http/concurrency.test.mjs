// One writer per account, over HTTP: bursts of parallel requests against one account,
// for every host of the edge core (`gatehouse serve` with redb, `wrangler dev` with the
// Durable Object store). Run with the journey:
//
//   BASE_URL=http://127.0.0.1:1111 node --test tests/http/
//
// Requests go out from their own loopback addresses (127.0.0.3, the owner from 127.0.0.4),
// so the journey's per-IP counters are not touched: `gatehouse serve` sees the socket's
// address, workerd the `CF-Connecting-IP` header, and both are set.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

const BASE = new URL(process.env.BASE_URL || 'http://127.0.0.1:1111');
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const address = (name) => `burst-${RUN}-${name}@example.test`;
const PASSWORD = 'Burst-pass1';
const MAIL_PATIENCE_MS = 5_000;
const BURST_IP = '127.0.0.3';
const OWNER_IP = '127.0.0.4';

/** One request from `ip`; resolves to { status, location, cookie, text }. */
function request(method, path, { fields, cookie, ip = BURST_IP, accept } = {}) {
  const body = fields ? new URLSearchParams(fields).toString() : undefined;
  const headers = { 'cf-connecting-ip': ip };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (cookie) headers.cookie = cookie;
  if (accept) headers.accept = accept;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: BASE.hostname, port: BASE.port, path, method, headers, localAddress: ip, agent: false,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        const setCookie = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-session='));
        const location = res.headers.location ? new URL(res.headers.location, BASE) : null;
        resolve({
          status: res.statusCode,
          location: location && location.pathname + location.search,
          cookie: setCookie ? setCookie.split(';')[0] : null,
          text,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const post = (path, fields, options = {}) => request('POST', path, { ...options, fields });

async function mailedToken(to, pathname, except) {
  const deadline = Date.now() + MAIL_PATIENCE_MS;
  for (;;) {
    const res = await request('GET', `/_dev/outbox?to=${encodeURIComponent(to)}`, { accept: 'application/json' });
    assert.equal(res.status, 200, 'the host must run in development mode');
    for (const mail of JSON.parse(res.text)) {
      for (const link of mail.links) {
        const url = new URL(link);
        const token = url.searchParams.get('token');
        if (url.pathname === pathname && token && token !== except) return token;
      }
    }
    assert.ok(Date.now() < deadline, `no ${pathname} link mailed to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function register(email) {
  const res = await post('/api/register', {
    email, first_name: 'Burst', last_name: 'Test', organization: 'Load', password: PASSWORD,
  });
  assert.equal(res.status, 303, res.text.slice(0, 300));
  return mailedToken(email, '/api/verify');
}

/** A new address, registered and verified: its first verification link and the session
 * the confirmation signed in. */
async function verifiedAccount(name) {
  const email = address(name);
  const token = await register(email);
  const verified = await post('/api/verify', { token, password: PASSWORD });
  assert.equal(verified.location, '/account/', verified.text.slice(0, 300));
  assert.ok(verified.cookie, 'the confirmation signs in');
  return { email, token, session: verified.cookie };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const tally = (answers) => answers.reduce((counts, { status }) => {
  counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}, {});

describe('one writer per account', { concurrency: false }, () => {
  it('one verification link posted 12 times at once verifies once', async () => {
    const email = address('verify');
    const token = await register(email);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => post('/api/verify', { token, password: PASSWORD })),
    );
    const signedIn = answers.filter((a) => a.location === '/account/');
    assert.equal(signedIn.length, 1, `exactly one confirmation signs in: ${JSON.stringify(tally(answers))}`);
    for (const other of answers.filter((a) => a.location !== '/account/')) {
      assert.ok([303, 400, 429].includes(other.status), `the rest are refused: ${other.status}`);
      if (other.status === 303) assert.equal(other.location, '/sign-in/?verified=1');
    }
  });

  it('50 wrong passwords at once: at most the limit are tried, the owner still signs in from another network', async () => {
    const { email } = await verifiedAccount('guess');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post('/api/sign-in', { email, password: `Wrong-guess${i}` })),
    );
    const counts = tally(answers);
    assert.ok((counts[422] ?? 0) <= 5, `at most 5 passwords checked: ${JSON.stringify(counts)}`);
    assert.equal((counts[422] ?? 0) + (counts[429] ?? 0), 50, `the rest are 429: ${JSON.stringify(counts)}`);
    const owner = await post('/api/sign-in', { email, password: PASSWORD }, { ip: OWNER_IP });
    assert.equal(owner.status, 303, owner.text.slice(0, 300));
    assert.equal(owner.location, '/account/');
  });

  it('one reset link posted 12 times at once resets once, and the old session stays dead', async () => {
    const { email, session: oldSession } = await verifiedAccount('reset');
    const forgot = await post('/api/forgot-password', { email }, { ip: OWNER_IP });
    assert.equal(forgot.status, 303);
    const reset = await mailedToken(email, '/reset-password/');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post('/api/reset-password', { token: reset, password: `Renewed-pass${i}` })),
    );
    const done = answers.filter((a) => a.location === '/sign-in/?reset=1');
    assert.equal(done.length, 1, `exactly one reset: ${JSON.stringify(tally(answers))}`);
    // Profile saves from the old session race nothing back in: the old session is dead,
    // and the old password never signs in again.
    const saves = await Promise.all(
      Array.from({ length: 10 }, () => post('/api/account/profile', {
        first_name: 'Stale', last_name: 'Copy', organization: 'Old',
      }, { cookie: oldSession })),
    );
    for (const save of saves) assert.equal(save.location, '/sign-in/', 'the old session is dead');
    const old = await post('/api/sign-in', { email, password: PASSWORD }, { ip: OWNER_IP });
    assert.equal(old.status, 422, 'the old password is gone');
  });

  it('an account deleted while its own session saves the profile in a burst stays deleted', async () => {
    const { email, token, session } = await verifiedAccount('delete');
    const saves = Array.from({ length: 10 }, () => post('/api/account/profile', {
      first_name: 'Late', last_name: 'Save', organization: 'Back',
    }, { cookie: session }));
    const deletion = post('/api/account/delete', { confirm: email, current_password: PASSWORD }, { cookie: session, ip: OWNER_IP });
    const [deleted, ...saved] = await Promise.all([deletion, ...saves]);
    assert.equal(deleted.location, '/sign-in/?deleted=1', deleted.text.slice(0, 300));
    for (const save of saved) {
      assert.ok(['/account/?saved=1', '/sign-in/'].includes(save.location), `a save before or after: ${save.status} ${save.location}`);
    }
    // No save wrote the account back: its password signs nothing in, and the address
    // registers as new (the verification mail, not "you already have an account").
    const signIn = await post('/api/sign-in', { email, password: PASSWORD }, { ip: OWNER_IP });
    assert.equal(signIn.status, 422, 'the deleted account does not sign in');
    const again = await post('/api/register', {
      email, first_name: 'Burst', last_name: 'Test', organization: 'Load', password: PASSWORD,
    }, { ip: OWNER_IP });
    assert.equal(again.status, 303);
    const fresh = await mailedToken(email, '/api/verify', token);
    assert.notEqual(fresh, token, 'a new verification link: the address was free');
  });

  it('one email-change link posted 12 times at once moves the account once', async () => {
    const { email, session } = await verifiedAccount('move');
    const moved = address('moved');
    const asked = await post('/api/account/email', { email: moved, current_password: PASSWORD }, { cookie: session, ip: OWNER_IP });
    assert.equal(asked.location, '/account/?email=1', asked.text.slice(0, 300));
    const link = await mailedToken(moved, '/confirm-email/');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => post('/api/account/email/confirm', { token: link, password: PASSWORD })),
    );
    const done = answers.filter((a) => a.location === '/account/?email_changed=1');
    assert.equal(done.length, 1, `exactly one move: ${JSON.stringify(tally(answers))}`);
    for (const other of answers.filter((a) => a.location !== '/account/?email_changed=1')) {
      assert.ok([400, 409, 422, 429].includes(other.status), `the rest are refused: ${other.status}`);
    }
    // One account, at the new address only.
    const atNew = await post('/api/sign-in', { email: moved, password: PASSWORD }, { ip: OWNER_IP });
    assert.equal(atNew.location, '/account/', 'the new address signs in');
    const atOld = await post('/api/sign-in', { email, password: PASSWORD }, { ip: OWNER_IP });
    assert.equal(atOld.status, 422, 'the old address no longer does');
  });
  it('a reset racing 20 profile saves and sign-outs-everywhere from an old session: neither the old password nor the session comes back', async () => {
    const { email, session: oldSession } = await verifiedAccount('race');
    const forgot = await post('/api/forgot-password', { email }, { ip: OWNER_IP });
    assert.equal(forgot.status, 303);
    const reset = await mailedToken(email, '/reset-password/');
    const renewed = 'Renewed-race1';
    // From a network of their own: the other tests' saves count on BURST_IP.
    const racing = Array.from({ length: 20 }, (_, i) => (i % 2
      ? post('/api/account/profile', { first_name: 'Stale', last_name: 'Copy', organization: 'Old' }, { cookie: oldSession, ip: '127.0.0.5' })
      : post('/api/account/sessions/revoke', {}, { cookie: oldSession, ip: '127.0.0.5' })));
    const [done, ...raced] = await Promise.all([
      post('/api/reset-password', { token: reset, password: renewed }, { ip: OWNER_IP }),
      ...racing,
    ]);
    for (const answer of raced) assert.ok(answer.status < 500, `no internal error: ${answer.status}`);
    if (done.location !== '/sign-in/?reset=1') {
      // A sign-out-everywhere that lands first ends the reset links issued before it (and
      // the session it came from): the owner asks again.
      assert.ok(done.status >= 400 && done.status < 500, `the reset is refused, not failed: ${done.status}`);
      assert.equal((await post('/api/forgot-password', { email }, { ip: OWNER_IP })).status, 303);
      const again = await mailedToken(email, '/reset-password/', reset);
      const second = await post('/api/reset-password', { token: again, password: renewed }, { ip: OWNER_IP });
      assert.equal(second.location, '/sign-in/?reset=1', second.text.slice(0, 300));
    }
    // Checked over a few seconds, not once: a write decided on a stale copy would land late.
    for (let check = 0; check < 4; check++) {
      if (check) await sleep(600);
      const account = await request('GET', '/api/account', { cookie: oldSession, accept: 'application/json' });
      assert.equal(account.status, 401, `check ${check}: the old session stays dead`);
      const old = await post('/api/sign-in', { email, password: PASSWORD }, { ip: `127.0.0.${10 + check}` });
      assert.equal(old.status, 422, `check ${check}: the old password never signs in`);
    }
    const owner = await post('/api/sign-in', { email, password: renewed }, { ip: OWNER_IP });
    assert.equal(owner.location, '/account/', 'the new password signs in');
  });

  it('20 registrations of one address while its owner verifies: one account, and it stays verified', async () => {
    const email = address('claim');
    const token = await register(email);
    // From the network of the first registration: its mail counter lets at most 4 more
    // through, so the owner's link is never pushed out of the pending list.
    const racer = (i) => post('/api/register', {
      email, first_name: 'Eve', last_name: 'Racer', organization: 'Else', password: `Racing-pass${i}`,
    });
    const [verified, ...registered] = await Promise.all([
      post('/api/verify', { token, password: PASSWORD }, { ip: OWNER_IP }),
      ...Array.from({ length: 20 }, (_, i) => racer(i)),
    ]);
    assert.equal(verified.location, '/account/', verified.text.slice(0, 300));
    for (const answer of registered) assert.ok([303, 429].includes(answer.status), `register: ${answer.status}`);
    // And 20 more once it is verified: none may overwrite it.
    const late = await Promise.all(Array.from({ length: 20 }, (_, i) => racer(20 + i)));
    for (const answer of late) assert.ok([303, 429].includes(answer.status), `late register: ${answer.status}`);
    for (let check = 0; check < 3; check++) {
      if (check) await sleep(600);
      const session = await request('GET', '/api/account', { cookie: verified.cookie, accept: 'application/json' });
      assert.equal(session.status, 200, `check ${check}: the owner's session still works`);
      const owner = await post('/api/sign-in', { email, password: PASSWORD }, { ip: `127.0.0.${20 + check}` });
      assert.equal(owner.location, '/account/', `check ${check}: the owner's password signs in`);
      const other = await post('/api/sign-in', { email, password: `Racing-pass${check}` }, { ip: `127.0.0.${30 + check}` });
      assert.equal(other.status, 422, `check ${check}: a racer's password does not`);
    }
  });
});
