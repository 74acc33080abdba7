// Helper of bench/enumeration.sh (read it first). Not a test: it prints figures.
//
//   node bench/enumeration.mjs timing BASE_URL ROUNDS LABEL
//   node bench/enumeration.mjs load   BASE_URL CONCURRENCY REGISTRATIONS LABEL
//
// `timing`: for each of sign-in, register, resend and forgot-password, the latency of a
// known address against an unknown one, ROUNDS interleaved rounds (the order alternates
// each round, and a short pause before every request lets the mail of the one before go
// out, as it does between two readers' requests). Known: a verified account (sign-in with
// a wrong password, register, forgot) or an unverified one (resend, the only case where
// it gets mail); unknown: a fresh address every round. Prints the medians and their ratio.
//
// `load`: a static page (GET /) one request at a time, alone and then while CONCURRENCY
// clients run REGISTRATIONS registrations (argon2id each); prints p50/p95/max of both.
//
// The host must run in development mode (the setup reads /_dev/outbox) with its rate
// limits raised (bench/enumeration.sh does both).

const [mode, rawBase, ...rest] = process.argv.slice(2);
const BASE = rawBase.replace(/\/+$/, '');
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const PASSWORD = 'Bench-pass1';
const GAP_MS = 40;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function form(fields) {
  return {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Milliseconds from sending to the last byte of the answer; checks the status. */
async function timed(path, init, status) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${BASE}${path}`, init);
  await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (res.status !== status) throw new Error(`${path}: ${res.status}, expected ${status}`);
  return ms;
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

const registration = (email) => ({
  email, first_name: 'Bench', last_name: 'Mark', organization: 'Bench', password: PASSWORD,
});

/** The newest link to `pathname` mailed to `to`, waiting for the mail (sent after the answer). */
async function mailedLink(to, pathname) {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${BASE}/_dev/outbox?to=${encodeURIComponent(to)}`, { headers: { accept: 'application/json' } });
    for (const mail of await res.json()) {
      const link = mail.links.map((l) => new URL(l)).find((u) => u.pathname === pathname);
      if (link) return link;
    }
    await sleep(25);
  }
  throw new Error(`no ${pathname} link mailed to ${to}`);
}

/** A verified account: registered, then verified through a password reset (which proves the
 * mailbox as the verification link does, whatever the verification flow looks like). */
async function verifiedAccount(email) {
  await timed('/api/register', form(registration(email)), 303);
  await timed('/api/forgot-password', form({ email }), 303);
  const link = await mailedLink(email, '/reset-password/');
  const token = link.searchParams.get('token');
  await timed('/api/reset-password', form({ token, password: PASSWORD }), 303);
}

async function timing(rounds, label) {
  const known = `enum-known-${RUN}@example.test`;
  const pending = `enum-pending-${RUN}@example.test`;
  await verifiedAccount(known);
  await timed('/api/register', form(registration(pending)), 303);
  const unknown = (route, round) => `enum-unknown-${RUN}-${route}-${round}@example.test`;
  const routes = [
    ['sign-in', '/api/sign-in', 422, (email) => ({ email, password: 'Wrong-pass9' }), known],
    ['register', '/api/register', 303, registration, known],
    ['resend', '/api/verify/resend', 303, (email) => ({ email }), pending],
    ['forgot-password', '/api/forgot-password', 303, (email) => ({ email }), known],
  ];
  const times = Object.fromEntries(routes.map(([name]) => [name, { known: [], unknown: [] }]));
  // Warm-up: one of each, not counted.
  for (const [name, path, status, fields, address] of routes) {
    await timed(path, form(fields(address)), status);
    await timed(path, form(fields(unknown(name, 'warm'))), status);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, path, status, fields, address] of routes) {
      const pair = [['known', address], ['unknown', unknown(name, round)]];
      if (round % 2) pair.reverse();
      for (const [kind, email] of pair) {
        await sleep(GAP_MS);
        times[name][kind].push(await timed(path, form(fields(email)), status));
      }
    }
  }
  console.log(`${label}: ${rounds} interleaved rounds, known vs unknown address, median (p25–p75) ms`);
  for (const [name] of routes) {
    const { known: k, unknown: u } = times[name];
    const km = quantile(k, 0.5);
    const um = quantile(u, 0.5);
    const spread = (v) => `${quantile(v, 0.25).toFixed(2)}–${quantile(v, 0.75).toFixed(2)}`;
    console.log(
      `${label}: ${name.padEnd(16)} known ${km.toFixed(2).padStart(7)} (${spread(k)})  ` +
        `unknown ${um.toFixed(2).padStart(7)} (${spread(u)})  ratio ${(km / um).toFixed(2)}`,
    );
  }
}

async function load(concurrency, total, label) {
  const page = () => timed('/', {}, 200);
  const summary = (v) =>
    `p50 ${quantile(v, 0.5).toFixed(2)} ms, p95 ${quantile(v, 0.95).toFixed(2)} ms, max ${Math.max(...v).toFixed(2)} ms (n=${v.length})`;
  const idle = [];
  for (let i = 0; i < 10; i++) await page();
  for (let i = 0; i < 100; i++) idle.push(await page());
  console.log(`${label}: GET / alone: ${summary(idle)}`);

  let next = 0;
  let done = false;
  const started = Date.now();
  const clients = Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      await timed('/api/register', form(registration(`load-${RUN}-${i}@example.test`)), 303);
    }
  });
  const busy = [];
  const reader = (async () => {
    while (!done) {
      busy.push(await page());
      await sleep(5);
    }
  })();
  await Promise.all(clients);
  const seconds = (Date.now() - started) / 1000;
  done = true;
  await reader;
  console.log(
    `${label}: GET / during ${total} registrations at concurrency ${concurrency} (${seconds.toFixed(1)} s, ` +
      `${(total / seconds).toFixed(1)}/s): ${summary(busy)}`,
  );
}

if (mode === 'timing') await timing(Number(rest[0]), rest[1]);
else if (mode === 'load') await load(Number(rest[0]), Number(rest[1]), rest[2]);
else throw new Error(`unknown mode ${mode}`);
